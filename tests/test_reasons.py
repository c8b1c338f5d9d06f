"""Structured reasons and their string form: for every level reason, flag, step and the overall level, `because`
is exactly the `code` of each structured reason, in order, and every operator gives structure (no kind `other`)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk import assess
from risk.checklists import default_checklists
from risk.conditions import Because
from risk.models import Reason, Result
from risk.vocabulary import Context, RiskLevel
from tests.conftest import ROOT

CHECKLISTS = default_checklists()
VIGNETTES = [json.loads(p.read_text())["case"] for p in sorted((ROOT / "tests" / "vignettes").glob("*.json"))]


def _pairs(result: Result) -> list[tuple[str, list[str], list[Reason]]]:
    out = [("overall", result.overall_because, result.overall_reasons)]
    out += [(f"flag {f.id}", f.because, f.reasons) for f in result.flags]
    out += [(f"step {s.id}", s.because, s.reasons) for s in result.steps]
    for a in result.assessments:
        out += [(f"{a.checklist}:{a.subject} {r.rule}", r.because, r.reasons) for r in a.level_reasons]
    return out


def _check(result: Result) -> None:
    for where, because, reasons in _pairs(result):
        assert list(dict.fromkeys(r.code for r in reasons)) == because, where
        assert [r for r in reasons if r.kind == "other"] == [], where


def test_every_vignette() -> None:
    for case in VIGNETTES:
        for lang in ("sv", "en"):
            _check(assess(case, lang=lang))


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    answer = st.sampled_from(["yes", "no", "unknown"])

    def answers(checklist: str) -> dict[str, str]:
        return draw(st.dictionaries(st.sampled_from(sorted(CHECKLISTS[checklist].items)), answer, max_size=10))

    child_age = draw(st.none() | st.integers(0, 17))
    persons = [
        {"id": "v1", "role": "victim", "age": draw(st.integers(12, 80))},
        {"id": "s1", "role": "suspect", "age": draw(st.integers(12, 80))},
        {"id": "c1", "role": "child", **({"age": child_age} if child_age is not None else {})},
    ]
    assessments: list[dict[str, Any]] = [
        {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": answers("domestic_violence")}
    ]
    if draw(st.booleans()):
        assessments.append({"checklist": "psychiatric", "subject": "s1", "answers": answers("psychiatric")})
    if draw(st.booleans()):
        assessments.append({"checklist": "child_welfare", "subject": "c1", "answers": answers("child_welfare")})
    overrides = []
    if draw(st.booleans()):
        level = draw(st.sampled_from([lv.value for lv in RiskLevel]))
        overrides.append({"checklist": "domestic_violence", "subject": "v1", "level": level, "reason": "Bedömt."})
    consents = (
        [{"person": "v1", "to_share_with": draw(st.lists(st.sampled_from(["social_services", "police"]), min_size=1))}]
        if draw(st.booleans())
        else []
    )
    return {
        "context": draw(st.sampled_from([c.value for c in Context])),
        "persons": persons,
        "assessments": assessments,
        "overrides": overrides,
        "consents": consents,
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_strings_are_the_codes_of_the_structured_reasons(case: dict[str, Any]) -> None:
    _check(assess(case))


def test_the_older_constructor_still_works_and_gives_kind_other() -> None:
    """Operators written with Because(reasons=(...)) keep their strings; pages show them as ids."""
    old = Because(("x.some_item",), ("v1",))
    new = Because.of(Reason(kind="consent", person="v1"), persons=("v1",))
    both = old | new
    assert both.reasons == ("x.some_item", "consent:v1")
    assert both.persons == ("v1",)
    assert [(r.kind, r.code) for r in both.structured()] == [("other", "x.some_item"), ("consent", "consent:v1")]
