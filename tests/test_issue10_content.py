"""Issue 10: warning behaviours of targeted violence (lone actors, violent extremism) and sexual violence outside a
close relationship, for adults and children. Levels and floors, the steps in the contexts they belong to and not in
others, the lawful routes (and their unverified numbers marked as such), guidance links, both languages, and the
navigator's answers for the new situations."""

from __future__ import annotations

from typing import Any

import pytest

from risk import assess
from risk.checklists import default_checklists
from risk.guidance import default_library
from risk.models import Result
from risk.navigator import navigate
from risk.rules import default_rules
from risk.situations import default_navigator
from risk.vocabulary import ConsentStatus, RiskLevel

CHECKLISTS = default_checklists()
RULES = default_rules()
NEW = ("warning_behaviours", "sexual_violence")
NEW_STEPS = (
    "healthcare.sexual_assault_acute_care",
    "healthcare.warning_behaviours_consult",
    "healthcare.warning_behaviours_police_with_consent",
    "social_services.terrorism_prevention_disclosure",
    "police.lone_actor_threat_assessment",
    "police.sexual_assault_evidence",
    "any.cve_consultation",
)
TRAP18_BEHAVIOURS = {
    "wb.pathway",
    "wb.fixation",
    "wb.identification",
    "wb.novel_aggression",
    "wb.energy_burst",
    "wb.leakage",
    "wb.last_resort",
    "wb.direct_threat",
}


def run(context: str, checklist: str, answers: dict[str, str], age: int = 30, role: str = "victim") -> Result:
    case = {
        "context": context,
        "persons": [{"id": "p1", "role": role, "age": age}],
        "assessments": [{"checklist": checklist, "subject": "p1", "answers": answers}],
    }
    return assess(case, lang="en")


def steps(result: Result) -> dict[str, Any]:
    return {s.id: s for s in result.steps}


def level(checklist: str, answers: dict[str, str]) -> RiskLevel:
    return run("social_services", checklist, answers).assessments[0].level


# ---- the checklists ---------------------------------------------------------------------------------------


def test_the_warning_behaviours_are_items_of_their_own() -> None:
    items = set(CHECKLISTS["warning_behaviours"].items)
    assert TRAP18_BEHAVIOURS | {"wb.grievance_mental_ill_health", "wb.attack_imminent"} <= items
    # criminal_network keeps its own extremism item; the behaviours are not repeated there
    assert not items & set(CHECKLISTS["criminal_network"].items)


def test_every_weight_says_it_is_the_projects_judgement_not_a_validated_one() -> None:
    for name in NEW:
        for item in CHECKLISTS[name].items.values():
            assert "project" in item.evidence.lower(), item.id


def test_both_languages_are_complete_and_different() -> None:
    for name in NEW:
        cl = CHECKLISTS[name]
        for text in (cl.title, cl.description):
            assert text.sv.strip() and text.en.strip() and text.sv != text.en
        for item in cl.items.values():
            for text in (item.text, item.help.how_to_ask, item.help.what_counts):
                assert text.sv.strip() and text.en.strip() and text.sv != text.en, item.id


def test_every_guidance_link_of_the_new_items_and_steps_resolves() -> None:
    library = default_library()
    for name in NEW:
        for item in CHECKLISTS[name].items.values():
            assert item.help.guidance, item.id
            assert all(g in library.entries for g in item.help.guidance), item.id
    for sid in NEW_STEPS:
        rule = RULES.steps.rule(sid)
        assert rule is not None and rule.guidance, sid
        assert all(g in library.entries for g in rule.guidance), sid


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, RiskLevel.low),
        ({"wb.ideological_motive": "yes"}, RiskLevel.low),  # an ideology alone is no warning behaviour
        ({"wb.leakage": "yes"}, RiskLevel.moderate),  # any warning behaviour: consult now
        ({"wb.direct_threat": "yes"}, RiskLevel.moderate),
        ({"wb.fixation": "yes"}, RiskLevel.moderate),
        ({"wb.pathway": "yes"}, RiskLevel.high),  # critical: preparation sets a floor of high
        ({"wb.pathway": "yes", "wb.last_resort": "yes"}, RiskLevel.severe),
        ({"wb.pathway": "yes", "wb.leakage": "yes"}, RiskLevel.severe),
        ({"wb.attack_imminent": "yes"}, RiskLevel.severe),  # an imminent attack: severe on its own
    ],
)
def test_warning_behaviour_levels_and_floors(answers: dict[str, str], expected: RiskLevel) -> None:
    assert level("warning_behaviours", answers) is expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"sxv.within_72h": "yes", "sxv.within_10_days": "yes"}, RiskLevel.low),  # time drives steps, not risk
        ({"sxv.rape_suspected": "yes"}, RiskLevel.moderate),
        ({"sxv.strangulation": "yes"}, RiskLevel.high),
        ({"sxv.weapon_or_threat_to_kill": "yes"}, RiskLevel.high),
        ({"sxv.strangulation": "yes", "sxv.continued_threat": "yes"}, RiskLevel.severe),
        ({"sxv.weapon_or_threat_to_kill": "yes", "sxv.continued_threat": "yes"}, RiskLevel.severe),
    ],
)
def test_sexual_violence_levels_and_floors(answers: dict[str, str], expected: RiskLevel) -> None:
    assert level("sexual_violence", answers) is expected


def test_the_short_forms_ask_every_critical_item_where_a_patrol_and_an_emergency_department_meet_it() -> None:
    for name in NEW:
        cl = CHECKLISTS[name]
        for ctx in ("police_intake", "emergency_department"):
            assert cl.critical_items <= set(cl.form_items(ctx)), (name, ctx)  # type: ignore[arg-type]


# ---- sexual violence: steps -------------------------------------------------------------------------------

RECENT = {"sxv.within_72h": "yes", "sxv.within_10_days": "yes"}


def test_emergency_department_adult_acute_care_without_telling_the_police() -> None:
    got = steps(run("emergency_department", "sexual_violence", RECENT))
    care = got["healthcare.sexual_assault_acute_care"]
    assert care.urgency.value == "immediate" and "emergency contraception" in care.action
    # an adult's sexual assault with no crime of a minimum of one year known: the police only with consent
    assert "police.sexual_assault_evidence" not in got and "healthcare.disclose_committed_crime" not in got
    assert got["healthcare.police_contact_with_consent"].consent is ConsentStatus.required


def test_emergency_department_suspected_rape_may_be_told_to_the_police_under_osl_10_23() -> None:
    got = steps(run("emergency_department", "sexual_violence", {**RECENT, "sxv.rape_suspected": "yes"}))
    disclose = got["healthcare.disclose_committed_crime"]
    assert [r.id for r in disclose.legal_references] == ["osl_10_23"]
    assert disclose.consent is ConsentStatus.not_required
    assert "police.sexual_assault_evidence" in got  # the police may now know


def test_consent_to_the_police_brings_the_forensic_steps() -> None:
    case = {
        "context": "emergency_department",
        "persons": [{"id": "p1", "role": "victim", "age": 30}],
        "assessments": [{"checklist": "sexual_violence", "subject": "p1", "answers": RECENT}],
        "consents": [{"person": "p1", "to_share_with": ["police"]}],
    }
    got = steps(assess(case, lang="en"))
    evidence = got["police.sexual_assault_evidence"]
    assert [r.id for r in evidence.legal_references] == ["rattsintyg", "rb_23_1"]
    assert "paper bag" in evidence.action
    assert got["healthcare.police_contact_with_consent"].consent is ConsentStatus.given


def test_a_patrol_secures_evidence_and_records_a_crime_but_gets_no_care_steps() -> None:
    got = steps(run("police_intake", "sexual_violence", RECENT))
    assert {"police.sexual_assault_evidence", "police.report_crime"} <= set(got)
    assert "healthcare.sexual_assault_acute_care" not in got
    assert "not to wash" in got["police.sexual_assault_evidence"].action
    support = got["police.victim_support_referral"]
    assert support.consent is ConsentStatus.required and "shelter" not in support.action  # not a partner case


def test_a_child_is_reported_and_goes_through_barnahus() -> None:
    result = run("emergency_department", "sexual_violence", {"sxv.within_10_days": "yes"}, age=14)
    got = steps(result)
    assert {"healthcare.child_concern_report", "healthcare.report_crime_against_child"} <= set(got)
    assert "Barnahus" in got["healthcare.sexual_assault_acute_care"].action  # the child's wording
    assert "Barnahus" in got["police.sexual_assault_evidence"].action
    assert ("child_welfare", "p1") in [(r.checklist, r.subject) for r in result.required_checklists]
    # an adult's wording never speaks of Barnahus
    adult = steps(run("emergency_department", "sexual_violence", {"sxv.within_10_days": "yes"}))
    assert "Barnahus" not in adult["healthcare.sexual_assault_acute_care"].action


def test_a_child_is_reported_by_the_police_and_social_services_too() -> None:
    police = steps(run("police_intake", "sexual_violence", {}, age=12))
    assert "police.child_concern_report" in police
    social = steps(run("social_services", "sexual_violence", {}, age=12))
    assert {"social_services.child_protection_assessment", "social_services.report_crime_against_child"} <= set(social)


def test_the_care_step_says_what_the_time_still_allows() -> None:
    recent = steps(run("emergency_department", "sexual_violence", RECENT))["healthcare.sexual_assault_acute_care"]
    assert recent.action.startswith("Less than 72 hours")
    # time not known (or more than 72 hours): ask first, then offer what the time allows
    unknown = {"sxv.within_72h": "unknown", "sxv.rape_suspected": "yes"}
    later = steps(run("emergency_department", "sexual_violence", unknown))["healthcare.sexual_assault_acute_care"]
    assert later.action.startswith("Ask when the assault happened")


def test_a_suicide_screen_is_suggested_after_sexual_violence() -> None:
    result = run("emergency_department", "sexual_violence", RECENT)
    assert ("psychiatric", "p1") in [(r.checklist, r.subject) for r in result.suggested_checklists]


# ---- warning behaviours: steps ----------------------------------------------------------------------------


def test_in_care_a_warning_behaviour_means_consult_the_same_day_not_tell_the_police() -> None:
    got = steps(run("psychiatry", "warning_behaviours", {"wb.leakage": "yes"}, role="other"))
    assert got["healthcare.warning_behaviours_consult"].urgency.value == "same_day"
    assert not {s for s in got if s.startswith("police.")}
    assert "social_services.terrorism_prevention_disclosure" not in got
    assert "healthcare.warning_behaviours_police_with_consent" not in got  # moderate: consult first


def test_in_care_preparations_need_the_patients_consent_for_the_police() -> None:
    got = steps(run("psychiatry", "warning_behaviours", {"wb.pathway": "yes"}, role="other"))
    police = got["healthcare.warning_behaviours_police_with_consent"]
    assert police.consent is ConsentStatus.required
    assert [r.id for r in police.legal_references] == ["osl_12_2"]
    assert "27" in (police.consent_note or "")  # says the general clause does not apply to health care


def test_an_imminent_attack_means_112_and_staff_safety() -> None:
    result = run("emergency_department", "warning_behaviours", {"wb.attack_imminent": "yes"}, role="other")
    got = steps(result)
    assert got["any.alert_112"].urgency.value == "immediate"
    assert [r.id for r in got["any.alert_112"].legal_references] == ["brb_23_6"]
    assert "staff_safety" in {f.id for f in result.flags}
    assert "healthcare.warning_behaviours_police_with_consent" not in got  # 112 now, not a consent request


def test_social_services_may_tell_the_police_and_the_security_service_of_ideological_violence() -> None:
    answers = {"wb.grievance_mental_ill_health": "yes", "wb.ideological_motive": "yes"}
    got = steps(run("social_services", "warning_behaviours", answers, role="other"))
    share = got["social_services.terrorism_prevention_disclosure"]
    assert share.consent is ConsentStatus.not_required
    assert [(r.id, r.verified) for r in share.legal_references] == [("osl_terrorism_social_services", False)]
    assert "Security Service" in share.action
    assert {"police.lone_actor_threat_assessment", "any.cve_consultation"} <= set(got)


def test_without_an_ideology_social_services_has_no_terrorism_route() -> None:
    got = steps(run("social_services", "warning_behaviours", {"wb.leakage": "yes"}, role="other"))
    assert "social_services.terrorism_prevention_disclosure" not in got
    assert "police.lone_actor_threat_assessment" not in got  # the police do not know


def test_health_care_never_gets_the_social_services_terrorism_route() -> None:
    answers = {"wb.leakage": "yes", "wb.ideological_motive": "yes"}
    for ctx in ("emergency_department", "psychiatry", "primary_care"):
        got = steps(run(ctx, "warning_behaviours", answers, role="other"))
        assert "social_services.terrorism_prevention_disclosure" not in got, ctx


def test_the_police_make_a_threat_assessment_and_record_preparations_as_a_crime() -> None:
    got = steps(run("police_intake", "warning_behaviours", {"wb.pathway": "yes"}, role="suspect"))
    assert "Security Service" in got["police.lone_actor_threat_assessment"].action
    assert "police.report_crime" in got


def test_a_young_person_with_warning_behaviours_is_a_child_to_report() -> None:
    result = run("psychiatry", "warning_behaviours", {"wb.leakage": "yes"}, age=15, role="other")
    assert "healthcare.child_concern_report" in steps(result)
    assert ("child_welfare", "p1") in [(r.checklist, r.subject) for r in result.required_checklists]


# ---- law ----------------------------------------------------------------------------------------------------


def test_numbers_that_could_not_be_verified_are_marked_so() -> None:
    terror = RULES.provisions["osl_terrorism_social_services"]
    assert not terror.verified and "ej verifierat" in terror.citation
    certificate = RULES.provisions["rattsintyg"]
    assert certificate.citation.startswith("Lag (2005:225) om rättsintyg i anledning av brott")
    assert not certificate.verified  # statute text read, later amendments not checked
    # a permission, not a duty: the navigator lists it under what social services MAY do
    assert "osl_terrorism_social_services" in default_navigator().file.permissive_provisions


# ---- the navigator ----------------------------------------------------------------------------------------


def test_may_i_tell_a_child_sexually_assaulted() -> None:
    answer = navigate(
        {"agency": "healthcare", "subject_role": "victim", "age": 14, "situations": ["sexual_assault_child"]}
    )
    must = {e.step for e in answer.must}
    may = {e.step for e in answer.may}
    assert "healthcare.child_concern_report" in must
    assert "healthcare.report_crime_against_child" in may


def test_may_i_tell_an_adult_assaulted_without_consent() -> None:
    answer = navigate(
        {"agency": "healthcare", "subject_role": "victim", "age": 30, "situations": ["sexual_assault_recent"]}
    )
    assert "healthcare.sexual_assault_acute_care" in {e.step for e in answer.must}
    assert any(e.limit == "healthcare_police_needs_consent" for e in answer.may_not)
    raped = navigate(
        {"agency": "healthcare", "subject_role": "victim", "age": 30, "situations": ["rape_outside_relationship"]}
    )
    assert "healthcare.disclose_committed_crime" in {e.step for e in raped.may}


def test_may_i_tell_social_services_extremist_grievance_with_leakage() -> None:
    answer = navigate(
        {
            "agency": "social_services",
            "subject_role": "other",
            "age": 24,
            "situations": ["extremist_grievance", "leakage"],
        }
    )
    assert "social_services.terrorism_prevention_disclosure" in {e.step for e in answer.may}
    assert not any(e.limit == "social_services_police_needs_consent" for e in answer.may_not)


def test_may_i_tell_health_care_extremist_grievance_needs_consent() -> None:
    answer = navigate(
        {"agency": "healthcare", "subject_role": "other", "age": 24, "situations": ["extremist_grievance"]}
    )
    assert any(e.limit == "healthcare_police_needs_consent" for e in answer.may_not)
    imminent = navigate({"agency": "healthcare", "subject_role": "other", "age": 24, "situations": ["attack_imminent"]})
    assert "any.alert_112" in {e.step for e in imminent.must}
