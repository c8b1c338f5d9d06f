"""Properties that must hold for every possible set of answers, whatever the checklist."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk import assess, score_frame
from risk.checklists import default_checklists
from risk.models import AssessmentResult
from risk.vocabulary import LEVEL_ORDER, Context

CHECKLISTS = default_checklists()
RANK = {lv.value: n for n, lv in enumerate(LEVEL_ORDER)}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str, dict[str, str]]:
    checklist = draw(st.sampled_from(sorted(CHECKLISTS)))
    context = draw(st.sampled_from([c.value for c in Context]))
    items = list(CHECKLISTS[checklist].items)
    answers = draw(st.dictionaries(st.sampled_from(items), st.sampled_from(["yes", "no", "unknown"])))
    return checklist, context, answers


def run(checklist: str, context: str, answers: dict[str, str]) -> AssessmentResult:
    case = {
        "context": context,
        "persons": [{"id": "p", "role": "victim", "age": 30}],
        "assessments": [{"checklist": checklist, "subject": "p", "answers": answers}],
    }
    return assess(case).assessments[0]


@SETTINGS
@given(cases(), st.data())
def test_another_yes_never_lowers_score_or_level(case: tuple[str, str, dict[str, str]], data: st.DataObject) -> None:
    checklist, context, answers = case
    not_yes = [i for i in CHECKLISTS[checklist].items if answers.get(i) != "yes"]
    if not not_yes:
        return
    item = data.draw(st.sampled_from(not_yes))
    before = run(checklist, context, answers)
    after = run(checklist, context, {**answers, item: "yes"})
    assert after.score >= before.score
    assert RANK[after.level] >= RANK[before.level]


@SETTINGS
@given(cases(), st.data())
def test_resolving_an_unknown_never_widens_the_range(
    case: tuple[str, str, dict[str, str]], data: st.DataObject
) -> None:
    checklist, context, answers = case
    open_items = [i for i, v in answers.items() if v == "unknown"]
    if not open_items:
        return
    item = data.draw(st.sampled_from(open_items))
    answer = data.draw(st.sampled_from(["yes", "no"]))
    before = run(checklist, context, answers)
    after = run(checklist, context, {**answers, item: answer})
    assert after.score >= before.score and after.score_max <= before.score_max
    assert RANK[after.level] >= RANK[before.level] and RANK[after.level_max] <= RANK[before.level_max]
    assert after.completeness > before.completeness


@SETTINGS
@given(cases())
def test_completeness_and_range_are_sane(case: tuple[str, str, dict[str, str]]) -> None:
    a = run(*case)
    assert 0 <= a.completeness <= 1
    assert 0 <= a.score <= a.score_max
    assert RANK[a.level] <= RANK[a.level_max]


@SETTINGS
@given(cases())
def test_a_critical_yes_gives_at_least_high(case: tuple[str, str, dict[str, str]]) -> None:
    checklist, context, answers = case
    a = run(checklist, context, answers)
    if any(answers.get(i) == "yes" for i in CHECKLISTS[checklist].critical_items):
        assert RANK[a.level] >= RANK["high"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(CHECKLISTS)), st.sampled_from([c.value for c in Context]), st.data())
def test_batch_equals_assess(checklist: str, context: str, data: st.DataObject) -> None:
    items = list(CHECKLISTS[checklist].items)
    rows = data.draw(
        st.lists(
            st.fixed_dictionaries({i: st.sampled_from(["yes", "no", "unknown", ""]) for i in items}),
            min_size=1,
            max_size=8,
        )
    )
    scored = score_frame(pd.DataFrame(rows, columns=items), checklist, context=context)
    for n, row in enumerate(rows):
        a = run(checklist, context, {k: v for k, v in row.items() if v})
        assert (int(scored["score"].iloc[n]), scored["level"].iloc[n]) == (a.score, a.computed_level.value)
        assert int(scored["score_max"].iloc[n]) == a.score_max
