"""Level rules only ever raise: for any answers, of any checklist, in any context."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk.checklists import Checklist, default_checklists
from risk.conditions import All, AnyOf, CountYes, YesAll, YesAny, walk
from risk.scoring import score_assessment
from risk.vocabulary import Answer, Context

CHECKLISTS = default_checklists()
WITH_RULES = sorted(name for name, cl in CHECKLISTS.items() if cl.level_rules)
WITHOUT_RULES = {name: cl.model_copy(update={"level_rules": []}) for name, cl in CHECKLISTS.items()}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def rule_items(cl: Checklist, rule_id: str) -> list[str]:
    """The items a rule names (critical counts name the checklist's critical items)."""
    rule = next(r for r in cl.level_rules if r.id == rule_id)
    names: list[str] = []
    for node in walk(rule.when):
        if isinstance(node, (YesAny, YesAll)):
            names += node.ids
        elif isinstance(node, CountYes):
            names += node.ids if node.ids is not None else sorted(cl.critical_items)
    return names


@st.composite
def answered(draw: st.DrawFn) -> tuple[str, Context, dict[str, Answer]]:
    name = draw(st.sampled_from(WITH_RULES))
    context = draw(st.sampled_from(list(Context)))
    items = list(CHECKLISTS[name].items)
    answers = draw(st.dictionaries(st.sampled_from(items), st.sampled_from(list(Answer))))
    return name, context, answers


@SETTINGS
@given(answered())
def test_the_level_with_rules_is_never_below_the_level_without(case: tuple[str, Context, dict[str, Answer]]) -> None:
    name, context, answers = case
    with_rules = score_assessment(CHECKLISTS[name], answers, context)
    without = score_assessment(WITHOUT_RULES[name], answers, context)
    assert with_rules.computed_level.rank >= without.computed_level.rank
    assert with_rules.score == without.score  # rules set levels, never points


@SETTINGS
@given(answered(), st.data())
def test_answering_a_rules_items_yes_never_lowers_the_level(
    case: tuple[str, Context, dict[str, Answer]], data: st.DataObject
) -> None:
    name, context, answers = case
    cl = CHECKLISTS[name]
    rule = data.draw(st.sampled_from(cl.level_rules))
    before = score_assessment(cl, answers, context)
    after_answers = {**answers, **dict.fromkeys(rule_items(cl, rule.id), Answer.yes)}
    after = score_assessment(cl, after_answers, context)
    assert after.computed_level.rank >= before.computed_level.rank
    if all(isinstance(n, (All, AnyOf, YesAny, YesAll, CountYes)) for n in walk(rule.when)):
        # a rule built from answers alone fires once all its items are yes
        assert f"rule:{rule.id}" in [r.rule for r in after.level_reasons]
        assert after.computed_level.rank >= rule.level.rank
