"""Legal duties and routes of checklists/steps.yaml and law.yaml at their edges (issue: safe advice).

Each test is a small case worked out by hand from research/swedish_law.md, collaboration.md and the
review of 2026-11-30: every duty and lawful route is suggested, and no unlawful one. The negative
cases matter as much as the positive ones: an ordinary injury is no crime with a one-year minimum,
"compulsory care may apply" is not one of the groups of OSL 25 kap. 12 §, a suspect's consent is not
the victim's, and OSL 10 kap. 18 c § allows warning the police, not sharing at a case conference.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from risk.rules import Provision, default_rules
from tests.conftest import assess_json, dv, make_case, run_cli, step_ids

ROOT = Path(__file__).resolve().parent.parent
FAMILY = [
    {"id": "v1", "role": "victim", "age": 31, "gender": "female"},
    {"id": "s1", "role": "suspect", "age": 35, "gender": "male"},
    {"id": "c1", "role": "child", "age": 4},
]
PATIENT = [{"id": "p1", "role": "other", "age": 40}]
BRUISES = {"dv.injury_current": "yes", "dv.coercive_control": "yes"}
CHOKED_AND_THREATENED = {"dv.strangulation": "yes", "dv.threat_to_kill": "yes"}
ALL_AGENCIES = ["police", "healthcare", "social_services", "victim_support"]


def step(result: dict[str, Any], step_id: str) -> dict[str, Any] | None:
    return next((s for s in result["steps"] if s["id"] == step_id), None)


def the_step(result: dict[str, Any], step_id: str) -> dict[str, Any]:
    got = step(result, step_id)
    assert got is not None, f"{step_id} not in {step_ids(result)}"
    return got


def psy(answers: dict[str, str], subject: str = "p1") -> dict[str, Any]:
    return {"checklist": "psychiatric", "subject": subject, "answers": answers}


def cw(answers: dict[str, str], subject: str = "c1") -> dict[str, Any]:
    return {"checklist": "child_welfare", "subject": subject, "answers": answers}


def ref_ids(s: dict[str, Any]) -> list[str]:
    return [r["id"] for r in s["legal_references"]]


def police_steps(result: dict[str, Any]) -> list[str]:
    return [s for s in step_ids(result) if s.startswith("police.")]


# ---- OSL 10 kap. 23 §: only crimes with a minimum of one year -----------------------------------


@pytest.mark.parametrize("context", ["emergency_department", "social_services"])
def test_an_ordinary_injury_is_no_ground_under_10_23(context):
    """Bruises after a slap: ordinary assault has no one-year minimum; only her consent opens the police."""
    result = assess_json(make_case(context, assessments=[dv({"dv.injury_current": "yes"})]))
    assert "healthcare.disclose_committed_crime" not in step_ids(result)
    assert "social_services.disclose_committed_crime" not in step_ids(result)
    assert police_steps(result) == []
    own = "healthcare" if context == "emergency_department" else "social_services"
    contact = the_step(result, f"{own}.police_contact_with_consent")
    assert (contact["consent"], ref_ids(contact)) == ("required", ["osl_12_2"])


@pytest.mark.parametrize(
    ("context", "disclose"),
    [
        ("emergency_department", "healthcare.disclose_committed_crime"),
        ("social_services", "social_services.disclose_committed_crime"),
    ],
)
def test_a_severe_injury_is_a_ground_under_10_23(context, disclose):
    """A stab wound from her partner: aggravated assault (minimum 1 year 6 months)."""
    result = assess_json(make_case(context, assessments=[dv({"dv.injury_severe": "yes"})]))
    got = the_step(result, disclose)
    assert (got["consent"], ref_ids(got), got["because"]) == ("not_required", ["osl_10_23"], ["dv.injury_severe"])
    assert "police.report_crime" in step_ids(result)
    assert not any(s.endswith("police_contact_with_consent") for s in step_ids(result))


def test_a_severe_injury_to_a_17_year_old_is_reported_under_10_21():
    persons = [{"id": "y1", "role": "victim", "age": 17}, {"id": "s1", "role": "suspect", "age": 19}]
    answers = {"dv.injury_severe": "yes"}
    result = assess_json(make_case("social_services", persons=persons, assessments=[dv(answers, subject="y1")]))
    assert ref_ids(the_step(result, "social_services.report_crime_against_child")) == ["osl_10_21"]
    assert "social_services.disclose_committed_crime" not in step_ids(result)


# ---- social services' own routes to the police ---------------------------------------------------


def test_social_services_may_report_abuse_of_a_child_to_the_police():
    result = assess_json(
        make_case("social_services", persons=FAMILY, assessments=[cw({"child.physical_abuse": "yes"})])
    )
    got = the_step(result, "social_services.report_crime_against_child")
    assert (got["consent"], got["persons"], got["own_agency"]) == ("not_required", ["c1"], True)
    assert "police.report_crime" in step_ids(result)


def test_social_services_offer_police_contact_with_consent_and_only_her_consent_counts():
    case = make_case("social_services", assessments=[dv(BRUISES)])
    assert the_step(assess_json(case), "social_services.police_contact_with_consent")["consent"] == "required"
    case["consents"] = [{"person": "s1", "to_share_with": ALL_AGENCIES}]
    his = assess_json(case)
    assert the_step(his, "social_services.police_contact_with_consent")["consent"] == "required"
    assert police_steps(his) == []
    case["consents"] = [{"person": "v1", "to_share_with": ["police"]}]
    hers = assess_json(case)
    assert the_step(hers, "social_services.police_contact_with_consent")["consent"] == "given"
    assert the_step(hers, "police.report_crime")["because"] == ["consent:v1", "dv.injury_current"]


# ---- consent only from the person the information is about ---------------------------------------


def test_the_suspects_consent_does_not_open_police_steps_about_the_victim():
    """In the ED: her bruises (DV high through a threat to kill); he is assessed too and consents to everything."""
    answers = {**BRUISES, "dv.threat_to_kill": "yes"}
    assessments = [dv(answers), psy({"psy.verbal_threats": "yes"}, subject="s1")]
    consents = [{"person": "s1", "to_share_with": ALL_AGENCIES}]
    result = assess_json(make_case("emergency_department", assessments=assessments, consents=consents))
    for about_her in ("police.report_crime", "police.protect_victim", "police.restraining_order"):
        assert about_her not in step_ids(result)
    for s in result["steps"]:
        if s["id"].startswith("police."):
            assert s["persons"] == ["s1"], s  # only what concerns him, on his own consent
    assert the_step(result, "healthcare.police_contact_with_consent")["consent"] == "required"
    # her own consent does open them
    result = assess_json(
        make_case(
            "emergency_department", assessments=assessments, consents=[{"person": "v1", "to_share_with": ["police"]}]
        )
    )
    assert {"police.report_crime", "police.protect_victim", "police.restraining_order"} <= set(step_ids(result))
    assert "consent:v1" in the_step(result, "police.protect_victim")["because"]


@pytest.mark.parametrize(
    "step_id",
    [
        "healthcare.police_contact_with_consent",
        "social_services.victim_support",
        "social_services.protected_housing",
        "police.victim_support_referral",
    ],
)
def test_a_suspects_consent_never_changes_a_victim_steps_consent_value(step_id):
    """DV severe at a case conference seen from the ED; his consent to every agency changes nothing of hers."""
    context = "police_intake" if step_id.startswith("police.") else "emergency_department"
    case = make_case(context, persons=FAMILY, assessments=[dv(CHOKED_AND_THREATENED | {"dv.escalation": "no"})])
    if step_id == "healthcare.police_contact_with_consent":
        case["assessments"] = [dv(BRUISES)]
    before = the_step(assess_json(case), step_id)
    case["consents"] = [{"person": "s1", "to_share_with": ALL_AGENCIES}]
    after = the_step(assess_json(case), step_id)
    assert before["consent"] == after["consent"] == "required"
    case["consents"] = [{"person": "v1", "to_share_with": ALL_AGENCIES}]
    assert the_step(assess_json(case), step_id)["consent"] == "given"


def test_the_perpetrator_programme_needs_his_consent_not_hers():
    case = make_case(
        "social_services", assessments=[dv(BRUISES)], consents=[{"person": "v1", "to_share_with": ALL_AGENCIES}]
    )
    assert the_step(assess_json(case), "social_services.perpetrator_programme")["consent"] == "required"
    case["consents"] = [{"person": "s1", "to_share_with": ["social_services"]}]
    assert the_step(assess_json(case), "social_services.perpetrator_programme")["consent"] == "given"


# ---- OSL 25 kap. 12 § and 26 kap. 9 §: only for their groups -------------------------------------


def test_no_25_12_for_an_adult_only_because_compulsory_care_may_apply():
    """A psychotic adult refusing care: LPT may apply, but he is not (yet) cared for under LPT."""
    answers = {"psy.psychosis_signs": "yes", "psy.refuses_needed_care": "yes"}
    result = assess_json(make_case("psychiatry", persons=PATIENT, assessments=[psy(answers)]))
    assert "compulsory_care_may_apply" in [f["id"] for f in result["flags"]]
    assert "healthcare.share_with_social_services" not in step_ids(result)
    assert "police.assist_compulsory_care" in step_ids(result)


@pytest.mark.parametrize(
    ("persons", "answers"),
    [
        (PATIENT, {"psy.substance_misuse_serious": "yes"}),
        ([{"id": "p1", "role": "other", "age": 17}], {"psy.suicide_method": "yes"}),
    ],
    ids=["ongoing_misuse", "under_18"],
)
def test_25_12_for_ongoing_misuse_and_under_18(persons, answers):
    result = assess_json(make_case("psychiatry", persons=persons, assessments=[psy(answers)]))
    got = the_step(result, "healthcare.share_with_social_services")
    assert (got["consent"], ref_ids(got)) == ("not_required", ["osl_25_12"])
    assert "social_services.share_with_healthcare" not in step_ids(result)  # the psychiatry context


def test_26_9_from_social_services_for_the_same_groups():
    case = make_case("social_services", persons=PATIENT, assessments=[psy({"psy.substance_misuse_serious": "yes"})])
    assert ref_ids(the_step(assess_json(case), "social_services.share_with_healthcare")) == ["osl_26_9"]
    case = make_case("social_services", persons=PATIENT, assessments=[psy({"psy.suicide_method": "yes"})])
    assert "social_services.share_with_healthcare" not in step_ids(assess_json(case))


# ---- OSL 10 kap. 18 c § from the perpetrator's side ----------------------------------------------


@pytest.mark.parametrize(
    ("context", "warn"),
    [("psychiatry", "healthcare.warn_future_violence"), ("social_services", "social_services.warn_future_violence")],
)
def test_a_patient_who_threatens_a_close_person_may_be_reported_under_18_c(context, warn):
    result = assess_json(make_case(context, persons=PATIENT, assessments=[psy({"psy.threatens_close_person": "yes"})]))
    got = the_step(result, warn)
    assert (got["urgency"], got["consent"], ref_ids(got)) == ("immediate", "not_required", ["osl_10_18c"])
    assert got["because"] == ["psy.threatens_close_person"]


def test_threats_not_aimed_at_a_close_person_are_no_18_c_ground():
    result = assess_json(make_case("psychiatry", persons=PATIENT, assessments=[psy({"psy.verbal_threats": "yes"})]))
    assert "healthcare.warn_future_violence" not in step_ids(result)


def test_homicide_suicide_risk_opens_18_c_even_below_dv_severe():
    """She was choked (DV high); he, assessed in psychiatry, has suicidal thoughts."""
    persons = FAMILY[:2]
    assessments = [dv({"dv.strangulation": "yes"}), psy({"psy.suicidal_thoughts": "yes"}, subject="s1")]
    result = assess_json(make_case("psychiatry", persons=persons, assessments=assessments))
    assert "homicide_suicide_risk" in [f["id"] for f in result["flags"]]
    got = the_step(result, "healthcare.warn_future_violence")
    assert "homicide_suicide_risk" in got["because"]


# ---- the physician's firearm report and the LVM report --------------------------------------------


@pytest.mark.parametrize(
    ("answers", "report"),
    [
        ({"psy.firearm_access": "yes", "psy.suicide_method": "yes"}, True),
        ({"psy.firearm_access": "yes", "psy.psychosis_signs": "yes"}, True),
        ({"psy.firearm_access": "yes", "psy.threatens_close_person": "yes"}, True),
        ({"psy.firearm_access": "yes"}, False),  # a hunter without signs of unfitness
        ({"psy.suicide_method": "yes"}, False),  # no known firearm
    ],
    ids=["suicidal", "psychotic", "threatens", "firearm_only", "no_firearm"],
)
def test_the_physician_reports_a_patient_unfit_to_hold_firearms(answers, report):
    result = assess_json(make_case("psychiatry", persons=PATIENT, assessments=[psy(answers)]))
    assert ("healthcare.firearm_unfit_report" in step_ids(result)) is report
    assert ("police.firearm_review" in step_ids(result)) is report
    if report:
        got = the_step(result, "healthcare.firearm_unfit_report")
        assert (got["urgency"], got["consent"]) == ("immediate", "not_required")
        assert ref_ids(got) == ["vapenlagen_6_6", "osl_10_28"]
        assert the_step(result, "police.firearm_review")["persons"] == ["p1"]


def test_at_police_intake_the_police_review_the_firearm_themselves():
    answers = {"psy.firearm_access": "yes", "psy.suicide_plan": "yes"}
    result = assess_json(make_case("police_intake", persons=PATIENT, assessments=[psy(answers)]))
    assert "healthcare.firearm_unfit_report" not in step_ids(result)
    assert the_step(result, "police.firearm_review")["own_agency"] is True


@pytest.mark.parametrize(
    ("context", "age", "expected"),
    [
        ("emergency_department", 40, "healthcare.compulsory_addiction_care_report"),
        ("police_intake", 40, "police.compulsory_addiction_care_report"),
        ("social_services", 40, None),  # the report would be to themselves
        ("emergency_department", 17, None),  # under 18: LVU and the concern report instead
    ],
)
def test_a_person_who_may_need_lvm_care_is_reported_to_social_services(context, age, expected):
    persons = [{"id": "p1", "role": "other", "age": age}]
    result = assess_json(
        make_case(context, persons=persons, assessments=[psy({"psy.substance_misuse_serious": "yes"})])
    )
    reports = {s for s in step_ids(result) if s.endswith("compulsory_addiction_care_report")}
    assert reports == ({expected} if expected else set())
    if expected:
        got = the_step(result, expected)
        assert (got["consent"], ref_ids(got)) == ("not_required", ["lvm_6", "osl_10_28"])


# ---- LVU: travel ban, immediate custody, police assistance ---------------------------------------


def test_a_child_at_risk_of_forced_marriage_abroad_gets_a_travel_ban_and_police_assistance():
    persons = [{"id": "m1", "role": "relative", "age": 42}, {"id": "c1", "role": "child", "age": 15}]
    answers = {"child.honour_control": "yes", "child.abduction_risk": "yes"}
    result = assess_json(make_case("social_services", persons=persons, assessments=[cw(answers)]))
    ban = the_step(result, "social_services.travel_ban")
    assert (ban["urgency"], ban["consent"], ban["persons"]) == ("immediate", "not_required", ["c1"])
    assert ref_ids(ban) == ["lvu_31a", "lvu_6"]
    assert ref_ids(the_step(result, "social_services.request_police_assistance")) == ["lvu_43"]


def test_honour_control_without_a_risk_of_travel_is_no_travel_ban():
    persons = [{"id": "c1", "role": "child", "age": 15}]
    result = assess_json(
        make_case("social_services", persons=persons, assessments=[cw({"child.honour_control": "yes"})])
    )
    assert "social_services.travel_ban" not in step_ids(result)
    assert "social_services.request_police_assistance" not in step_ids(result)


# ---- the child in sheltered housing ---------------------------------------------------------------


def test_each_child_in_sheltered_housing_is_assessed_in_their_own_right():
    result = assess_json(make_case("social_services", persons=FAMILY, assessments=[dv(CHOKED_AND_THREATENED)]))
    got = the_step(result, "social_services.child_in_protected_housing")
    assert "c1" in got["persons"]
    assert ref_ids(got) == ["sol_protected_housing", "barn_skyddat_boende"]
    assert got["consent"] == "not_required"
    assert "administrative court" in got["consent_note"]  # the route when the other guardian objects
    no_child = assess_json(make_case("social_services", assessments=[dv(CHOKED_AND_THREATENED)]))
    assert "social_services.protected_housing" in step_ids(no_child)
    assert "social_services.child_in_protected_housing" not in step_ids(no_child)


# ---- the case conference's legal basis --------------------------------------------------------


CONFERENCES = {
    "dv_strangulation": make_case("case_conference", persons=FAMILY, assessments=[dv({"dv.strangulation": "yes"})]),
    "homicide_suicide": make_case(
        "case_conference",
        persons=FAMILY,
        assessments=[
            dv({"dv.strangulation": "yes", "dv.perpetrator_suicidality": "yes"}),
            psy({"psy.suicide_plan": "yes", "psy.threatens_close_person": "yes"}, subject="s1"),
        ],
    ),
}


@pytest.mark.parametrize("name", list(CONFERENCES))
def test_18_c_is_never_a_basis_for_a_case_conference(name):
    result = assess_json(CONFERENCES[name])
    got = the_step(result, "case_conference.convene")
    cited = ref_ids(got) + [r["id"] for refs in got["legal_basis_by_agency"].values() for r in refs]
    assert "osl_10_18c" not in cited
    assert set(got["legal_basis_by_agency"]) == {"police", "healthcare", "social_services"}
    assert [r["id"] for r in got["legal_basis_by_agency"]["healthcare"]] == ["osl_12_2", "osl_25_12"]
    assert [r["id"] for r in got["legal_basis_by_agency"]["police"]] == ["osl_12_2", "osl_10_27"]
    if name == "homicide_suicide":  # 18 c is there, as the ground to warn the police
        assert "osl_10_18c" in ref_ids(the_step(result, "healthcare.warn_future_violence"))


def test_the_conference_needs_the_consent_of_each_adult_it_is_about():
    """Both are assessed at high or above: her consent alone does not cover his psychiatric information."""
    case = CONFERENCES["homicide_suicide"]
    three = ["police", "healthcare", "social_services"]
    case = {**case, "consents": [{"person": "v1", "to_share_with": three}]}
    got = the_step(assess_json(case), "case_conference.convene")
    assert set(got["persons"]) >= {"v1", "s1"}
    assert got["consent"] == "required"
    case["consents"] = [{"person": "v1", "to_share_with": three}, {"person": "s1", "to_share_with": three}]
    assert the_step(assess_json(case), "case_conference.convene")["consent"] == "given"


# ---- care steps say what decides the care -----------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_an_emergency_assessment_says_consent_or_lpt_decides_never_that_care_may_be_forced(lang):
    from risk import assess

    case = make_case("emergency_department", persons=PATIENT, assessments=[psy({"psy.suicide_plan": "yes"})])
    got = next(s for s in assess(case, lang=lang).steps if s.id == "healthcare.psychiatric_emergency_assessment")
    assert got.care_basis is not None
    assert ("samtycke" if lang == "sv" else "consent") in got.care_basis
    assert "LPT" in got.care_basis
    assert got.consent_note is not None and ("dela uppgifter" if lang == "sv" else "sharing") in got.consent_note


def test_every_care_step_has_a_care_basis():
    """A step that rests on the health care act or LPT is care: it must say what decides the care."""
    care_law = {"hsl", "lpt_4", "lpt_47"}
    for rule in default_rules().steps.steps:
        if care_law & set(rule.legal_basis):
            assert rule.care_basis is not None, rule.id


# ---- law as data you can audit -----------------------------------------------------------------


def test_every_provision_has_a_source_and_a_check_date_and_verified_means_primary():
    law = default_rules().law
    today = datetime.date.today()  # a check date is never in the future
    for p in law.provisions:
        assert p.source.strip() and p.checked.by.strip(), p.id
        assert p.checked.date <= today, p.id
        if p.verified:
            assert p.source_kind in {"statute_text", "proposition", "court_ruling"}, p.id
    assert not default_rules().provisions["sol_pre_assessment"].verified  # quoted in a specimen sheet only


def test_every_step_basis_is_a_provision_with_a_check_date():
    rules = default_rules()
    for rule in rules.steps.steps:
        for pid in [*rule.legal_basis, *(p for ids in rule.legal_basis_by_agency.values() for p in ids)]:
            assert pid in rules.provisions, (rule.id, pid)
            assert rules.provisions[pid].checked.date, (rule.id, pid)


def _provision(**change: Any) -> dict[str, Any]:
    raw = {
        "id": "x_1",
        "citation": "X 1 §",
        "title": {"sv": "x", "en": "x"},
        "paraphrase": {"sv": "x", "en": "x"},
        "verified": False,
        "source": "somewhere",
        "source_kind": "secondary",
        "checked": {"date": "2026-11-30", "by": "someone"},
    }
    raw.update(change)
    return {k: v for k, v in raw.items() if v is not None}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"verified": True}, "needs a primary source_kind"),
        ({"verified": True, "source_kind": "recalled"}, "needs a primary source_kind"),
        ({"checked": None}, "checked"),
        ({"checked": {"date": "2026-11-30"}}, "by"),
        ({"checked": {"date": "last week", "by": "someone"}}, "date"),
        ({"source": ""}, "source"),
    ],
)
def test_a_provision_record_without_a_primary_source_date_or_checker_is_refused(change, message):
    with pytest.raises(ValidationError) as err:
        Provision.model_validate(_provision(**change))
    assert message in str(err.value)
    Provision.model_validate(_provision(verified=True, source_kind="statute_text"))  # and the good one loads


# ---- `python -m risk checklists validate` refuses what cannot be audited --------------------------


def _law_without(directory: Path, provision: str, key: str) -> None:
    path = directory / "law.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for p in raw["provisions"]:
        if p["id"] == provision:
            del p[key]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize("key", ["source", "checked"])
def test_validate_fails_on_a_provision_without_source_or_check_date(tmp_checklists: Path, key: str) -> None:
    _law_without(tmp_checklists, "osl_10_23", key)
    done = run_cli("checklists", "validate", "--dir", str(tmp_checklists))
    assert done.returncode == 2, done.stdout
    assert "law.yaml" in done.stderr and "osl_10_23" in done.stderr and key in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "ok" not in done.stdout.splitlines()


def test_validate_fails_on_a_step_whose_basis_is_not_in_the_law(tmp_checklists: Path) -> None:
    path = tmp_checklists / "steps.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("legal_basis: [vapenlagen_6_6, osl_10_28]") == 1
    path.write_text(text.replace("legal_basis: [vapenlagen_6_6, osl_10_28]", "legal_basis: [vapenlagen_6_9]"))
    done = run_cli("checklists", "validate", "--dir", str(tmp_checklists))
    assert done.returncode == 2
    assert "healthcare.firearm_unfit_report" in done.stderr and "unknown provision 'vapenlagen_6_9'" in done.stderr


def test_validate_fails_on_a_verified_provision_from_a_secondary_source(tmp_checklists: Path) -> None:
    path = tmp_checklists / "law.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    target = next(p for p in raw["provisions"] if p["id"] == "osl_25_12")
    target["verified"] = True
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = run_cli("checklists", "validate", "--dir", str(tmp_checklists))
    assert done.returncode == 2
    assert "osl_25_12" in done.stderr and "primary source_kind" in done.stderr, done.stderr


def test_validate_passes_on_the_shipped_files() -> None:
    done = run_cli("checklists", "validate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "ok"
