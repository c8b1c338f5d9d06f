"""Overrides and the floor (issue: safe advice): a professional may lower a level, but flags and steps that rest
on facts (strangulation, the suspect's suicidality, a critical item) do not disappear; a level set below the floor
that critical items and level rules set is kept, marked for review, and both levels are shown."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk import assess
from risk.checklists import default_checklists
from risk.models import Result
from risk.vocabulary import LEVEL_ORDER, Context, RiskLevel
from tests.conftest import make_case

CHECKLISTS = default_checklists()
DV_ITEMS = sorted(CHECKLISTS["domestic_violence"].items)
PSY_ITEMS = sorted(CHECKLISTS["psychiatric"].items)
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Reasons that name a level, or something (flag, step, agency) that may itself rest on a level.
LEVEL_KINDS = {"assessment_level", "overall", "overall_flag", "flag", "step", "agency", "below_floor"}
BELOW = "override_below_floor"


def _case(dv_answers: dict[str, str], psy_answers: dict[str, str] | None, context: str, level: str | None) -> Any:
    assessments: list[dict[str, Any]] = [
        {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": dv_answers}
    ]
    if psy_answers is not None:
        assessments.append({"checklist": "psychiatric", "subject": "s1", "answers": psy_answers})
    overrides = (
        [{"checklist": "domestic_violence", "subject": "v1", "level": level, "reason": "Judged otherwise."}]
        if level is not None
        else []
    )
    return make_case(context, assessments=assessments, overrides=overrides)


def _ids(result: Result) -> tuple[set[str], set[str]]:
    return {f.id for f in result.flags} - {BELOW}, {s.id for s in result.steps}


def test_strangulation_and_suicidal_suspect_keep_their_flags_and_steps_when_lowered() -> None:
    """Strangulation (critical: high) by a suspect whose own psychiatric assessment shows suicidality."""
    answers = {"dv.strangulation": "yes"}
    suspect = {"psy.suicidal_thoughts": "yes"}
    before = assess(_case(answers, suspect, "police_intake", None))
    after = assess(_case(answers, suspect, "police_intake", "low"))
    a = after.assessments[0]
    assert (a.computed_level, a.level, a.floor_level, a.below_floor) == ("high", "low", "high", True)
    assert "homicide_suicide_risk" in {f.id for f in after.flags}
    assert after.overall_level is RiskLevel.severe
    assert _ids(after) == _ids(before)
    assert after.flags[0].id == BELOW  # shown first
    (why,) = after.flags[0].reasons
    assert (why.kind, why.level, why.floor) == ("below_floor", "low", "high")
    assert after.flags[0].because == ["domestic_violence:v1=low<high"]
    assert before.assessments[0].below_floor is False and BELOW not in {f.id for f in before.flags}


def test_a_lowering_above_the_floor_still_counts() -> None:
    """Points alone (no critical item, no level rule) set no floor: the professional's lower level is the level."""
    answers = {"dv.coercive_control": "yes", "dv.jealousy_obsession": "yes", "dv.injury_current": "yes"}
    result = assess(_case(answers, None, "police_intake", "low"))
    a = result.assessments[0]
    assert (a.computed_level, a.level, a.floor_level, a.below_floor) == ("moderate", "low", None, False)
    assert result.overall_level is RiskLevel.low
    assert BELOW not in {f.id for f in result.flags}


def test_lowering_to_the_floor_is_not_marked() -> None:
    result = assess(_case({"dv.strangulation": "yes"}, None, "police_intake", "high"))
    assert result.assessments[0].floor_level is RiskLevel.high
    assert result.assessments[0].below_floor is False
    assert BELOW not in {f.id for f in result.flags}


def test_the_result_page_shows_both_levels_and_the_review_marker() -> None:
    from ui.labels import Catalog, describe

    result = assess(_case({"dv.strangulation": "yes"}, None, "police_intake", "low"), lang="sv")
    flag = result.flags[0]
    assert flag.id == BELOW
    words = describe(flag.reasons[0], "sv", Catalog.default({"v1": "v1"}))
    assert words == "Våld i nära relation för v1: satt till låg, under golvet hög"


@st.composite
def situations(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, str] | None, str]:
    answer = st.sampled_from(["yes", "no", "unknown"])
    dv_answers = draw(st.dictionaries(st.sampled_from(DV_ITEMS), answer, max_size=12))
    psy_answers = draw(st.none() | st.dictionaries(st.sampled_from(PSY_ITEMS), answer, max_size=8))
    context = draw(st.sampled_from([c.value for c in Context]))
    return dv_answers, psy_answers, context


@SETTINGS
@given(situations(), st.sampled_from(LEVEL_ORDER))
def test_what_rests_on_facts_survives_any_override(
    situation: tuple[dict[str, str], dict[str, str] | None, str], level: RiskLevel
) -> None:
    """Lowering to any level (raising may rightly end a step kept for lower levels: see the next test)."""
    dv_answers, psy_answers, context = situation
    before = assess(_case(dv_answers, psy_answers, context, None))
    if level.rank > before.assessments[0].computed_level.rank:
        return
    after = assess(_case(dv_answers, psy_answers, context, level.value))
    flags, steps = _ids(after)
    for flag in before.flags:
        if not {r.kind for r in flag.reasons} & LEVEL_KINDS:
            assert flag.id in flags, flag.id
    for step in before.steps:
        if not {r.kind for r in step.reasons} & LEVEL_KINDS:
            assert step.id in steps, step.id
    a = after.assessments[0]
    assert a.level is level and a.computed_level is before.assessments[0].computed_level
    floor = a.floor_level
    assert a.below_floor == (floor is not None and level.rank < floor.rank)
    assert (BELOW in {f.id for f in after.flags}) == a.below_floor
    if a.below_floor:
        assert floor is not None
        # below the floor the rules see the floor: the same flags, steps and overall level as a change to the floor
        at_floor = assess(_case(dv_answers, psy_answers, context, floor.value))
        assert _ids(after) == _ids(at_floor)
        assert after.overall_level is at_floor.overall_level
        assert after.flags[0].id == BELOW
    if floor is not None:
        assert after.overall_level.rank >= floor.rank


@SETTINGS
@given(situations(), st.sampled_from(LEVEL_ORDER))
def test_raising_still_raises(situation: tuple[dict[str, str], dict[str, str] | None, str], level: RiskLevel) -> None:
    dv_answers, psy_answers, context = situation
    before = assess(_case(dv_answers, psy_answers, context, None))
    if level.rank <= before.assessments[0].computed_level.rank:
        return
    after = assess(_case(dv_answers, psy_answers, context, level.value))
    a = after.assessments[0]
    assert a.level is level and not a.below_floor
    assert after.overall_level.rank >= level.rank
    assert BELOW not in {f.id for f in after.flags}
