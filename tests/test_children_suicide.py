"""Every child in their own right; suicide, violence and staff safety across checklists (issue: safe advice).

Hand-made cases at the edges of each new flag, required or suggested checklist and step: 17 against 18 years, a
child registered as `other` or `victim`, an 18-year-old registered as `child`, a suicide section left unknown
against one answered no. Expectations are worked out from checklists/flags.yaml and steps.yaml, the law notes
(LUL 6 §, PL 12 §, the concern report, OSL 25 kap. 12 §) and the instruments (ASQ, Brøset, PATRIARK).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk import assess
from risk.errors import InputError
from risk.vocabulary import PersonRole
from tests.conftest import assess_json, dv, flag_ids, make_case, step_ids


def person(pid: str, role: str, age: int | None = None) -> dict[str, Any]:
    return {"id": pid, "role": role, **({"age": age} if age is not None else {})}


def psy(answers: dict[str, str], subject: str = "p1", **extra: Any) -> dict[str, Any]:
    return {"checklist": "psychiatric", "subject": subject, "answers": answers, **extra}


def cw(answers: dict[str, str], subject: str) -> dict[str, Any]:
    return {"checklist": "child_welfare", "subject": subject, "answers": answers}


def cn(answers: dict[str, str], subject: str) -> dict[str, Any]:
    return {"checklist": "criminal_network", "subject": subject, "answers": answers}


def required(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(r["checklist"], r["subject"], r["rule"]) for r in result["required_checklists"]]


def suggested(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(r["checklist"], r["subject"], r["rule"]) for r in result["suggested_checklists"]]


def step(result: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in result["steps"] if s["id"] == sid)


SUICIDE_NO = {
    "psy.wish_dead": "no",
    "psy.better_off_dead": "no",
    "psy.suicidal_thoughts": "no",
    "psy.suicide_attempt_past": "no",
}

# ---- every person under 18 is a child --------------------------------------------------------------------


@pytest.mark.parametrize(("age", "child"), [(16, True), (17, True), (18, False), (19, False)])
def test_a_victim_under_18_is_a_child_whatever_her_role(age: int, child: bool) -> None:
    """A young woman strangled by her boyfriend, registered as the victim: at 17 she is a child."""
    persons = [person("v1", "victim", age), person("s1", "suspect", 20)]
    result = assess_json(make_case("police_intake", persons, [dv({"dv.strangulation": "yes"})]))
    assert ("children_in_household" in flag_ids(result)) is child
    assert ("police.child_concern_report" in step_ids(result)) is child
    want = [("child_welfare", "v1", "child_welfare_for_young_victim_of_domestic_violence")] if child else []
    assert required(result) == want


def test_a_child_registered_as_other_is_still_a_child() -> None:
    """A ten-year-old neighbour's child registered as 'other' at a police call-out."""
    persons = [person("v1", "victim", 31), person("s1", "suspect", 35), person("o1", "other", 10)]
    result = assess_json(make_case("police_intake", persons, [dv({"dv.threat_to_kill": "yes"})]))
    children = next(f for f in result["flags"] if f["id"] == "children_in_household")
    assert children["persons"] == ["o1"]
    assert required(result) == [("child_welfare", "o1", "child_welfare_for_each_child")]
    assert "police.child_concern_report" in step_ids(result)


def test_an_18_year_old_registered_as_child_is_not_a_child() -> None:
    """The family's eldest son, 18, was registered with the role child by habit."""
    persons = [person("v1", "victim", 44), person("s1", "suspect", 46), person("c1", "child", 18)]
    result = assess_json(make_case("police_intake", persons, [dv({"dv.threat_to_kill": "yes"})]))
    assert "children_in_household" not in flag_ids(result)
    assert "police.child_concern_report" not in step_ids(result)
    assert required(result) == []


def test_a_child_of_unknown_age_registered_as_child_is_a_child() -> None:
    persons = [person("v1", "victim", 31), person("s1", "suspect", 35), person("c1", "child")]
    result = assess_json(make_case("police_intake", persons, [dv({"dv.threat_to_kill": "yes"})]))
    assert required(result) == [("child_welfare", "c1", "child_welfare_for_each_child")]


@pytest.mark.parametrize(("age", "status"), [(18, "given"), (17, "required")])
def test_only_an_adult_registered_as_child_gives_consent(age: int, status: str) -> None:
    """Consent counts as given only from adults: an 18-year-old registered as child is one, a 17-year-old is not."""
    persons = [person("y1", "child", age)]
    consents = [{"person": "y1", "to_share_with": ["social_services"]}]
    case = make_case("social_services", persons, [cn({"cn.wants_exit": "yes"}, "y1")], consents=consents)
    assert step(assess_json(case), "social_services.exit_programme")["consent"] == status


def test_property_role_child_means_under_18() -> None:
    from risk.conditions import PersonFacts

    assert PersonFacts("a", PersonRole.victim, 17).has_role([PersonRole.child])
    assert not PersonFacts("b", PersonRole.child, 18).has_role([PersonRole.child])
    assert PersonFacts("c", PersonRole.child, None).is_child
    assert not PersonFacts("d", PersonRole.child, 0, unborn=True).is_child


# ---- a child mentioned in the answers but not registered ---------------------------------------------------


@pytest.mark.parametrize("item", ["dv.threats_to_children", "dv.stepchild", "dv.child_contact_conflict"])
def test_a_child_mentioned_but_not_registered_asks_for_registration_and_a_concern_report(item: str) -> None:
    result = assess_json(make_case("police_intake", assessments=[dv({item: "yes"})]))
    flag = next(f for f in result["flags"] if f["id"] == "child_not_registered")
    assert item in flag["because"]
    assert "police.child_concern_report" in step_ids(result)
    assert item in step(result, "police.child_concern_report")["because"]


def test_no_unregistered_child_finding_once_a_child_is_registered_or_when_answered_no() -> None:
    registered = make_case(
        "police_intake",
        [person("v1", "victim", 31), person("s1", "suspect", 35), person("c1", "child", 6)],
        [dv({"dv.threats_to_children": "yes"})],
    )
    assert "child_not_registered" not in flag_ids(assess_json(registered))
    answered_no = make_case("police_intake", assessments=[dv({"dv.threats_to_children": "no", "dv.stepchild": "no"})])
    result = assess_json(answered_no)
    assert "child_not_registered" not in flag_ids(result)
    assert "police.child_concern_report" not in step_ids(result)


def test_in_care_the_concern_report_falls_on_health_care() -> None:
    result = assess_json(make_case("emergency_department", assessments=[dv({"dv.threats_to_children": "yes"})]))
    assert "healthcare.child_concern_report" in step_ids(result)
    assert "police.child_concern_report" not in step_ids(result)


def test_pregnant_or_infant_asks_for_registration_but_reports_no_unborn_child() -> None:
    """'Pregnant or a child under one' cannot tell a pregnancy from an infant: register, do not report yet."""
    result = assess_json(make_case("police_intake", assessments=[dv({"dv.pregnancy_or_infant": "yes"})]))
    assert "child_not_registered" in flag_ids(result)
    assert "police.child_concern_report" not in step_ids(result)


# ---- the unborn child -------------------------------------------------------------------------------------


def unborn_case(context: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
    persons = [person("v1", "victim", 27), person("s1", "suspect", 30), person("u1", "child", 0)]
    return make_case(
        context,
        persons,
        [dv({"dv.pregnancy_or_infant": "yes"}), cw({"child.unborn": "yes", **(extra or {})}, "u1")],
    )


@pytest.mark.parametrize(
    ("context", "route", "no_report"),
    [
        ("police_intake", "police.unborn_child_support", "police.child_concern_report"),
        ("emergency_department", "healthcare.unborn_child_support", "healthcare.child_concern_report"),
    ],
)
def test_an_unborn_child_gets_the_lawful_route_not_a_mandatory_concern_report(
    context: str, route: str, no_report: str
) -> None:
    result = assess_json(unborn_case(context))
    assert no_report not in step_ids(result)
    assert {"unborn_child"} <= set(flag_ids(result))
    assert {"children_in_household", "child_not_registered"}.isdisjoint(flag_ids(result))
    got = step(result, route)
    assert got["consent"] == "required"
    if route.startswith("healthcare"):
        assert [r["id"] for r in got["legal_references"]] == ["osl_12_2", "osl_25_12"]
    assert required(result) == []


def test_a_born_sibling_still_gets_the_concern_report_beside_the_unborn_child() -> None:
    case = unborn_case("police_intake")
    case["persons"].append(person("c1", "child", 3))
    result = assess_json(case)
    report = step(result, "police.child_concern_report")
    assert "c1" in report["persons"] and "u1" not in report["persons"]
    assert required(result) == [("child_welfare", "c1", "child_welfare_for_each_child")]


def test_an_unborn_child_at_a_high_level_is_still_no_mandatory_report() -> None:
    result = assess_json(unborn_case("police_intake", {"child.caregiver_substance": "yes", "child.neglect": "no"}))
    assert "police.child_concern_report" not in step_ids(result)


# ---- a suspect under 18 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("age", "young"), [(15, True), (17, True), (18, False)])
def test_a_suspect_under_18_notifies_guardian_and_social_services_and_is_assessed_himself(
    age: int, young: bool
) -> None:
    """A 17-year-old hits his girlfriend; the police take the report."""
    persons = [person("v1", "victim", 19), person("s1", "suspect", age)]
    result = assess_json(make_case("police_intake", persons, [dv({"dv.injury_current": "yes"})]))
    assert ("police.youth_suspect_notification" in step_ids(result)) is young
    assert ("police.child_concern_report" in step_ids(result)) is young
    want = [("child_welfare", "s1", "child_welfare_for_young_suspect")] if young else []
    assert required(result) == want


def test_a_young_suspect_in_a_psychiatric_assessment_also_gets_a_concern_report() -> None:
    persons = [person("s1", "suspect", 16)]
    result = assess_json(make_case("police_intake", persons, [psy({"psy.verbal_threats": "yes"}, "s1")]))
    assert {"police.youth_suspect_notification", "police.child_concern_report"} <= set(step_ids(result))
    assert "lul_6" in [r["id"] for r in step(result, "police.youth_suspect_notification")["legal_references"]]


# ---- a child found in a criminal setting ------------------------------------------------------------------


@pytest.mark.parametrize(("age", "taken"), [(14, True), (17, True), (18, False)])
def test_a_child_found_in_a_criminal_setting_is_taken_into_care(age: int, taken: bool) -> None:
    """A boy is found guarding a drug stash at night."""
    persons = [person("y1", "other", age)]
    result = assess_json(make_case("police_intake", persons, [cn({"cn.involvement": "yes"}, "y1")]))
    assert ("police.take_child_into_care" in step_ids(result)) is taken
    if taken:
        assert [r["id"] for r in step(result, "police.take_child_into_care")["legal_references"]] == ["pl_12"]


def test_child_criminal_exploitation_is_a_criminal_setting() -> None:
    persons = [person("c1", "child", 13)]
    result = assess_json(make_case("police_intake", persons, [cw({"child.criminal_exploitation": "yes"}, "c1")]))
    assert "police.take_child_into_care" in step_ids(result)


# ---- suicide ---------------------------------------------------------------------------------------------


def test_a_suicide_section_left_unknown_is_not_a_negative_screen() -> None:
    """A man brought in drunk will not answer the suicide questions (ASQ: refusal is a positive screen)."""
    persons = [person("p1", "other", 40)]
    unknown = {**SUICIDE_NO, "psy.wish_dead": "unknown", "psy.suicidal_thoughts": "unknown"}
    result = assess_json(make_case("emergency_department", persons, [psy(unknown)]))
    got = step(result, "any.urgent_suicide_assessment")
    assert got["urgency"] == "immediate"
    assert "psy.wish_dead=unknown" in got["because"]
    answered_no = assess_json(make_case("emergency_department", persons, [psy(SUICIDE_NO)]))
    assert "any.urgent_suicide_assessment" not in step_ids(answered_no)


def test_one_unknown_after_a_positive_wish_still_calls_for_the_urgent_assessment() -> None:
    persons = [person("p1", "other", 40)]
    answers = {**SUICIDE_NO, "psy.wish_dead": "yes", "psy.suicide_method": "unknown"}
    result = assess_json(make_case("police_intake", persons, [psy(answers)]))
    assert {"any.urgent_suicide_assessment", "healthcare.suicide_safety_plan"} <= set(step_ids(result))


def test_no_urgent_assessment_step_once_suicide_is_already_high() -> None:
    persons = [person("p1", "other", 40)]
    answers = {"psy.suicide_method": "yes", "psy.suicide_plan": "unknown"}
    result = assess_json(make_case("emergency_department", persons, [psy(answers)]))
    assert "any.urgent_suicide_assessment" not in step_ids(result)
    assert "healthcare.psychiatric_emergency_assessment" in step_ids(result)


@pytest.mark.parametrize(
    ("answers", "watch"),
    [
        ({"psy.suicidal_thoughts": "yes"}, False),  # moderate
        ({"psy.suicide_method": "yes"}, True),  # high
        ({"psy.suicidal_thoughts_now": "yes"}, True),  # ASQ acuity: severe
    ],
)
def test_police_get_their_own_step_at_suicide_level_high(answers: dict[str, str], watch: bool) -> None:
    persons = [person("p1", "suspect", 30)]
    result = assess_json(make_case("police_intake", persons, [psy(answers)]))
    assert ("police.suicide_watch" in step_ids(result)) is watch


def test_the_police_suicide_watch_is_not_suggested_from_a_care_assessment() -> None:
    persons = [person("p1", "other", 30)]
    result = assess_json(make_case("emergency_department", persons, [psy({"psy.suicide_method": "yes"})]))
    assert "police.suicide_watch" not in step_ids(result)


def test_domestic_violence_suggests_a_suicide_screen_of_victim_and_suspect() -> None:
    result = assess_json(make_case("police_intake", assessments=[dv({"dv.threat_to_kill": "yes"})]))
    assert suggested(result) == [
        ("psychiatric", "v1", "suicide_screen_for_victim_of_domestic_violence"),
        ("psychiatric", "s1", "suicide_screen_for_suspect_of_domestic_violence"),
    ]
    assert required(result) == []  # suggested, not required: no missing-assessment finding
    assert "child_assessment_missing" not in flag_ids(result)


def test_no_suicide_screen_suggested_once_it_is_done() -> None:
    case = make_case(
        "police_intake",
        assessments=[dv({"dv.threat_to_kill": "yes"}), psy(SUICIDE_NO, "v1"), psy(SUICIDE_NO, "s1")],
    )
    assert suggested(assess_json(case)) == []


def test_without_about_every_registered_suspect_gets_the_suggested_screen() -> None:
    persons = [person("v1", "victim", 31), person("s1", "suspect", 35), person("s2", "suspect", 60)]
    result = assess_json(make_case("police_intake", persons, [dv({"dv.stalking": "yes"}, about=None)]))
    assert [s[1] for s in suggested(result)] == ["v1", "s1", "s2"]


@pytest.mark.parametrize(("role", "age", "asked"), [("other", 40, True), ("victim", 16, True), ("other", 15, False)])
def test_a_suicide_screen_suggests_asking_about_violence(role: str, age: int, asked: bool) -> None:
    persons = [person("p1", role, age)]
    result = assess_json(make_case("emergency_department", persons, [psy({"psy.wish_dead": "yes"})]))
    want = [("domestic_violence", "p1", "violence_asked_after_suicide_screen")] if asked else []
    assert [s for s in suggested(result) if s[0] == "domestic_violence"] == want
    assert "healthcare.ask_about_violence" in step_ids(result)


def test_a_suicide_screen_of_the_suspect_does_not_suggest_asking_him_about_violence_against_him() -> None:
    persons = [person("v1", "victim", 31), person("s1", "suspect", 35)]
    case = make_case("police_intake", persons, [dv({"dv.stalking": "yes"}), psy(SUICIDE_NO, "s1")])
    assert [s for s in suggested(assess_json(case)) if s[0] == "domestic_violence"] == []


# ---- Brøset, staff safety and honour-based violence -------------------------------------------------------


@pytest.mark.parametrize(("behaviours", "plan"), [(2, False), (3, True)])
def test_broset_high_suggests_a_plan_for_an_attack(behaviours: int, plan: bool) -> None:
    items = ["psy.confusion", "psy.irritability", "psy.boisterous", "psy.verbal_threats"]
    answers = {i: ("yes" if n < behaviours else "no") for n, i in enumerate(items)}
    result = assess_json(make_case("psychiatry", [person("p1", "other", 35)], [psy(answers)]))
    assert ("any.violence_management_plan" in step_ids(result)) is plan


@pytest.mark.parametrize(("context", "protect"), [("emergency_department", True), ("police_intake", False)])
def test_a_suspect_who_may_seek_the_victim_at_care_suggests_secrecy_marking(context: str, protect: bool) -> None:
    result = assess_json(make_case(context, assessments=[dv({"dv.seeks_victim_at_care": "yes"})]))
    assert ("healthcare.protect_patient_whereabouts" in step_ids(result)) is protect
    assert ("staff_safety" in flag_ids(result)) is protect
    if protect:
        refs = [r["id"] for r in step(result, "healthcare.protect_patient_whereabouts")["legal_references"]]
        assert "osl_25_1" in refs


def test_honour_based_violence_gives_care_and_social_services_their_steps() -> None:
    result = assess_json(make_case("emergency_department", assessments=[dv({"dv.honour_context": "yes"})]))
    assert {"healthcare.honour_related_violence", "social_services.honour_related_risk_assessment"} <= set(
        step_ids(result)
    )
    police = assess_json(make_case("police_intake", assessments=[dv({"dv.honour_context": "no"})]))
    assert "social_services.honour_related_risk_assessment" not in step_ids(police)


# ---- one domestic-violence assessment per perpetrator (about) -------------------------------------------


HONOUR = [person("v1", "victim", 19), person("s1", "suspect", 52), person("s2", "suspect", 23)]


def test_one_assessment_per_perpetrator_is_allowed_and_named_by_whom() -> None:
    case = make_case(
        "police_intake",
        HONOUR,
        [dv({"dv.threat_to_kill": "yes"}, about="s1"), dv({"dv.stalking": "yes"}, about="s2")],
    )
    result = assess_json(case)
    assert [(a["about"], a["computed_level"]) for a in result["assessments"]] == [("s1", "high"), ("s2", "low")]
    assert step(result, "police.protect_victim")["because"] == ["domestic_violence:v1/s1=high"]


def test_two_assessments_about_the_same_perpetrator_are_refused() -> None:
    case = make_case("police_intake", HONOUR, [dv({}, about="s1"), dv({}, about="s1")])
    with pytest.raises(InputError, match="for each person it is about"):
        assess(case)


def test_an_override_names_the_perpetrator_where_there_are_several() -> None:
    assessments = [dv({"dv.threat_to_kill": "yes"}, about="s1"), dv({"dv.stalking": "yes"}, about="s2")]
    override = {"checklist": "domestic_violence", "subject": "v1", "level": "severe", "reason": "He has a knife."}
    with pytest.raises(InputError, match="more than one person; say which"):
        assess(make_case("police_intake", HONOUR, assessments, overrides=[override]))
    result = assess_json(make_case("police_intake", HONOUR, assessments, overrides=[{**override, "about": "s2"}]))
    assert [(a["about"], a["level"]) for a in result["assessments"]] == [("s1", "high"), ("s2", "severe")]
    with pytest.raises(InputError, match="about 's3'"):
        assess(make_case("police_intake", HONOUR, assessments, overrides=[{**override, "about": "s3"}]))


def test_about_is_no_key_for_a_checklist_without_an_about_role() -> None:
    persons = [person("p1", "other", 40), person("p2", "other", 41)]
    case = make_case("psychiatry", persons, [psy({}, about="p2"), {**psy({}), "about": None}])
    case["assessments"][1].pop("about")
    with pytest.raises(InputError, match="a second psychiatric assessment of p1"):
        assess(case)


# ---- property: every person under 18 gets a child-welfare checklist ---------------------------------------

ROLES = [r.value for r in PersonRole]


@st.composite
def young_cases(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 4))
    persons = [
        {"id": f"p{i}", "role": draw(st.sampled_from(ROLES)), "age": draw(st.none() | st.integers(0, 30))}
        for i in range(n)
    ]
    for p in persons:
        if p["age"] is None:
            del p["age"]
    checklists = ["domestic_violence", "psychiatric", "criminal_network", "child_welfare"]
    assessments = []
    for p in persons:
        for cl in draw(st.lists(st.sampled_from(checklists), unique=True, max_size=2)):
            assessments.append({"checklist": cl, "subject": p["id"], "answers": {}})
    context = draw(st.sampled_from(["police_intake", "emergency_department", "social_services", "case_conference"]))
    return make_case(context, persons, assessments)


@pytest.mark.full  # slow: a server start or hundreds of generated cases (fast tier: tests/conftest.py)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(young_cases())
def test_property_every_person_under_18_gets_a_child_welfare_checklist(case: dict[str, Any]) -> None:
    result = assess_json(case)
    have = {a["subject"] for a in result["assessments"] if a["checklist"] == "child_welfare"}
    need = {r["subject"] for r in result["required_checklists"] if r["checklist"] == "child_welfare"}
    for p in case["persons"]:
        young = p.get("age", 0 if p["role"] == "child" else 99) < 18
        assert (p["id"] in have | need) or not young, p
        if p.get("age", 0) >= 18:
            assert p["id"] not in need, p  # an adult, whatever the role, is never required a child checklist


def test_a_misspelt_unborn_item_or_selector_checklist_stops_loading(tmp_checklists: Any) -> None:
    from risk.errors import ChecklistError
    from risk.rules import load_rules

    flags = tmp_checklists / "flags.yaml"
    text = flags.read_text(encoding="utf-8")
    text = text.replace("unborn_item: child.unborn", "unborn_item: child.unbron")
    text = text.replace("about_of: domestic_violence", "about_of: domestic_violense")
    flags.write_text(text, encoding="utf-8")
    with pytest.raises(ChecklistError) as err:
        load_rules(tmp_checklists)
    assert "flags.yaml: unborn_item: unknown item 'child.unbron'" in err.value.problems
    assert any("for_each_person.about_of: unknown checklist 'domestic_violense'" in p for p in err.value.problems)


def test_the_unknown_operator_names_an_unknown_item_at_load() -> None:
    from risk.conditions import ConditionError, parse_condition
    from risk.errors import ChecklistError

    cond = parse_condition({"unknown": ["psy.wish_dead"]}, "answers")
    assert cond is not None
    with pytest.raises((ConditionError, ChecklistError, ValueError)):
        parse_condition({"unknown": []}, "answers")


@pytest.mark.parametrize(("age", "report"), [(17, True), (18, False)])
def test_a_suicidal_young_person_gets_a_concern_report_whatever_the_role(age: int, report: bool) -> None:
    """A 17-year-old registered as 'other' has a suicide plan: a child at serious risk, so concern is reported."""
    persons = [person("p1", "other", age)]
    result = assess_json(make_case("emergency_department", persons, [psy({"psy.suicide_plan": "yes"})]))
    assert ("healthcare.child_concern_report" in step_ids(result)) is report
