"""Words for the engine's `because` tokens: every token of every vignette's flags and steps is put in words."""

from __future__ import annotations

import json

import pytest

from risk import assess
from tests.conftest import ROOT
from tests.ui.helpers import example_case
from ui.labels import Catalog, describe_reason, md_escape, person_labels, shorten

CASES = [json.loads(p.read_text())["case"] for p in sorted((ROOT / "tests" / "vignettes").glob("*.json"))]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("case", [example_case(), *CASES], ids=lambda c: str(c.get("context")))
def test_every_because_token_is_put_in_words(case: dict[str, object], lang: str) -> None:
    result = assess(case, lang=lang)
    catalog = Catalog.default(persons=person_labels(case["persons"], lang))  # type: ignore[arg-type]
    tokens = [r for f in result.flags for r in f.because] + [r for s in result.steps for r in s.because]
    raw = [tok for tok in tokens if describe_reason(tok, lang, catalog) == tok]
    assert raw == []


def test_reasons_in_swedish() -> None:
    catalog = Catalog.default(persons={"v1": "v1 (utsatt, 31 år)"})
    assert describe_reason("overall=severe", "sv", catalog) == "samlad nivå mycket hög"
    assert (
        describe_reason("domestic_violence:v1=high", "sv", catalog)
        == "Våld i nära relation för v1 (utsatt, 31 år): hög"
    )
    assert describe_reason("agency:police", "sv", catalog) == "Polisen berörs"
    assert describe_reason("children_in_household", "sv", catalog) == "Barn i hushållet"
    assert describe_reason("dv.strangulation", "sv", catalog).startswith("Har din partner")
    assert describe_reason("something.new", "sv", catalog) == "something.new"


def test_person_labels() -> None:
    persons = [{"id": "v1", "role": "victim", "age": 31}, {"id": "c1", "role": "child"}]
    assert person_labels(persons, "sv") == {"v1": "v1 (utsatt, 31 år)", "c1": "c1 (barn)"}
    assert person_labels(persons, "en") == {"v1": "v1 (victim, age 31)", "c1": "c1 (child)"}


def test_shorten_and_escape() -> None:
    assert shorten("a b c", 10) == "a b c"
    assert shorten("alpha beta gamma delta", 12) == "alpha beta…"
    assert md_escape("**not bold** :red[x] $1 <b>") == r"\*\*not bold\*\* \:red\[x\] \$1 \<b\>"


def test_an_assessment_token_with_an_agency_names_it() -> None:
    from ui.labels import Catalog, describe_reason

    catalog = Catalog.default({"v1": "v1 – utsatt, 29 år"})
    text = describe_reason("domestic_violence:v1@police.completeness=0.29", "sv", catalog)
    assert "v1 – utsatt, 29 år (polisen)" in text and "29 %" in text
    assert describe_reason("domestic_violence:v1@social_services=high", "sv", catalog).endswith("hög")
    assert "(socialtjänsten)" in describe_reason("domestic_violence:v1@social_services=high", "sv", catalog)
