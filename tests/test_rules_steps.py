"""The collaboration steps of checklists/steps.yaml at their edges.

Each test is a small case seen by a police officer, a nurse or a social worker. The expected steps
are worked out by hand from steps.yaml, flags.yaml, law.yaml and collaboration.md ("Who a step falls
on", the secrecy-breaking order for health care and social services, the step catalogue), not copied
from what the engine prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import assess_json, by_key, dv, make_case, step_ids

LAW = {
    p["id"]: p
    for p in yaml.safe_load((Path(__file__).parent.parent / "checklists" / "law.yaml").read_text(encoding="utf-8"))[
        "provisions"
    ]
}
URGENCY_RANK = {"immediate": 0, "same_day": 1, "within_week": 2, "planned": 3}

FAMILY = [
    {"id": "v1", "role": "victim", "age": 31, "gender": "female"},
    {"id": "s1", "role": "suspect", "age": 35, "gender": "male"},
    {"id": "c1", "role": "child", "age": 4},
]
# Bruises on her arms; he decides whom she may meet. No strangulation, weapon or threat to kill.
BRUISES = {"dv.injury_current": "yes", "dv.coercive_control": "yes"}
# Two critical factors: she was choked and he threatened to kill her. DV severe.
CHOKED_AND_THREATENED = {"dv.strangulation": "yes", "dv.threat_to_kill": "yes"}
# A threat to kill (critical) while the violence is escalating: severe, without strangulation.
THREAT_AND_ESCALATION = {"dv.threat_to_kill": "yes", "dv.escalation": "yes"}


def step(result: dict[str, Any], step_id: str) -> dict[str, Any] | None:
    return next((s for s in result["steps"] if s["id"] == step_id), None)


def psy(answers: dict[str, str], subject: str = "p1", **extra: Any) -> dict[str, Any]:
    return {"checklist": "psychiatric", "subject": subject, "answers": answers, **extra}


def cn(answers: dict[str, str], subject: str = "y1", **extra: Any) -> dict[str, Any]:
    return {"checklist": "criminal_network", "subject": subject, "answers": answers, **extra}


def cw(answers: dict[str, str], subject: str = "c1", **extra: Any) -> dict[str, Any]:
    return {"checklist": "child_welfare", "subject": subject, "answers": answers, **extra}


def one_person(pid: str = "p1", role: str = "other", age: int | None = 40) -> list[dict[str, Any]]:
    return [{"id": pid, "role": role, "age": age}]


# ---- who a step falls on ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("context", "concern_report"),
    [
        ("police_intake", "police.child_concern_report"),
        ("emergency_department", "healthcare.child_concern_report"),
        ("ambulance", "healthcare.child_concern_report"),
        ("dental_care", "healthcare.child_concern_report"),
        ("social_services", None),
    ],
)
def test_the_concern_report_falls_on_whoever_learned_of_the_violence(context, concern_report):
    """The same mother with bruises and a four-year-old at home, met by different agencies."""
    result = assess_json(make_case(context, persons=FAMILY, assessments=[dv(BRUISES)]))
    reports = {"police.child_concern_report", "healthcare.child_concern_report"}
    assert reports & set(step_ids(result)) == ({concern_report} if concern_report else set())
    protection = step(result, "social_services.child_protection_assessment")
    assert protection is not None
    if concern_report:
        got = step(result, concern_report)
        assert got is not None
        assert got["urgency"] == "immediate"
        assert got["consent"] == "not_required"
        assert got["because"] == ["children_in_household", "domestic_violence:v1"]
        assert got["own_agency"] is True
        assert protection["because"] == [concern_report]
    else:  # the report is already with social services: it becomes their own safety assessment
        assert protection["because"] == ["children_in_household", "domestic_violence:v1"]
        assert protection["own_agency"] is True


@pytest.mark.parametrize(
    ("agency", "concern_report"),
    [
        ("healthcare", "healthcare.child_concern_report"),
        ("police", "police.child_concern_report"),
        (None, None),  # no recorded agency: attributed to social services (conference_default_agency)
    ],
)
def test_in_a_case_conference_the_agency_that_made_the_assessment_reports(agency, concern_report):
    assessment = dv(BRUISES, **({"agency": agency} if agency else {}))
    result = assess_json(make_case("case_conference", persons=FAMILY, assessments=[assessment]))
    reports = {"police.child_concern_report", "healthcare.child_concern_report"}
    assert reports & set(step_ids(result)) == ({concern_report} if concern_report else set())
    assert "social_services.child_protection_assessment" in step_ids(result)


def test_a_network_exposed_child_without_a_known_age_is_treated_as_under_18():
    """A boy in the role child, age not given, with new phones and cash, seen at the health centre."""
    case = make_case(
        "primary_care", persons=one_person("c1", "child", None), assessments=[cn({"cn.recruitment_signs": "yes"}, "c1")]
    )
    got = step(assess_json(case), "healthcare.child_concern_report")
    assert got is not None
    assert "c1.role=child" in got["because"]


def test_a_17_year_old_strangled_by_her_boyfriend_needs_a_concern_report():
    persons = [
        {"id": "v1", "role": "victim", "age": 17, "gender": "female"},
        {"id": "s1", "role": "suspect", "age": 19, "gender": "male"},
    ]
    case = make_case("emergency_department", persons=persons, assessments=[dv({"dv.strangulation": "yes"})])
    assert "healthcare.child_concern_report" in step_ids(assess_json(case))


# ---- how health care may tell the police (collaboration.md, in order) -----------------------------


def test_adult_strangulation_in_the_ed_is_disclosed_without_consent_and_the_steps_are_sorted():
    """She was choked last night. Nothing else asked yet. No children.

    Worked out by hand: OSL 10:23 applies (strangulation, adult), so health care may disclose without
    consent and no consent-based police contact is offered; the police then know, so their steps follow.
    """
    result = assess_json(make_case("emergency_department", assessments=[dv({"dv.strangulation": "yes"})]))
    assert step_ids(result) == [
        "healthcare.ask_about_violence",  # immediate, healthcare
        "police.report_crime",  # immediate, police
        "police.protect_victim",  # immediate, police (DV high)
        "healthcare.disclose_committed_crime",  # same_day, healthcare
        "police.victim_support_referral",  # same_day, police
        "police.notify_social_services",  # same_day, police
        "case_conference.convene",  # within_week: overall high, three agencies
        "social_services.victim_support",
        "social_services.perpetrator_programme",
    ]
    disclose = step(result, "healthcare.disclose_committed_crime")
    assert disclose is not None
    assert disclose["consent"] == "not_required"
    assert disclose["legal_basis"] == ["OSL (2009:400) 10 kap. 23 §"]
    assert disclose["because"] == ["dv.strangulation"]
    assert disclose["persons"] == ["v1"]
    report = step(result, "police.report_crime")
    assert report is not None
    assert report["because"] == ["healthcare.disclose_committed_crime", "dv.strangulation"]
    assert report["own_agency"] is False


@pytest.mark.parametrize(
    ("consents", "expected"),
    [
        ([], "required"),
        ([{"person": "v1", "to_share_with": ["social_services"]}], "required"),
        ([{"person": "s1", "to_share_with": ["police"]}], "required"),  # his consent is not hers
        ([{"person": "v1", "to_share_with": ["police"]}], "given"),
        ([{"person": "v1", "to_share_with": ["social_services", "police", "victim_support"]}], "given"),
    ],
    ids=["none", "only_social_services", "suspect_consents", "victim_to_police", "victim_to_several"],
)
def test_coercive_control_alone_needs_the_victims_consent_to_contact_the_police(consents, expected):
    """He controls her money and contacts; no crime with a one-year minimum, no severe level."""
    case = make_case("emergency_department", assessments=[dv({"dv.coercive_control": "yes"})], consents=consents)
    result = assess_json(case)
    assert "healthcare.disclose_committed_crime" not in step_ids(result)
    assert "healthcare.warn_future_violence" not in step_ids(result)
    got = step(result, "healthcare.police_contact_with_consent")
    assert got is not None
    assert got["consent"] == expected
    assert got["legal_basis"] == ["OSL (2009:400) 12 kap. 2 §"]


@pytest.mark.parametrize(
    ("assessment", "age", "first_basis"),
    [
        (cn({"cn.violent_injury": "yes"}), 17, "healthcare.report_crime_against_child"),
        (cn({"cn.violent_injury": "yes"}), 18, "healthcare.disclose_committed_crime"),
        (dv({"dv.strangulation": "yes"}, subject="y1", about=None), 17, "healthcare.report_crime_against_child"),
        (dv({"dv.strangulation": "yes"}, subject="y1", about=None), 18, "healthcare.disclose_committed_crime"),
    ],
    ids=["gunshot_17", "gunshot_18", "strangled_17", "strangled_18"],
)
def test_a_crime_against_someone_under_18_is_reported_under_10_21_not_10_23(assessment, age, first_basis):
    """A young person comes in with a gunshot wound, or after being choked by a partner."""
    persons = [{"id": "y1", "role": "victim", "age": age}, {"id": "s1", "role": "suspect", "age": 20}]
    result = assess_json(make_case("emergency_department", persons=persons, assessments=[assessment]))
    bases = {"healthcare.report_crime_against_child", "healthcare.disclose_committed_crime"}
    assert bases & set(step_ids(result)) == {first_basis}
    got = step(result, first_basis)
    assert got is not None
    assert got["consent"] == "not_required"
    expected_law = "OSL (2009:400) 10 kap. 21 §" if age < 18 else "OSL (2009:400) 10 kap. 23 §"
    assert got["legal_basis"] == [expected_law]
    assert "healthcare.police_contact_with_consent" not in step_ids(result)
    assert "police.report_crime" in step_ids(result)  # the police may now be told


@pytest.mark.parametrize(
    ("answers", "dv_level", "warn", "consent_step"),
    [
        ({"dv.threat_to_kill": "yes"}, "high", False, True),
        (THREAT_AND_ESCALATION, "severe", True, False),
    ],
    ids=["threat_to_kill_high", "threat_with_escalation_severe"],
)
def test_health_care_warns_the_police_only_at_dv_severe(answers, dv_level, warn, consent_step):
    """He has threatened to kill her; at severe, 18 c (future violence) comes before asking her consent."""
    result = assess_json(make_case("emergency_department", assessments=[dv(answers)]))
    assert by_key(result)["domestic_violence:v1"]["level"] == dv_level
    assert "healthcare.disclose_committed_crime" not in step_ids(result)  # no strangulation, rape or gunshot
    assert ("healthcare.warn_future_violence" in step_ids(result)) is warn
    assert ("healthcare.police_contact_with_consent" in step_ids(result)) is consent_step
    if warn:
        got = step(result, "healthcare.warn_future_violence")
        assert got is not None
        assert (got["urgency"], got["consent"]) == ("immediate", "not_required")
        assert got["legal_basis"] == ["OSL (2009:400) 10 kap. 18 c §"]
        assert "police.protect_victim" in step_ids(result)  # the police now know


@pytest.mark.parametrize(
    ("context", "healthcare_warns", "social_services_warns"),
    [
        ("police_intake", False, False),
        ("emergency_department", True, False),
        ("psychiatry", True, False),
        ("social_services", False, True),
        ("case_conference", True, True),
    ],
)
def test_who_may_give_the_18_c_warning(context, healthcare_warns, social_services_warns):
    result = assess_json(make_case(context, assessments=[dv(CHOKED_AND_THREATENED)]))
    assert by_key(result)["domestic_violence:v1"]["level"] == "severe"
    assert ("healthcare.warn_future_violence" in step_ids(result)) is healthcare_warns
    assert ("social_services.warn_future_violence" in step_ids(result)) is social_services_warns


# ---- police steps need the police to know -------------------------------------------------------


def test_in_the_ed_without_a_disclosure_basis_or_consent_the_police_are_not_told():
    result = assess_json(make_case("emergency_department", assessments=[dv(BRUISES)]))
    assert [s for s in step_ids(result) if s.startswith("police.")] == []
    got = step(result, "healthcare.police_contact_with_consent")
    assert got is not None
    assert got["consent"] == "required"


def test_once_she_consents_to_the_police_the_police_steps_appear():
    consents = [{"person": "v1", "to_share_with": ["police"]}]
    result = assess_json(make_case("emergency_department", assessments=[dv(BRUISES)], consents=consents))
    report = step(result, "police.report_crime")
    assert report is not None
    assert report["because"] == ["consent:v1", "dv.injury_current"]
    assert report["consent"] == "not_required"
    referral = step(result, "police.victim_support_referral")
    assert referral is not None
    assert referral["consent"] == "required"  # she agreed to the police, not to victim support
    contact = step(result, "healthcare.police_contact_with_consent")
    assert contact is not None
    assert contact["consent"] == "given"


# ---- suicide ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("context", "answers", "present", "absent"),
    [
        (
            "emergency_department",
            {"psy.suicidal_thoughts": "yes"},
            ["healthcare.suicide_safety_plan"],
            ["healthcare.psychiatric_emergency_assessment", "police.suicide_emergency"],
        ),
        (
            "emergency_department",
            {"psy.suicide_method": "yes"},
            ["healthcare.psychiatric_emergency_assessment", "healthcare.suicide_safety_plan"],
            ["police.suicide_emergency"],
        ),
        (
            "emergency_department",
            {"psy.suicide_plan": "yes"},
            ["healthcare.psychiatric_emergency_assessment"],
            ["police.suicide_emergency"],  # a police step only at police intake
        ),
        (
            "police_intake",
            {"psy.suicide_method": "yes"},
            ["healthcare.psychiatric_emergency_assessment"],
            ["police.suicide_emergency"],  # suicide section high, not severe
        ),
        (
            "police_intake",
            {"psy.suicide_plan": "yes"},
            ["police.suicide_emergency", "healthcare.psychiatric_emergency_assessment"],
            [],
        ),
        (
            "police_intake",
            {"psy.suicide_attempt_recent": "yes"},
            ["police.suicide_emergency", "healthcare.psychiatric_emergency_assessment"],
            [],
        ),
    ],
    ids=["ed_thoughts", "ed_method", "ed_plan", "police_method", "police_plan", "police_recent_attempt"],
)
def test_suicide_steps_by_section_level_and_context(context, answers, present, absent):
    result = assess_json(make_case(context, persons=one_person(), assessments=[psy(answers)]))
    for s in present:
        assert s in step_ids(result)
    for s in absent:
        assert s not in step_ids(result)
    emergency = step(result, "healthcare.psychiatric_emergency_assessment")
    if emergency is not None:
        assert emergency["urgency"] == "immediate"
        assert emergency["own_agency"] is (context != "police_intake")


def test_police_suicide_emergency_fields():
    """A man on a bridge tells the officers he has planned how to do it."""
    result = assess_json(
        make_case("police_intake", persons=one_person(), assessments=[psy({"psy.suicide_plan": "yes"})])
    )
    got = step(result, "police.suicide_emergency")
    assert got is not None
    assert (got["urgency"], got["consent"], got["own_agency"]) == ("immediate", "not_required", True)
    assert got["legal_basis"] == ["Polislagen (1984:387) 2 §"]
    assert got["because"] == ["psychiatric:p1.suicide=severe", "psychiatric:p1=severe"]


@pytest.mark.parametrize(
    ("answers", "assist"),
    [
        ({"psy.psychosis_signs": "yes", "psy.verbal_threats": "yes"}, False),
        ({"psy.psychosis_signs": "yes", "psy.refuses_needed_care": "yes"}, True),
    ],
    ids=["psychosis_with_threats", "psychosis_refusing_care"],
)
def test_psychosis_leads_to_an_emergency_assessment_and_police_assist_only_under_compulsory_care(answers, assist):
    result = assess_json(make_case("psychiatry", persons=one_person(), assessments=[psy(answers)]))
    assert "healthcare.psychiatric_emergency_assessment" in step_ids(result)
    assert ("police.assist_compulsory_care" in step_ids(result)) is assist


# ---- consent values for the case conference ---------------------------------------------------


@pytest.mark.parametrize(
    ("to_share_with", "expected"),
    [
        (["police", "healthcare", "social_services"], "given"),
        (["police", "healthcare", "social_services", "victim_support"], "given"),
        (["police", "healthcare"], "required"),
        (["social_services"], "required"),
        (None, "required"),
    ],
    ids=["all_three", "all_three_and_more", "two_of_three", "one_of_three", "no_consent"],
)
def test_convening_a_case_conference_needs_her_consent_to_all_three_agencies(to_share_with, expected):
    consents = [{"person": "v1", "to_share_with": to_share_with}] if to_share_with else []
    case = make_case("case_conference", assessments=[dv({"dv.strangulation": "yes"})], consents=consents)
    result = assess_json(case)
    assert result["overall_level"] == "high"
    got = step(result, "case_conference.convene")
    assert got is not None
    assert got["consent"] == expected
    assert got["urgency"] == "within_week"
    # `not_required` is the value for steps resting on a duty or a secrecy-breaking provision:
    disclose = step(result, "healthcare.disclose_committed_crime")
    assert disclose is not None
    assert disclose["consent"] == "not_required"


def test_no_conference_below_high():
    """Escalation and a breached contact ban: 5 points, DV moderate, no combination rule. Several agencies
    have steps, but the level is too low. (Separation with stalking would be high: a DASH/MARAM cluster.)"""
    answers = {"dv.escalation": "yes", "dv.order_breach": "yes"}
    result = assess_json(make_case("case_conference", assessments=[dv(answers)]))
    assert result["overall_level"] == "moderate"
    assert "case_conference.convene" not in step_ids(result)


def test_no_conference_when_only_one_agency_has_steps():
    """A patient with a suicide method in the ED: high, but only health care has anything to do."""
    result = assess_json(
        make_case("emergency_department", persons=one_person(), assessments=[psy({"psy.suicide_method": "yes"})])
    )
    assert result["overall_level"] == "high"
    assert {s["agency"] for s in result["steps"]} == {"healthcare"}
    assert "case_conference.convene" not in step_ids(result)


# ---- steps for every agency, whatever the context -------------------------------------------------


def test_dv_severe_at_police_intake_still_lists_social_services_and_its_shelter():
    result = assess_json(make_case("police_intake", persons=FAMILY, assessments=[dv(CHOKED_AND_THREATENED)]))
    housing = step(result, "social_services.protected_housing")
    assert housing is not None
    assert housing["own_agency"] is False
    assert housing["consent"] == "required"
    assert "social_services.victim_support" in step_ids(result)
    protect = step(result, "police.protect_victim")
    assert protect is not None
    assert protect["own_agency"] is True


# ---- order, explanations and legal references ---------------------------------------------------

RICH_CASES = {
    "ed_strangulation_adult": make_case("emergency_department", assessments=[dv({"dv.strangulation": "yes"})]),
    "police_family_severe": make_case(
        "police_intake",
        persons=FAMILY,
        assessments=[dv(CHOKED_AND_THREATENED), cw({"child.witnessed_violence": "yes"})],
    ),
    "conference_homicide_suicide": make_case(
        "case_conference",
        persons=FAMILY,
        assessments=[
            dv({"dv.strangulation": "yes", "dv.perpetrator_suicidality": "yes", "dv.weapon_access": "yes"}),
            psy({"psy.suicide_plan": "yes"}, subject="s1"),
            cw({"child.witnessed_violence": "yes", "child.threats_to_child": "yes"}),
        ],
    ),
    "ed_suicide_plan": make_case(
        "emergency_department", persons=one_person(), assessments=[psy({"psy.suicide_plan": "yes"})]
    ),
    "ed_gunshot_17": make_case(
        "emergency_department", persons=one_person("y1", "victim", 17), assessments=[cn({"cn.violent_injury": "yes"})]
    ),
}


@pytest.mark.parametrize("name", list(RICH_CASES))
def test_steps_are_sorted_by_urgency_then_agency(name):
    steps = assess_json(RICH_CASES[name])["steps"]
    keys = [(URGENCY_RANK[s["urgency"]], s["agency"]) for s in steps]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    "name",
    [
        "ed_strangulation_adult",
        "police_family_severe",
        "conference_homicide_suicide",
        "ed_suicide_plan",
        "ed_gunshot_17",
    ],
)
def test_every_step_says_why(name):
    steps = assess_json(RICH_CASES[name])["steps"]
    assert steps
    assert [s["id"] for s in steps if not s["because"]] == []


@pytest.mark.parametrize("name", list(RICH_CASES))
def test_every_legal_basis_is_a_citation_of_law_yaml_with_its_verified_status(name):
    for s in assess_json(RICH_CASES[name])["steps"]:
        assert s["legal_basis"] == [r["citation"] for r in s["legal_references"]], s["id"]
        for ref in s["legal_references"]:
            assert ref["id"] in LAW, s["id"]
            assert ref["citation"] == LAW[ref["id"]]["citation"]
            assert ref["verified"] is LAW[ref["id"]]["verified"]


def test_an_unverified_paragraph_does_not_hide_the_duty():
    """The concern report's number in the new SoL is not confirmed: the step is there, marked unverified."""
    result = assess_json(make_case("police_intake", persons=FAMILY, assessments=[dv(BRUISES)]))
    got = step(result, "police.child_concern_report")
    assert got is not None
    assert got["legal_references"] == [
        {
            "id": "sol_concern_report",
            "citation": "Anmälningsskyldighet om barn som far illa (tidigare 14 kap. 1 § SoL 2001:453)",
            "verified": False,
        }
    ]
