"""Words for the engine's structured reasons: every reason of every vignette's flags, steps and levels is put in
words from its fields, in both languages, never as a raw code."""

from __future__ import annotations

import json

import pytest

from risk import assess
from risk.models import Reason
from risk.vocabulary import PersonRole, RiskLevel
from tests.conftest import ROOT
from tests.ui.helpers import example_case
from ui.labels import Catalog, describe, md_escape, person_labels, reasons_of, shorten

CASES = [json.loads(p.read_text())["case"] for p in sorted((ROOT / "tests" / "vignettes").glob("*.json"))]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("case", [example_case(), *CASES], ids=lambda c: str(c.get("context")))
def test_every_reason_is_put_in_words(case: dict[str, object], lang: str) -> None:
    result = assess(case, lang=lang)
    catalog = Catalog.default(persons=person_labels(case["persons"], lang))  # type: ignore[arg-type]
    reasons = [r for f in result.flags for r in f.reasons] + [r for s in result.steps for r in s.reasons]
    reasons += result.overall_reasons + [r for a in result.assessments for lr in a.level_reasons for r in lr.reasons]
    assert reasons, "the vignettes give reasons"
    assert [r for r in reasons if r.kind == "other"] == []
    raw = [r.code for r in reasons if describe(r, lang, catalog) == r.code]
    assert raw == []


def test_reasons_in_swedish() -> None:
    catalog = Catalog.default(persons={"v1": "v1 (utsatt, 31 år)", "c1": "c1 (barn)"})
    dv = {"checklist": "domestic_violence", "subject": "v1"}
    assert describe(Reason(kind="overall", level=RiskLevel.severe), "sv", catalog) == "samlad nivå mycket hög"
    assert (
        describe(Reason(kind="assessment_level", level=RiskLevel.high, **dv), "sv", catalog)
        == "Våld i nära relation för v1 (utsatt, 31 år): hög"
    )
    assert describe(Reason(kind="agency", agency="police"), "sv", catalog) == "Polisen berörs"
    assert describe(Reason(kind="flag", flag="children_in_household"), "sv", catalog) == "Barn i hushållet"
    assert describe(Reason(kind="item", item="dv.strangulation", **dv), "sv", catalog).startswith("Har din partner")
    assert describe(Reason(kind="person_role", person="c1", role=PersonRole.child), "sv", catalog) == (
        "c1 (barn) är ett barn"
    )
    assert describe(Reason(kind="person_age", person="v1", value=15), "sv", catalog) == "v1 (utsatt, 31 år) är 15 år"
    below = Reason(kind="below_floor", level=RiskLevel.low, floor=RiskLevel.high, **dv)
    assert describe(below, "sv", catalog) == (
        "Våld i nära relation för v1 (utsatt, 31 år): satt till låg, under golvet hög"
    )
    assert describe(Reason(kind="other", text="something.new"), "sv", catalog) == "something.new"


def test_the_string_form_is_derived_from_the_fields() -> None:
    """The `because` strings integrators read are the `code` of each reason, exactly as before."""
    dv = {"checklist": "domestic_violence", "subject": "v1"}
    assert Reason(kind="assessment_level", level=RiskLevel.high, **dv).code == "domestic_violence:v1=high"
    assert Reason(kind="assessment_level", level=RiskLevel.high, agency="police", **dv).code == (
        "domestic_violence:v1@police=high"
    )
    assert Reason(kind="section_level", section="suicide", level=RiskLevel.moderate, **dv).code == (
        "domestic_violence:v1.suicide=moderate"
    )
    assert Reason(kind="completeness", value=0.4444, **dv).code == "domestic_violence:v1.completeness=0.44"
    assert Reason(kind="person_age", person="v1", value=15).code == "v1.age=15"
    assert Reason(kind="person_role", person="c1", role=PersonRole.child).code == "c1.role=child"
    assert Reason(kind="consent", person="v1").code == "consent:v1"
    assert Reason(kind="agency", agency="police").code == "agency:police"
    assert Reason(kind="overall", level=RiskLevel.severe).code == "overall=severe"
    assert Reason(kind="overall_flag", flag="homicide_suicide_risk").code == "flag:homicide_suicide_risk"
    assert Reason(kind="missing_checklist", checklist="child_welfare", subject="c1").code == "child_welfare:c1"
    assert Reason(kind="item_unknown", item="dv.stalking").code == "dv.stalking=unknown"
    about = Reason(kind="assessment_level", level=RiskLevel.high, about="s2", agency="police", **dv)
    assert about.code == "domestic_violence:v1/s2@police=high"  # one assessment per perpetrator, by one agency


def test_a_result_without_structured_reasons_still_shows_its_strings() -> None:
    got = reasons_of(["dv.strangulation"], [])
    assert got == [Reason(kind="other", text="dv.strangulation")]
    assert describe(got[0], "sv", Catalog.default()).startswith("Har din partner")


def test_person_labels() -> None:
    persons = [{"id": "v1", "role": "victim", "age": 31}, {"id": "c1", "role": "child"}]
    assert person_labels(persons, "sv") == {"v1": "v1 (utsatt, 31 år)", "c1": "c1 (barn)"}
    assert person_labels(persons, "en") == {"v1": "v1 (victim, age 31)", "c1": "c1 (child)"}


def test_shorten_and_escape() -> None:
    assert shorten("a b c", 10) == "a b c"
    assert shorten("alpha beta gamma delta", 12) == "alpha beta…"
    assert md_escape("**not bold** :red[x] $1 <b>") == r"\*\*not bold\*\* \:red\[x\] \$1 \<b\>"


def test_an_assessment_reason_with_an_agency_names_it() -> None:
    catalog = Catalog.default({"v1": "v1 – utsatt, 29 år"})
    dv = {"checklist": "domestic_violence", "subject": "v1"}
    text = describe(Reason(kind="completeness", value=0.29, agency="police", **dv), "sv", catalog)
    assert "v1 – utsatt, 29 år (polisen)" in text and "29 %" in text
    high = Reason(kind="assessment_level", level=RiskLevel.high, agency="social_services", **dv)
    assert describe(high, "sv", catalog).endswith("hög")
    assert "(socialtjänsten)" in describe(high, "sv", catalog)
    about = Reason(kind="assessment_level", level=RiskLevel.high, about="s2", **dv)
    assert describe(about, "sv", Catalog.default({"v1": "v1", "s2": "s2"})) == "Våld i nära relation för v1 om s2: hög"


def test_outside_the_validated_population_in_swedish_words() -> None:
    case = {
        "context": "social_services",
        "persons": [{"id": "p1", "role": "victim", "age": 15}, {"id": "s1", "role": "suspect", "age": 17}],
        "assessments": [{"checklist": "domestic_violence", "subject": "p1", "about": "s1", "answers": {}}],
    }
    result = assess(case, lang="sv")
    flag = next(f for f in result.flags if f.id == "outside_validated_population")
    (reason,) = flag.reasons
    assert (reason.kind, reason.value, reason.code) == ("outside_population", 15, flag.because[0])
    words = describe(reason, "sv", Catalog.default(person_labels(case["persons"], "sv")))
    assert words.startswith("Våld i nära relation för p1 (utsatt, 15 år): utanför den grupp checklistan prövats i (")
    assert "age" not in words


def test_an_open_question_names_the_agency_whose_assessment_it_is() -> None:
    """Where several agencies assessed the person, the same open question twice must say whose it is."""
    catalog = Catalog.default(persons={"v1": "v1 (utsatt, 31 år)"})
    unknown = {"kind": "item_not_known", "item": "dv.strangulation", "checklist": "domestic_violence", "subject": "v1"}
    police = describe(Reason(**unknown, agency="police"), "sv", catalog)  # type: ignore[arg-type]
    plain = describe(Reason(**unknown), "sv", catalog)  # type: ignore[arg-type]
    assert police.startswith("okänt (polisen): ") and plain.startswith("okänt: ")
    assert police.removeprefix("okänt (polisen): ") == plain.removeprefix("okänt: ")
