"""assess_one: the live level beside a form is the same result `assess` gives for that assessment (issue 9: an
answer's rerun scores only the assessment being answered, not flags, required checklists and steps)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk.checklists import default_checklists
from risk.engine import assess, assess_one
from risk.errors import InputError
from tests.conftest import ROOT, make_case

VIGNETTES = sorted((ROOT / "tests" / "vignettes").glob("*.json"))
DEMO = json.loads((ROOT / "data" / "demo.json").read_text(encoding="utf-8"))
DV_ITEMS = sorted(default_checklists()["domestic_violence"].items)


def _each_first(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The case file once per assessment, that assessment first (the rest stay: they must not change it)."""
    assessments = case.get("assessments", [])
    return [{**case, "assessments": [a, *assessments[:i], *assessments[i + 1 :]]} for i, a in enumerate(assessments)]


def _same(case: dict[str, Any], lang: str) -> None:
    assert assess_one(case, lang=lang).model_dump() == assess(case, lang=lang).assessments[0].model_dump()


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_vignettes_give_the_same_result_alone_as_in_the_case(path: Path, lang: str) -> None:
    for case in _each_first(json.loads(path.read_text(encoding="utf-8"))["case"]):
        _same(case, lang)


@pytest.mark.parametrize("demo", DEMO["cases"], ids=lambda c: c["reference"].split()[0])
def test_the_demo_cases_give_the_same_result_alone_as_in_the_case(demo: dict[str, Any]) -> None:
    fields = ("checklist", "subject", "about", "answers")
    agency = {a["username"]: a["agency"] for a in DEMO["accounts"]}  # each assessment is its author's agency's
    case = {
        "context": demo["context"],
        "persons": demo["persons"],
        "assessments": [
            {**{k: a[k] for k in fields if k in a}, "agency": agency[a["by"]]} for a in demo.get("assessments", [])
        ],
    }
    for each in _each_first(case):
        _same(each, "sv")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=st.dictionaries(st.sampled_from(DV_ITEMS), st.sampled_from(["yes", "no", "unknown"])),
    level=st.none() | st.sampled_from(["low", "moderate", "high", "severe"]),
)
def test_answers_and_an_override_give_the_same_result_alone_as_in_the_case(
    answers: dict[str, str], level: str | None
) -> None:
    overrides = [{"checklist": "domestic_violence", "subject": "v1", "level": level, "reason": "samtal"}]
    case = make_case(
        assessments=[{"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": answers}],
        overrides=overrides if level else None,
    )
    _same(case, "sv")


def test_a_case_file_without_an_assessment_is_refused_by_name() -> None:
    with pytest.raises(InputError, match="assessments"):
        assess_one(make_case(assessments=[]), lang="sv")
