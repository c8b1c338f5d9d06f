"""Scoring, ranges, levels and overrides of single assessments, worked out by hand from the YAML."""

from __future__ import annotations

import pytest

from risk import assess
from risk.errors import InputError
from tests.conftest import by_key, dv, make_case

DV_SHORT = 20  # items of the domestic-violence short form


def one(assessment: dict, context: str = "police_intake", **kw) -> dict:  # type: ignore[type-arg]
    result = assess(make_case(context=context, assessments=[assessment], **kw)).model_dump(mode="json")
    return result["assessments"][0]


def test_points_bands_and_contributions_are_traceable() -> None:
    # coercive control 2 + jealousy 2 + injury 1 = 5 → the moderate band of total_bands (5..9)
    a = one(
        dv(
            {
                "dv.coercive_control": "yes",
                "dv.jealousy_obsession": "yes",
                "dv.injury_current": "yes",
                "dv.stalking": "no",
            }
        )
    )
    assert a["score"] == 5
    assert a["computed_level"] == a["level"] == "moderate"
    assert {(c["item"], c["points"]) for c in a["contributions"]} == {
        ("dv.coercive_control", 2),
        ("dv.jealousy_obsession", 2),
        ("dv.injury_current", 1),
    }
    assert all(c["why"] for c in a["contributions"])
    assert [r["rule"] for r in a["level_reasons"]] == ["total"]


def test_band_edges() -> None:
    four = one(dv({"dv.coercive_control": "yes", "dv.jealousy_obsession": "yes"}))
    assert (four["score"], four["computed_level"]) == (4, "low")
    ten = one(
        dv({k: "yes" for k in ["dv.separation_recent", "dv.escalation", "dv.sexual_violence", "dv.injury_current"]})
    )
    assert (ten["score"], ten["computed_level"]) == (10, "high")


def test_no_level_called_no_risk() -> None:
    a = one(dv({"dv.stalking": "no"}))
    assert a["computed_level"] == "low"
    assert a["score"] == 0


def test_unknown_is_not_no_it_widens_the_range() -> None:
    asked_no = one(dv({"dv.strangulation": "no"}))
    asked_unknown = one(dv({"dv.strangulation": "unknown"}))
    assert asked_no["score"] == asked_unknown["score"] == 0
    assert asked_unknown["score_max"] == asked_no["score_max"] + 4
    assert asked_unknown["unknown_items"] == ["dv.strangulation"]
    assert "dv.strangulation" in asked_unknown["critical_not_known"]
    assert asked_no["completeness"] == pytest.approx(1 / DV_SHORT, abs=1e-4)
    assert asked_unknown["completeness"] == 0
    assert asked_unknown["level_max"] == "severe"


def test_unasked_items_of_the_form_count_toward_score_max_only() -> None:
    empty = one(dv({}))
    assert empty["score"] == 0 and empty["completeness"] == 0
    assert len(empty["unasked_items"]) == DV_SHORT
    full = one(dv({}), context="case_conference")
    assert full["score_max"] == 65 and len(full["unasked_items"]) == 32


def test_an_item_outside_the_short_form_counts_when_answered() -> None:
    a = one(dv({"dv.perpetrator_unemployed": "yes"}))
    assert a["score"] == 2
    assert a["completeness"] == pytest.approx(1 / (DV_SHORT + 1), abs=1e-4)


def test_one_critical_yes_gives_high() -> None:
    a = one(dv({"dv.weapon_access": "yes"}))
    assert a["score"] == 4 and a["computed_level"] == "high"
    assert a["critical_items"] == ["dv.weapon_access"]
    assert "critical_item" in [r["rule"] for r in a["level_reasons"]]


@pytest.mark.parametrize(
    "answers",
    [
        {"dv.strangulation": "yes", "dv.threat_to_kill": "yes"},
        {"dv.victim_fears_lethal": "yes", "dv.separation_recent": "yes"},
        {"dv.perpetrator_suicidality": "yes", "dv.escalation": "yes"},
    ],
)
def test_dv_combinations_give_severe(answers: dict[str, str]) -> None:
    assert one(dv(answers))["computed_level"] == "severe"


def test_separation_without_a_critical_item_is_not_severe() -> None:
    a = one(dv({"dv.separation_recent": "yes", "dv.escalation": "yes"}))
    assert (a["score"], a["computed_level"]) == (6, "moderate")


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        ({"psy.wish_dead": "yes"}, "moderate"),
        ({"psy.suicidal_thoughts": "yes"}, "moderate"),
        ({"psy.suicidal_thoughts": "yes", "psy.suicide_method": "yes"}, "high"),
        ({"psy.suicide_intent": "yes"}, "severe"),
        ({"psy.suicide_plan": "yes"}, "severe"),
        ({"psy.suicide_attempt_recent": "yes"}, "severe"),
        ({"psy.suicide_attempt_past": "yes"}, "moderate"),
        ({"psy.wish_dead": "no", "psy.suicidal_thoughts": "no"}, "low"),
    ],
)
def test_suicide_triage_by_highest_positive(answers: dict[str, str], level: str) -> None:
    a = one({"checklist": "psychiatric", "subject": "v1", "answers": answers}, context="emergency_department")
    assert a["sections"]["suicide"]["level"] == level
    assert a["computed_level"] == level


@pytest.mark.parametrize(("count", "level"), [(0, "low"), (1, "moderate"), (2, "moderate"), (3, "high"), (6, "high")])
def test_violence_within_24_hours_counts_behaviours(count: int, level: str) -> None:
    items = [
        "psy.confusion",
        "psy.irritability",
        "psy.boisterous",
        "psy.verbal_threats",
        "psy.physical_threats",
        "psy.attacks_objects",
    ]
    answers = {i: ("yes" if n < count else "no") for n, i in enumerate(items)}
    a = one({"checklist": "psychiatric", "subject": "v1", "answers": answers}, context="psychiatry")
    assert a["sections"]["violence_24h"]["level"] == level


def test_suicide_method_with_access_to_means_is_severe() -> None:
    a = one(
        {
            "checklist": "psychiatric",
            "subject": "v1",
            "answers": {"psy.suicide_method": "yes", "psy.access_to_means": "yes"},
        },
        context="emergency_department",
    )
    assert a["computed_level"] == "severe"
    assert "rule:method_and_means" in [r["rule"] for r in a["level_reasons"]]


def test_network_injury_and_threat_is_severe() -> None:
    a = one(
        {
            "checklist": "criminal_network",
            "subject": "v1",
            "answers": {"cn.violent_injury": "yes", "cn.threats_received": "yes"},
        },
        context="emergency_department",
    )
    assert a["score"] == 7 and a["computed_level"] == "severe"


@pytest.mark.parametrize(("level", "direction"), [("severe", "up"), ("low", "down")])
def test_override_either_way_keeps_both_levels(level: str, direction: str) -> None:
    answers = {"dv.coercive_control": "yes", "dv.jealousy_obsession": "yes", "dv.injury_current": "yes"}
    reason = "Victim describes a plan to leave this week." if direction == "up" else "Incident was a misunderstanding."
    result = assess(
        make_case(
            assessments=[dv(answers)],
            overrides=[{"checklist": "domestic_violence", "subject": "v1", "level": level, "reason": reason}],
        )
    ).model_dump(mode="json")
    a = by_key(result)["domestic_violence:v1"]
    assert a["computed_level"] == "moderate"
    assert a["level"] == level
    assert a["override_reason"] == reason
    assert result["overall_level"] == level


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_override_without_reason_is_refused(reason: str | None) -> None:
    override = {"checklist": "domestic_violence", "subject": "v1", "level": "low"}
    if reason is not None:
        override["reason"] = reason
    with pytest.raises(InputError) as err:
        assess(make_case(assessments=[dv({"dv.strangulation": "yes"})], overrides=[override]))
    assert any("overrides[0].reason" in p for p in err.value.problems)


def test_swedish_result_texts() -> None:
    result = assess(make_case(assessments=[dv({"dv.strangulation": "yes"})]), lang="sv")
    assert result.notice.startswith("Endast beslutsstöd")
    assert "Kritisk" in result.assessments[0].contributions[0].why


def test_same_input_same_result() -> None:
    case = make_case(assessments=[dv({"dv.strangulation": "yes", "dv.stalking": "unknown"})])
    assert assess(case).model_dump_json() == assess(case).model_dump_json()


def test_two_agencies_may_assess_the_same_person_and_overrides_say_which() -> None:
    case = make_case(
        assessments=[
            dv({"dv.strangulation": "yes"}, agency="police"),
            dv({"dv.stalking": "yes"}, agency="social_services"),
        ]
    )
    result = assess(case)
    assert [(a.agency, a.computed_level.value) for a in result.assessments] == [
        ("police", "high"),
        ("social_services", "low"),
    ]
    ambiguous = {
        **case,
        "overrides": [
            {
                "checklist": "domestic_violence",
                "subject": "v1",
                "level": "low",
                "reason": "Seen together at the conference.",
            }
        ],
    }
    with pytest.raises(InputError, match="more than one agency"):
        assess(ambiguous)
    ambiguous["overrides"][0]["agency"] = "police"
    assert [a.level.value for a in assess(ambiguous).assessments] == ["low", "low"]
    twice = make_case(assessments=[dv({}, agency="police"), dv({}, agency="police")])
    with pytest.raises(InputError, match="one per checklist, subject and agency"):
        assess(twice)


def test_reasons_name_the_agency_where_several_assessed_the_same_person() -> None:
    case = make_case(
        context="case_conference",
        assessments=[
            dv({"dv.strangulation": "unknown"}, agency="police"),
            dv({"dv.stalking": "yes"}, agency="social_services"),
        ],
    )
    result = assess(case)
    assert result.overall_because == ["domestic_violence:v1@police=low", "domestic_violence:v1@social_services=low"]
    insufficient = next(f for f in result.flags if f.id == "insufficient_information")
    assert "domestic_violence:v1@police.completeness=0.00" in insufficient.because
    alone = assess(make_case(assessments=[dv({"dv.strangulation": "yes"}, agency="police")]))
    assert alone.overall_because == ["domestic_violence:v1=high"]  # one agency: no need to say which
