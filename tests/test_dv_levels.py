"""Published combination rules (LAP, DASH/MARAM clusters), grouped counting, rule sources, the
form check and the population warning, each tested at its edge: fires, and does not fire one item short.

Expected levels are worked out by hand from checklists/domestic_violence.yaml: the points of the items
(separation 3, escalation 3, sexual violence 3, stalking 2, control 2, jealousy 2, unemployment 2,
stepchild 2, threats to children 2, infant 2, honour 2) against the total bands 0 low, 5 moderate,
10 high, 18 severe.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from risk import assess, score_frame
from risk.checklists import default_checklists, load_checklists
from risk.conditions import AssessmentFacts, ConditionError, Facts, PersonFacts, VectorFacts, parse_condition
from risk.errors import ChecklistError
from risk.vocabulary import Answer, PersonRole
from tests.conftest import assess_json, by_key, dv, flag_ids, make_case

DV = default_checklists()["domestic_violence"]


def yes(*items: str) -> dict[str, str]:
    return dict.fromkeys(items, "yes")


def dv_result(answers: dict[str, str], context: str = "police_intake") -> dict[str, Any]:
    return by_key(assess_json(make_case(context, assessments=[dv(answers)])))["domestic_violence:v1"]


def fired(result: dict[str, Any]) -> set[str]:
    return {r["rule"] for r in result["level_reasons"]}


# ---- grouped counting --------------------------------------------------------------------------

GROUPED = {"count_yes": {"items": ["a.one", ["a.two", "a.three"], "a.four"], "at_least": 2}}
ITEMS = ["a.one", "a.two", "a.three", "a.four"]


def holds(raw: dict[str, Any], answers: dict[str, str]) -> tuple[bool, tuple[str, ...]]:
    cond = parse_condition(raw, "answers")
    facts = Facts(
        assessment=AssessmentFacts(
            checklist="x",
            subject=PersonFacts("p", PersonRole.victim, 30),
            about=[],
            answers={k: Answer(v) for k, v in answers.items()},
            critical_items=frozenset(),
        )
    )
    got = cond.holds(facts)
    return got is not None, got.reasons if got else ()


def vector(raw: dict[str, Any], rows: list[dict[str, str]]) -> list[bool]:
    cond = parse_condition(raw, "answers")
    yes_rows = np.array([[r.get(i) == "yes" for i in ITEMS] for r in rows], dtype=bool)
    facts = VectorFacts(
        yes=yes_rows,
        item_index={i: n for n, i in enumerate(ITEMS)},
        critical=np.zeros(len(ITEMS), dtype=bool),
        section_levels={},
    )
    return [bool(x) for x in cond.vector(facts)]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (yes("a.two", "a.three"), False),  # one group, both yes: counts once
        (yes("a.one", "a.two", "a.three"), True),
        (yes("a.one", "a.four"), True),
        (yes("a.three", "a.four"), True),
        (yes("a.one"), False),
        ({}, False),
    ],
)
def test_a_list_inside_items_counts_once_in_scalar_and_vector_form(answers: dict[str, str], expected: bool) -> None:
    ok, reasons = holds(GROUPED, answers)
    assert ok is expected
    assert vector(GROUPED, [answers]) == [expected]
    if ok:
        assert set(reasons) == {i for i, a in answers.items() if a == "yes"}  # every yes is named


def test_plain_list_counting_is_unchanged() -> None:
    raw = {"count_yes": {"items": ["a.two", "a.three"], "at_least": 2}}
    assert holds(raw, yes("a.two", "a.three"))[0]
    assert vector(raw, [yes("a.two", "a.three"), yes("a.two")]) == [True, False]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["a.one", []], "non-empty list"),
        (["a.one", ["a.two", 3]], "expected an id"),
        (["a.one", ["a.one", "a.two"]], "a.one named more than once"),
        ([], "non-empty list"),
    ],
)
def test_bad_grouped_items_are_named(items: list[Any], message: str) -> None:
    with pytest.raises(ConditionError, match=message):
        parse_condition({"count_yes": {"items": items, "at_least": 1}}, "answers")


def test_the_schema_allows_groups_in_count_yes() -> None:
    from risk.conditions import CONDITION_JSON_SCHEMA

    items = CONDITION_JSON_SCHEMA["properties"]["count_yes"]["properties"]["items"]
    array = next(x for x in items["anyOf"] if x.get("type") == "array")
    assert {"type": "array", "minItems": 1, "items": {"type": "string"}} in array["items"]["anyOf"]


# ---- LAP screen-in -----------------------------------------------------------------------------

LAP_4_TO_11_NON_CRITICAL = [
    "dv.jealousy_obsession",  # question 6 (with coercive control)
    "dv.separation_recent",  # question 7
    "dv.perpetrator_unemployed",  # question 8
    "dv.stepchild",  # question 10
    "dv.stalking",  # question 11
]


def test_lap_questions_map_to_items() -> None:
    rule = next(r for r in DV.level_rules if r.id == "lap_screen_in_four_of_questions_4_to_11")
    assert rule.when.groups == [  # type: ignore[attr-defined]
        ("dv.weapon_access",),
        ("dv.strangulation",),
        ("dv.jealousy_obsession", "dv.coercive_control"),
        ("dv.separation_recent",),
        ("dv.perpetrator_unemployed",),
        ("dv.perpetrator_suicidality",),
        ("dv.stepchild",),
        ("dv.stalking",),
    ]


@pytest.mark.parametrize("question", ["dv.weapon_threat_or_use", "dv.threat_to_kill", "dv.victim_fears_lethal"])
def test_lap_any_of_questions_1_to_3_gives_high(question: str) -> None:
    got = dv_result(yes(question))
    assert got["level"] == "high"
    assert "rule:lap_screen_in_questions_1_to_3" in fired(got)
    reason = next(r for r in got["level_reasons"] if r["rule"] == "rule:lap_screen_in_questions_1_to_3")
    assert reason["because"] == [question]
    assert "Lethality" in reason["source"]


def test_lap_four_of_questions_4_to_11_gives_high_three_does_not() -> None:
    """Unemployed, a stepchild in the home, stalking, jealousy: no critical item, no cluster rule."""
    four = yes("dv.perpetrator_unemployed", "dv.stepchild", "dv.stalking", "dv.jealousy_obsession")
    got = dv_result(four)
    assert got["score"] == 8 and got["level"] == "high"
    assert "rule:lap_screen_in_four_of_questions_4_to_11" in fired(got)
    three = yes("dv.perpetrator_unemployed", "dv.stepchild", "dv.stalking")
    got = dv_result(three)
    assert got["level"] == "moderate"
    assert "rule:lap_screen_in_four_of_questions_4_to_11" not in fired(got)


def test_lap_jealousy_and_control_count_as_one_question() -> None:
    """Question 6 is one question: jealousy and control together are still three questions, not four."""
    answers = yes("dv.perpetrator_unemployed", "dv.stepchild", "dv.jealousy_obsession", "dv.coercive_control")
    got = dv_result(answers)
    assert "rule:lap_screen_in_four_of_questions_4_to_11" not in fired(got)
    assert got["score"] == 8 and got["level"] == "moderate"
    answers["dv.stalking"] = "yes"  # question 11: four questions now (no separation, so no cluster rule)
    got = dv_result(answers)
    assert "rule:lap_screen_in_four_of_questions_4_to_11" in fired(got)
    assert got["level"] == "high"


# ---- DASH/MARAM clusters -----------------------------------------------------------------------


@pytest.mark.parametrize("partner", ["dv.stalking", "dv.coercive_control", "dv.jealousy_obsession"])
def test_separation_with_stalking_control_or_jealousy_gives_high(partner: str) -> None:
    got = dv_result(yes("dv.separation_recent", partner))
    assert got["level"] == "high"
    assert "rule:separation_with_stalking_control_or_jealousy" in fired(got)
    assert dv_result(yes(partner))["level"] in ("low", "moderate")
    alone = dv_result(yes("dv.separation_recent"))
    assert alone["level"] == "low" and "rule:separation_with_stalking_control_or_jealousy" not in fired(alone)


@pytest.mark.parametrize("partner", ["dv.separation_recent", "dv.coercive_control"])
def test_sexual_violence_with_separation_or_control_gives_high(partner: str) -> None:
    got = dv_result(yes("dv.sexual_violence", partner))
    assert got["level"] == "high"
    assert "rule:sexual_violence_with_separation_or_control" in fired(got)
    short = dv_result(yes("dv.sexual_violence", "dv.stalking"))  # stalking is not control
    assert short["level"] == "moderate"
    assert "rule:sexual_violence_with_separation_or_control" not in fired(short)


def test_escalation_with_stalking_gives_high() -> None:
    got = dv_result(yes("dv.escalation", "dv.stalking"))
    assert got["score"] == 5 and got["level"] == "high"
    assert "rule:escalation_with_stalking" in fired(got)
    short = dv_result(yes("dv.escalation", "dv.order_breach"))
    assert short["level"] == "moderate" and "rule:escalation_with_stalking" not in fired(short)


def test_honour_based_control_gives_moderate() -> None:
    got = dv_result(yes("dv.honour_context"))
    assert got["score"] == 2 and got["level"] == "moderate"
    assert "rule:honour_based_control" in fired(got)
    assert dv_result({"dv.honour_context": "no"})["level"] == "low"


def test_threats_to_children_with_an_infant_give_moderate() -> None:
    got = dv_result(yes("dv.threats_to_children", "dv.pregnancy_or_infant"))
    assert got["score"] == 4 and got["level"] == "moderate"
    assert "rule:threats_to_children_with_infant" in fired(got)
    for one in ("dv.threats_to_children", "dv.pregnancy_or_infant"):
        short = dv_result(yes(one))
        assert short["level"] == "low" and "rule:threats_to_children_with_infant" not in fired(short)


def test_a_high_combination_brings_the_protection_step() -> None:
    result = assess_json(make_case("police_intake", assessments=[dv(yes("dv.separation_recent", "dv.stalking"))]))
    assert result["overall_level"] == "high"
    assert "police.protect_victim" in [s["id"] for s in result["steps"]]


# ---- sources -----------------------------------------------------------------------------------


def test_every_level_rule_of_the_dv_and_psychiatric_checklists_has_a_source() -> None:
    for name in ("domestic_violence", "psychiatric"):
        for rule in default_checklists()[name].level_rules:
            assert rule.source and rule.source.strip(), f"{name}: {rule.id}"


def test_the_source_reaches_the_result_and_bands_have_none() -> None:
    got = dv_result(yes("dv.strangulation", "dv.threat_to_kill"))
    reasons = {r["rule"]: r for r in got["level_reasons"]}
    assert "MARAM" in reasons["rule:two_critical"]["source"]
    assert reasons["critical_item"]["source"] is None


# ---- every item a rule needs is asked in every form --------------------------------------------


def test_a_rule_item_missing_from_a_form_stops_loading(tmp_checklists) -> None:  # type: ignore[no-untyped-def]
    path = tmp_checklists / "domestic_violence.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: dv.stepchild\n")
    end = text.index("    forms:\n    - short\n    - full\n", start)
    text = text[:end] + "    forms:\n    - full\n" + text[end + len("    forms:\n    - short\n    - full\n") :]
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ChecklistError) as err:
        load_checklists(tmp_checklists)
    assert any(
        "lap_screen_in_four_of_questions_4_to_11" in p and "dv.stepchild" in p and "short" in p
        for p in err.value.problems
    ), err.value.problems


@pytest.mark.parametrize("context", ["police_intake", "emergency_department", "social_services"])
def test_lap_and_the_police_questions_are_in_every_form(context: str) -> None:
    from risk.vocabulary import Context

    asked = set(DV.form_items(Context(context)))
    lap = {"dv.jealousy_obsession", "dv.perpetrator_unemployed", "dv.stepchild", "dv.stalking"}
    assert lap | {"dv.perpetrator_mental_health", "dv.perpetrator_substance"} <= asked


# ---- scalar and batch agree --------------------------------------------------------------------

RULE_CASES = [
    yes("dv.perpetrator_unemployed", "dv.stepchild", "dv.stalking", "dv.jealousy_obsession"),
    yes("dv.perpetrator_unemployed", "dv.stepchild", "dv.jealousy_obsession", "dv.coercive_control"),
    yes("dv.separation_recent", "dv.stalking"),
    yes("dv.sexual_violence", "dv.coercive_control"),
    yes("dv.escalation", "dv.stalking"),
    yes("dv.honour_context"),
    yes("dv.threats_to_children", "dv.pregnancy_or_infant"),
    yes("dv.threats_to_children"),
    {"dv.stalking": "unknown", "dv.escalation": "yes"},
]


def test_batch_scoring_agrees_with_assess_on_every_rule() -> None:
    df = pd.DataFrame(RULE_CASES)
    out = score_frame(df, "domestic_violence", context="police_intake")
    for n, answers in enumerate(RULE_CASES):
        single = dv_result(answers)
        assert out.loc[n, "level"] == single["computed_level"], answers
        assert out.loc[n, "score"] == single["score"], answers


# ---- the validated population ------------------------------------------------------------------


def population(persons: list[dict[str, Any]], answers: dict[str, str] | None = None, about: str | None = "s1") -> Any:
    case = make_case("social_services", persons=persons, assessments=[dv(answers or {}, about=about)])
    result = assess_json(case)
    return next((f for f in result["flags"] if f["id"] == "outside_validated_population"), None)


WOMAN = {"id": "v1", "role": "victim", "age": 31, "gender": "female"}
MAN = {"id": "s1", "role": "suspect", "age": 35, "gender": "male"}


def test_a_woman_abused_by_a_male_partner_is_inside_the_population() -> None:
    assert population([WOMAN, MAN]) is None


def test_a_male_victim_is_outside() -> None:
    got = population([{**WOMAN, "gender": "male"}, {**MAN, "gender": "female"}])
    assert got is not None and got["persons"] == ["v1"]
    assert got["because"][0].startswith("domestic_violence:v1: male_victim (v1.gender=male)")


def test_a_same_gender_relationship_is_outside_and_both_conditions_are_named() -> None:
    got = population([{**WOMAN, "gender": "male"}, MAN])
    assert got is not None
    assert "male_victim" in got["because"][0] and "same_gender_relationship" in got["because"][0]
    women = population([WOMAN, {**MAN, "gender": "female"}])
    assert women is not None and "same_gender_relationship (v1.gender=female=s1.gender)" in women["because"][0]
    assert "male_victim" not in women["because"][0]


def test_same_gender_needs_both_genders_known() -> None:
    assert population([WOMAN, {**MAN, "gender": "unknown"}]) is None
    assert population([WOMAN, {k: v for k, v in MAN.items() if k != "gender"}]) is None


def test_the_suspect_is_found_by_role_when_about_is_not_given() -> None:
    assert population([WOMAN, {**MAN, "gender": "female"}], about=None) is not None
    two_suspects = [WOMAN, {**MAN, "gender": "female"}, {"id": "s2", "role": "suspect", "gender": "male"}]
    assert population(two_suspects, about=None) is None  # which one the items are about is not known


@pytest.mark.parametrize(("age", "outside"), [(15, True), (16, False), (64, False), (65, True), (90, True)])
def test_age_edges(age: int, outside: bool) -> None:
    got = population([{**WOMAN, "age": age}, MAN])
    assert (got is not None) is outside
    if got is not None:
        assert f"(age {age})" in got["because"][0]
        assert ("older_victim" if age >= 65 else "younger_than_16") in got["because"][0]


def test_violence_from_a_family_member_not_a_partner_is_outside() -> None:
    got = population([WOMAN, MAN], yes("dv.family_not_partner"))
    assert got is not None and "family_not_partner (dv.family_not_partner)" in got["because"][0]
    assert population([WOMAN, MAN], {"dv.family_not_partner": "no"}) is None
    assert population([WOMAN, MAN], {"dv.family_not_partner": "unknown"}) is None


def test_the_family_item_gives_no_points() -> None:
    assert dv_result(yes("dv.family_not_partner"))["score"] == 0


def test_the_note_comes_in_the_case_language() -> None:
    case = make_case("social_services", persons=[{**WOMAN, "age": 70}, MAN], assessments=[dv({})])
    result = assess(case, lang="sv").model_dump(mode="json")
    got = next(f for f in result["flags"] if f["id"] == "outside_validated_population")
    assert "65 år eller äldre" in got["because"][0]
    assert "outside_validated_population" not in flag_ids(assess_json(make_case("social_services", [WOMAN, MAN])))


# ---- psychiatric: the ASQ items and a past attempt ----------------------------------------------


def psy_level(answers: dict[str, str]) -> str:
    persons = [{"id": "p", "role": "other", "age": 30}]
    case = make_case("emergency_department", persons=persons, assessments=[])
    case["assessments"] = [{"checklist": "psychiatric", "subject": "p", "answers": answers}]
    return str(by_key(assess_json(case))["psychiatric:p"]["sections"]["suicide"]["level"])


def test_a_past_attempt_sits_above_a_passive_wish() -> None:
    assert psy_level(yes("psy.wish_dead")) == "moderate"
    assert psy_level(yes("psy.suicide_attempt_past")) == "high"
    assert psy_level(yes("psy.better_off_dead")) == "moderate"
    assert psy_level(yes("psy.suicidal_thoughts_now")) == "severe"


def test_thoughts_right_now_and_threats_to_a_close_person_are_critical() -> None:
    psy = default_checklists()["psychiatric"]
    assert {"psy.suicidal_thoughts_now", "psy.threatens_close_person"} <= psy.critical_items
    assert "psy.better_off_dead" not in psy.critical_items


def test_a_population_limit_without_a_condition_or_with_an_unknown_item_is_named(tmp_checklists) -> None:  # type: ignore[no-untyped-def]
    path = tmp_checklists / "domestic_violence.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    subject_age_at_least: 65\n", "", 1)
    text = text.replace(
        "    answers_yes:\n    - dv.family_not_partner\n", "    answers_yes:\n    - dv.family_not_partnr\n", 1
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ChecklistError) as err:
        load_checklists(tmp_checklists)
    problems = err.value.problems
    assert any("validated_population.outside[older_victim]: give at least one condition" in p for p in problems), (
        problems
    )
    assert any("outside[family_not_partner].answers_yes: unknown item 'dv.family_not_partnr'" in p for p in problems)
