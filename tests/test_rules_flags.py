"""Every flag of checklists/flags.yaml, raised and not raised just across its edge.

Each test is a small case a police officer, nurse or social worker would recognise. The expected
outcome is worked out by hand from the rule data (flags.yaml, the checklist YAMLs) and from
vocabulary.md's "Flags" table, not copied from what the engine prints.

Numbers used below (checklists/domestic_violence.yaml): the short form (police intake and the care
contexts) asks 25 items, 7 of them critical; the full form (social services, case conference) asks
all 32. Completeness is the share of the form's items answered yes or no.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import assess_json, by_key, dv, flag_ids, make_case

DV_CRITICAL = [
    "dv.strangulation",
    "dv.threat_to_kill",
    "dv.weapon_threat_or_use",
    "dv.weapon_access",
    "dv.victim_fears_lethal",
    "dv.perpetrator_suicidality",
    "dv.injury_severe",
]
DV_SHORT_OTHER = [
    "dv.separation_recent",
    "dv.escalation",
    "dv.stalking",
    "dv.sexual_violence",
    "dv.coercive_control",
    "dv.order_breach",
    "dv.threats_to_children",
    "dv.injury_current",
    "dv.pregnancy_or_infant",
    "dv.honour_context",
    "dv.seeks_victim_at_care",
    "dv.victim_depression_suicidal",
    "dv.family_not_partner",
    "dv.jealousy_obsession",
    "dv.perpetrator_unemployed",
    "dv.stepchild",
    "dv.perpetrator_mental_health",
    "dv.perpetrator_substance",
]
DV_SHORT = DV_CRITICAL + DV_SHORT_OTHER
DV_FULL = 32  # items of the full form
CARE_CONTEXTS = [
    "emergency_department",
    "ambulance",
    "primary_care",
    "dental_care",
    "psychiatry",
    "child_adolescent_psychiatry",
    "antenatal_child_health",
    "addiction_care",
]

FAMILY = [
    {"id": "v1", "role": "victim", "age": 31, "gender": "female"},
    {"id": "s1", "role": "suspect", "age": 35, "gender": "male"},
    {"id": "c1", "role": "child", "age": 4},
    {"id": "c2", "role": "child", "age": 9},
]


def flag(result: dict[str, Any], flag_id: str) -> dict[str, Any] | None:
    return next((f for f in result["flags"] if f["id"] == flag_id), None)


def all_no(items: list[str], **changes: str) -> dict[str, str]:
    answers = dict.fromkeys(items, "no")
    answers.update({k.replace("__", "."): v for k, v in changes.items()})
    return answers


def psy(answers: dict[str, str], subject: str = "s1", **extra: Any) -> dict[str, Any]:
    return {"checklist": "psychiatric", "subject": subject, "answers": answers, **extra}


def cw(answers: dict[str, str], subject: str = "c1", **extra: Any) -> dict[str, Any]:
    return {"checklist": "child_welfare", "subject": subject, "answers": answers, **extra}


def cn(answers: dict[str, str], subject: str = "y1", **extra: Any) -> dict[str, Any]:
    return {"checklist": "criminal_network", "subject": subject, "answers": answers, **extra}


# ---- insufficient_information ------------------------------------------------------------------


HALF = (len(DV_SHORT) + 1) // 2  # the fewest answers that fill half of the short form


def test_half_of_the_short_form_answered_is_enough():
    """An officer asks all the critical questions (all no) and a few more: half the short form."""
    answers = all_no(DV_SHORT[:HALF])
    result = assess_json(make_case("police_intake", assessments=[dv(answers)]))
    assert by_key(result)["domestic_violence:v1"]["completeness"] == round(HALF / len(DV_SHORT), 4) >= 0.5
    assert "insufficient_information" not in flag_ids(result)


def test_just_under_half_answered_is_insufficient():
    """One question fewer: just below one half."""
    answers = all_no(DV_SHORT[: HALF - 1])
    result = assess_json(make_case("police_intake", assessments=[dv(answers)]))
    share = (HALF - 1) / len(DV_SHORT)
    assert share < 0.5
    assert by_key(result)["domestic_violence:v1"]["completeness"] == round(share, 4)
    got = flag(result, "insufficient_information")
    assert got is not None
    assert got["because"] == [f"domestic_violence:v1.completeness={share:.2f}"]
    assert got["persons"] == ["v1"]


def test_an_unknown_answer_does_not_count_as_answered():
    """Half the questions asked, but she does not know whether the violence is escalating."""
    answers = all_no([i for i in DV_SHORT[:HALF] if i != "dv.escalation"], dv__escalation="unknown")
    assert "dv.escalation" in DV_SHORT[:HALF]
    result = assess_json(make_case("police_intake", assessments=[dv(answers)]))
    assert by_key(result)["domestic_violence:v1"]["completeness"] == round((HALF - 1) / len(DV_SHORT), 4)
    assert "insufficient_information" in flag_ids(result)


def test_the_same_answers_are_too_few_for_the_social_workers_full_form():
    """The answers that fill half of the police short form are far fewer than half of the full form."""
    answers = all_no(DV_SHORT[:HALF])
    result = assess_json(make_case("social_services", assessments=[dv(answers)]))
    assert by_key(result)["domestic_violence:v1"]["form"] == "full"
    assert by_key(result)["domestic_violence:v1"]["completeness"] == round(HALF / DV_FULL, 4)
    assert "insufficient_information" in flag_ids(result)


def test_one_critical_item_unknown_is_insufficient_however_complete_the_form():
    """Every short-form question answered, but she cannot say whether he choked her (she blacked out)."""
    answers = all_no(DV_SHORT, dv__strangulation="unknown")
    result = assess_json(make_case("emergency_department", assessments=[dv(answers)]))
    assert by_key(result)["domestic_violence:v1"]["completeness"] == round(1 - 1 / len(DV_SHORT), 4)
    got = flag(result, "insufficient_information")
    assert got is not None
    assert got["because"] == ["dv.strangulation"]
    assert got["persons"] == ["v1"]


def test_one_critical_item_not_asked_is_insufficient():
    """The officer forgot to ask about access to firearms; everything else is answered no."""
    answers = all_no([i for i in DV_SHORT if i != "dv.weapon_access"])
    result = assess_json(make_case("police_intake", assessments=[dv(answers)]))
    got = flag(result, "insufficient_information")
    assert got is not None
    assert got["because"] == ["dv.weapon_access"]


def test_a_non_critical_unknown_in_a_complete_form_is_not_insufficient():
    answers = all_no(DV_SHORT, dv__escalation="unknown")
    result = assess_json(make_case("police_intake", assessments=[dv(answers)]))
    assert "insufficient_information" not in flag_ids(result)


def test_insufficient_information_is_shown_first():
    """A strangulation report with two children, where nothing else was asked yet."""
    case = make_case("police_intake", persons=FAMILY, assessments=[dv({"dv.strangulation": "yes"})])
    result = assess_json(case)
    assert flag_ids(result) == ["insufficient_information", "children_in_household", "child_assessment_missing"]


# ---- children_in_household and child_assessment_missing ----------------------------------------


def test_children_in_household_names_each_child_and_requires_one_assessment_per_child():
    case = make_case("police_intake", persons=FAMILY, assessments=[dv(all_no(DV_SHORT))])
    result = assess_json(case)
    children = flag(result, "children_in_household")
    assert children is not None
    assert children["because"] == ["c1", "c2"]
    assert children["persons"] == ["c1", "c2"]
    missing = flag(result, "child_assessment_missing")
    assert missing is not None
    assert missing["because"] == ["child_welfare:c1", "child_welfare:c2"]
    assert missing["persons"] == ["c1", "c2"]
    assert result["required_checklists"] == [
        {"checklist": "child_welfare", "subject": "c1", "rule": "child_welfare_for_each_child"},
        {"checklist": "child_welfare", "subject": "c2", "rule": "child_welfare_for_each_child"},
    ]


def test_only_the_child_not_yet_assessed_is_required():
    case = make_case(
        "police_intake",
        persons=FAMILY,
        assessments=[dv(all_no(DV_SHORT)), cw({"child.witnessed_violence": "yes"}, subject="c1")],
    )
    result = assess_json(case)
    assert result["required_checklists"] == [
        {"checklist": "child_welfare", "subject": "c2", "rule": "child_welfare_for_each_child"}
    ]
    missing = flag(result, "child_assessment_missing")
    assert missing is not None
    assert missing["persons"] == ["c2"]


def test_no_missing_assessment_once_every_child_is_assessed():
    case = make_case(
        "police_intake",
        persons=FAMILY,
        assessments=[dv(all_no(DV_SHORT)), cw({"child.witnessed_violence": "yes"}, "c1"), cw({}, "c2")],
    )
    result = assess_json(case)
    assert "children_in_household" in flag_ids(result)
    assert "child_assessment_missing" not in flag_ids(result)
    assert result["required_checklists"] == []


def test_a_case_without_a_person_in_the_role_child_has_no_children_flag():
    result = assess_json(make_case("police_intake", assessments=[dv(all_no(DV_SHORT))]))
    assert "children_in_household" not in flag_ids(result)
    assert result["required_checklists"] == []


@pytest.mark.parametrize(
    ("age", "required"),
    [(16, True), (17, True), (18, False), (19, False)],
)
def test_a_young_person_in_a_network_needs_a_child_welfare_assessment(age, required):
    """A young man is stabbed in a conflict between networks; he is registered as the victim, not in the role
    child, yet under 18 he is a child (children_in_household), and at 18 he is not."""
    persons = [{"id": "y1", "role": "victim", "age": age, "gender": "male"}]
    case = make_case("emergency_department", persons=persons, assessments=[cn({"cn.violent_injury": "yes"})])
    result = assess_json(case)
    assert ("children_in_household" in flag_ids(result)) is required
    if required:
        assert result["required_checklists"] == [
            {"checklist": "child_welfare", "subject": "y1", "rule": "child_welfare_for_young_person_in_network"}
        ]
        missing = flag(result, "child_assessment_missing")
        assert missing is not None
        assert missing["because"] == ["child_welfare:y1"]
        assert missing["persons"] == ["y1"]
    else:
        assert result["required_checklists"] == []
        assert "child_assessment_missing" not in flag_ids(result)


def test_a_child_whose_age_is_not_known_is_still_a_child_and_listed_once():
    """A boy found at a drug deal gives no age. Role child: one required child_welfare, not two."""
    persons = [{"id": "c1", "role": "child"}]
    case = make_case("police_intake", persons=persons, assessments=[cn({"cn.recruitment_signs": "yes"}, "c1")])
    result = assess_json(case)
    assert result["required_checklists"] == [
        {"checklist": "child_welfare", "subject": "c1", "rule": "child_welfare_for_each_child"}
    ]
    assert {"children_in_household", "child_assessment_missing"} <= set(flag_ids(result))
    assert "outside_validated_population" not in flag_ids(result)


# ---- homicide_suicide_risk ---------------------------------------------------------------------


def test_suicidal_suspect_named_in_the_dv_assessment_makes_the_case_severe():
    """He has said he will kill himself if she leaves. dv.perpetrator_suicidality is critical: DV high."""
    result = assess_json(make_case("police_intake", assessments=[dv({"dv.perpetrator_suicidality": "yes"})]))
    assert by_key(result)["domestic_violence:v1"]["level"] == "high"
    got = flag(result, "homicide_suicide_risk")
    assert got is not None
    assert got["because"] == ["domestic_violence:v1=high", "dv.perpetrator_suicidality"]
    assert result["overall_level"] == "severe"
    assert result["overall_because"] == ["flag:homicide_suicide_risk"]


@pytest.mark.parametrize("suicide_item", ["psy.wish_dead", "psy.suicidal_thoughts", "psy.better_off_dead"])
def test_suspects_own_suicide_section_moderate_with_high_dv(suicide_item):
    """She was strangled (DV high); the psychiatric emergency team found him with suicidal thoughts."""
    case = make_case(
        "case_conference",
        assessments=[dv({"dv.strangulation": "yes"}), psy({suicide_item: "yes"}, subject="s1")],
    )
    result = assess_json(case)
    assert by_key(result)["domestic_violence:v1"]["level"] == "high"
    assert by_key(result)["psychiatric:s1"]["sections"]["suicide"]["level"] == "moderate"
    got = flag(result, "homicide_suicide_risk")
    assert got is not None
    assert "psychiatric:s1.suicide=moderate" in got["because"]
    assert result["overall_level"] == "severe"


def test_suspect_found_through_role_when_the_dv_assessment_names_nobody():
    case = make_case(
        "case_conference",
        assessments=[dv({"dv.strangulation": "yes"}, about=None), psy({"psy.suicidal_thoughts": "yes"})],
    )
    assert "homicide_suicide_risk" in flag_ids(assess_json(case))


def test_suicidal_victim_is_not_a_homicide_suicide_marker():
    """It is she, not he, who has suicidal thoughts."""
    case = make_case(
        "case_conference",
        assessments=[dv({"dv.strangulation": "yes"}), psy({"psy.suicidal_thoughts": "yes"}, subject="v1")],
    )
    result = assess_json(case)
    assert "homicide_suicide_risk" not in flag_ids(result)
    assert result["overall_level"] == "high"


def test_suicidal_person_who_is_not_the_suspect_named_is_not_a_marker():
    """Her brother (also a suspect in the family) is suicidal; the DV assessment is about her husband."""
    persons = [
        {"id": "v1", "role": "victim", "age": 31, "gender": "female"},
        {"id": "s1", "role": "suspect", "age": 35, "gender": "male"},
        {"id": "s2", "role": "suspect", "age": 29, "gender": "male"},
    ]
    case = make_case(
        "case_conference",
        persons=persons,
        assessments=[dv({"dv.strangulation": "yes"}, about="s1"), psy({"psy.suicidal_thoughts": "yes"}, "s2")],
    )
    assert "homicide_suicide_risk" not in flag_ids(assess_json(case))


def test_suspect_with_only_violence_signs_is_not_a_marker():
    """He is irritable and threatening on the ward, but his suicide section is low."""
    case = make_case(
        "case_conference",
        assessments=[dv({"dv.strangulation": "yes"}), psy({"psy.irritability": "yes", "psy.verbal_threats": "yes"})],
    )
    assert "homicide_suicide_risk" not in flag_ids(assess_json(case))


@pytest.mark.parametrize(
    ("extra_injury", "dv_level", "raised"),
    [
        ("no", "moderate", False),  # escalation 3 + sexual violence 3 + order breach 2 + contact conflict 1 = 9
        ("yes", "high", True),  # + current injury 1 = 10 points: the high band
    ],
)
def test_dv_level_edge_for_homicide_suicide(extra_injury, dv_level, raised):
    """No critical item and no combination rule; the level comes from the points alone, and the suspect
    has suicidal thoughts."""
    answers = {
        "dv.escalation": "yes",
        "dv.sexual_violence": "yes",
        "dv.order_breach": "yes",
        "dv.child_contact_conflict": "yes",
        "dv.injury_current": extra_injury,
    }
    case = make_case("case_conference", assessments=[dv(answers), psy({"psy.suicidal_thoughts": "yes"})])
    result = assess_json(case)
    assert by_key(result)["domestic_violence:v1"]["level"] == dv_level
    assert ("homicide_suicide_risk" in flag_ids(result)) is raised
    assert result["overall_level"] == ("severe" if raised else "moderate")


def test_professional_override_to_high_counts_for_homicide_suicide():
    """Points say moderate; the officer raises DV to high with a reason, and the suspect is suicidal."""
    case = make_case(
        "police_intake",
        assessments=[dv({"dv.escalation": "yes", "dv.order_breach": "yes"}), psy({"psy.suicidal_thoughts": "yes"})],
        overrides=[
            {"checklist": "domestic_violence", "subject": "v1", "level": "high", "reason": "He waits outside her work."}
        ],
    )
    result = assess_json(case)
    assert by_key(result)["domestic_violence:v1"]["computed_level"] == "moderate"
    assert "homicide_suicide_risk" in flag_ids(result)
    assert result["overall_level"] == "severe"


# ---- honour_related ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assessment", "because", "persons"),
    [
        (dv({"dv.honour_context": "yes"}), ["dv.honour_context"], ["v1"]),
        (cw({"child.honour_control": "yes"}, "c1"), ["child.honour_control"], ["c1"]),
    ],
    ids=["woman_controlled_by_family", "girl_controlled_by_family"],
)
def test_honour_related_raised(assessment, because, persons):
    case = make_case("social_services", persons=FAMILY, assessments=[assessment])
    got = flag(assess_json(case), "honour_related")
    assert got is not None
    assert got["because"] == because
    assert got["persons"] == persons


@pytest.mark.parametrize(
    "assessment",
    [dv({"dv.honour_context": "unknown", "dv.coercive_control": "yes"}), cw({"child.honour_control": "no"}, "c1")],
    ids=["honour_unknown", "honour_no"],
)
def test_honour_related_not_raised(assessment):
    case = make_case("social_services", persons=FAMILY, assessments=[assessment])
    assert "honour_related" not in flag_ids(assess_json(case))


# ---- compulsory_care_may_apply -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "raised"),
    [
        ({"psy.psychosis_signs": "yes", "psy.refuses_needed_care": "yes"}, True),
        ({"psy.command_hallucinations": "yes", "psy.cannot_care_for_self": "yes"}, True),
        ({"psy.psychosis_signs": "yes"}, False),
        ({"psy.refuses_needed_care": "yes", "psy.cannot_care_for_self": "yes"}, False),
        ({"psy.psychosis_signs": "yes", "psy.refuses_needed_care": "unknown"}, False),
        ({"psy.suicide_plan": "yes", "psy.refuses_needed_care": "yes"}, False),
    ],
    ids=[
        "psychosis_refuses",
        "commands_cannot_care",
        "psychosis_alone",
        "refusal_alone",
        "refusal_unknown",
        "suicidal_refuses_is_not_psychosis",
    ],
)
def test_compulsory_care_needs_a_sign_of_serious_disorder_and_refusal_or_inability(answers, raised):
    persons = [{"id": "p1", "role": "other", "age": 44}]
    case = make_case("psychiatry", persons=persons, assessments=[psy(answers, "p1")])
    got = flag(assess_json(case), "compulsory_care_may_apply")
    assert (got is not None) is raised
    if got is not None:
        assert got["because"] == [k for k, v in answers.items() if v == "yes"]
        assert got["persons"] == ["p1"]


# ---- staff_safety ------------------------------------------------------------------------------


@pytest.mark.parametrize("context", ["police_intake", "social_services", *CARE_CONTEXTS])
def test_threat_to_staff_raises_staff_safety_in_any_context(context):
    persons = [{"id": "y1", "role": "victim", "age": 24, "gender": "male"}]
    case = make_case(context, persons=persons, assessments=[cn({"cn.staff_threat": "yes"})])
    got = flag(assess_json(case), "staff_safety")
    assert got is not None
    assert got["because"] == ["cn.staff_threat"]
    assert got["persons"] == ["y1"]


@pytest.mark.parametrize(
    ("context", "raised"),
    [(c, True) for c in CARE_CONTEXTS] + [(c, False) for c in ("police_intake", "social_services", "case_conference")],
)
def test_shot_and_threatened_patient_raises_staff_safety_only_where_care_is_given(context, raised):
    """A 24-year-old with a gunshot wound says they will come back for him."""
    persons = [{"id": "y1", "role": "victim", "age": 24, "gender": "male"}]
    answers = {"cn.violent_injury": "yes", "cn.threats_received": "yes", "cn.staff_threat": "no"}
    case = make_case(context, persons=persons, assessments=[cn(answers)])
    got = flag(assess_json(case), "staff_safety")
    assert (got is not None) is raised
    if got is not None:
        assert got["because"] == ["cn.violent_injury", "cn.threats_received"]


def test_injury_without_threat_in_the_emergency_department_is_not_staff_safety():
    persons = [{"id": "y1", "role": "victim", "age": 24, "gender": "male"}]
    answers = {"cn.violent_injury": "yes", "cn.threats_received": "no", "cn.staff_threat": "no"}
    case = make_case("emergency_department", persons=persons, assessments=[cn(answers)])
    assert "staff_safety" not in flag_ids(assess_json(case))


# ---- outside_validated_population --------------------------------------------------------------


@pytest.mark.parametrize(
    ("checklist", "age", "raised"),
    [
        ("domestic_violence", 15, True),  # validated from 16
        ("domestic_violence", 16, False),
        ("child_welfare", 17, False),  # validated up to 17
        ("child_welfare", 18, True),
        ("child_welfare", 19, True),
        ("psychiatric", 9, True),  # validated from 10
        ("psychiatric", 10, False),
    ],
)
def test_outside_validated_population_at_the_age_edges(checklist, age, raised):
    persons = [
        {"id": "p1", "role": "victim", "age": age},
        {"id": "s1", "role": "suspect", "age": 17},
    ]
    about = {"about": "s1"} if checklist == "domestic_violence" else {}
    case = make_case(
        "social_services",
        persons=persons,
        assessments=[{"checklist": checklist, "subject": "p1", "answers": {}, **about}],
    )
    got = flag(assess_json(case), "outside_validated_population")
    assert (got is not None) is raised
    if got is not None:
        assert got["persons"] == ["p1"]
        assert len(got["because"]) == 1
        assert got["because"][0].startswith(f"{checklist}:p1: ")
        assert f"age {age}" in got["because"][0]


def test_criminal_network_checklist_has_no_age_limit():
    persons = [{"id": "p1", "role": "victim", "age": 13}]
    case = make_case("social_services", persons=persons, assessments=[cn({"cn.recruitment_signs": "yes"}, "p1")])
    assert "outside_validated_population" not in flag_ids(assess_json(case))
