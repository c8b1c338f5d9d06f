"""Step texts fit the case: in a case without domestic violence (a suicide-only, criminal-network-only or child
case) no step, nor the guidance linked under it, speaks of domestic violence, partners or women's shelters; with
it, the domestic-violence wording is kept where the data gives one (steps.yaml `wording`)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk import assess
from risk.checklists import default_checklists
from risk.guidance import default_library, guidance_for_step
from risk.models import Step
from risk.rules import default_rules
from risk.vocabulary import Agency, Context
from tests.conftest import ROOT

CHECKLISTS = default_checklists()
NOT_DV = [c for c in CHECKLISTS if c != "domestic_violence"]
VIGNETTES = sorted((ROOT / "tests" / "vignettes").glob("*.json"))
# Words that belong to domestic violence (violence in a close relationship), in both languages.
DV_WORDING = {
    "sv": re.compile(r"nära relation|partner|kvinno|mansjour|relationsvåld|parrelation", re.IGNORECASE),
    "en": re.compile(r"domestic|partner|intimate|close relationship|women's|men's shelter", re.IGNORECASE),
}
PERSONS = [
    {"id": "p1", "role": "victim", "age": 31},
    {"id": "y1", "role": "suspect", "age": 16},
    {"id": "c1", "role": "child", "age": 9},
    {"id": "r1", "role": "relative", "age": 62},
]


def texts(step: Step) -> list[str]:
    return [t for t in (step.action, step.consent_note, step.care_basis) if t]


def guidance_titles(step: Step, lang: str) -> list[str]:
    """The titles of the guidance linked under the step on the result page ("Kunskapsstöd: <title>")."""
    entries = default_library().entries
    return [entries[e].title(lang) for e in guidance_for_step(step.id) if e in entries]


def dv_words(case: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(language, step id, text) of every step text with domestic-violence wording in the case's result: what the
    step says and the titles of the guidance linked under it."""
    found = []
    for lang, words in DV_WORDING.items():
        for step in assess(case, lang=lang).steps:
            shown = [*texts(step), *guidance_titles(step, lang)]
            found += [(lang, step.id, text) for text in shown if words.search(text)]
    return found


def assessment(checklist: str, answers: dict[str, str], agency: str | None) -> dict[str, Any]:
    subject = "c1" if checklist == "child_welfare" else "p1"
    return {"checklist": checklist, "subject": subject, "answers": answers, **({"agency": agency} if agency else {})}


def every_yes(checklist: str) -> dict[str, str]:
    return dict.fromkeys(CHECKLISTS[checklist].items, "yes")


@pytest.mark.parametrize("context", [c.value for c in Context])
@pytest.mark.parametrize("checklist", NOT_DV)
@pytest.mark.parametrize("agency", [None, *(a.value for a in Agency)])
def test_no_domestic_violence_wording_in_a_case_without_it(context: str, checklist: str, agency: str | None) -> None:
    """Every yes (the most steps a checklist can bring), in every setting and made by every agency."""
    case = {
        "context": context,
        "persons": PERSONS,
        "assessments": [assessment(checklist, every_yes(checklist), agency)],
    }
    assert dv_words(case) == []


@pytest.mark.full  # slow: a server start or hundreds of generated cases (fast tier: tests/conftest.py)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), context=st.sampled_from([c.value for c in Context]))
def test_no_domestic_violence_wording_in_generated_cases_without_it(data: st.DataObject, context: str) -> None:
    chosen = data.draw(st.lists(st.sampled_from(NOT_DV), min_size=1, unique=True))
    assessments = []
    for checklist in chosen:
        answers = data.draw(
            st.dictionaries(
                st.sampled_from(list(CHECKLISTS[checklist].items)), st.sampled_from(["yes", "no", "unknown"])
            )
        )
        agency = data.draw(st.sampled_from([None, *(a.value for a in Agency)]))
        assessments.append(assessment(checklist, answers, agency))
    assert dv_words({"context": context, "persons": PERSONS, "assessments": assessments}) == []


@pytest.mark.parametrize("path", VIGNETTES, ids=[p.stem for p in VIGNETTES])
def test_vignettes_without_domestic_violence_have_no_such_wording(path: Any) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))["case"]
    if any(a["checklist"] == "domestic_violence" for a in case["assessments"]):
        pytest.skip("a domestic-violence case: its wording belongs there")
    assert dv_words(case) == []


def test_a_domestic_violence_case_keeps_the_domestic_violence_wording() -> None:
    """The variant is not lost: the police's crime report says that domestic violence is under public prosecution."""
    case = json.loads((ROOT / "tests" / "vignettes" / "p01_police_strangulation_children.json").read_text())["case"]
    rule = next(r for r in default_rules().steps.steps if r.id == "police.report_crime")
    for lang in ("sv", "en"):
        step = next(s for s in assess(case, lang=lang).steps if s.id == "police.report_crime")
        assert step.action == rule.wording[0].action(lang)
        assert DV_WORDING[lang].search(step.action)
        assert not DV_WORDING[lang].search(rule.action(lang))  # the default is neutral
