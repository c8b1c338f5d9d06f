"""Follow-up over time: the suggested reassessment date (checklists/followup.yaml) and what changed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from risk.checklists import CHECKLIST_DIR, default_checklists
from risk.engine import assess
from risk.errors import ChecklistError
from risk.followup import (
    SavedVersion,
    compare_assessments,
    date_choice_problems,
    default_followup,
    due_state,
    load_followup,
    suggest_reassessment,
)
from risk.models import AssessmentResult
from risk.vocabulary import LEVEL_ORDER, RiskLevel

DAY = date(2026, 12, 5)
SEVERE = {"dv.strangulation": "yes", "dv.threat_to_kill": "yes"}


def scored(checklist: str, answers: dict[str, str], role: str = "victim", age: int = 34) -> AssessmentResult:
    persons: list[dict[str, Any]] = [{"id": "p1", "role": role, "age": age}, {"id": "s1", "role": "suspect"}]
    a: dict[str, Any] = {"checklist": checklist, "subject": "p1", "answers": answers}
    if default_checklists()[checklist].about_role is not None:
        a["about"] = "s1"
    return assess({"context": "police_intake", "persons": persons, "assessments": [a]}).assessments[0]


def all_no(checklist: str) -> dict[str, str]:
    return {i: "no" for i in default_checklists()[checklist].items}


def test_each_level_gets_its_interval_and_severe_is_shortest() -> None:
    f = default_followup()
    days = {i.level: i.days for i in f.levels}
    assert days[RiskLevel.severe] == min(days.values())
    assert [days[lv] for lv in LEVEL_ORDER] == sorted((days[lv] for lv in LEVEL_ORDER), reverse=True)
    low = scored("domestic_violence", all_no("domestic_violence"))
    assert low.level is RiskLevel.low
    s = suggest_reassessment(low, DAY)
    assert (s.level, s.days, s.date, s.rules) == (RiskLevel.low, days[RiskLevel.low], date(2027, 2, 3), [])
    severe = scored("domestic_violence", {**all_no("domestic_violence"), **SEVERE})
    assert severe.level is RiskLevel.severe
    s = suggest_reassessment(severe, DAY)
    assert s.days == days[RiskLevel.severe] == 3 and s.date == date(2026, 12, 8)


def test_nothing_longer_than_the_first_three_months() -> None:
    f = default_followup()
    assert f.ceiling_days <= 90
    assert all(i.days <= f.ceiling_days for i in f.levels)
    assert all(d <= f.ceiling_days for r in f.rules for d in r.max_days.values())


def test_an_unknown_critical_item_shortens_a_low_level_to_a_week() -> None:
    answers = {**all_no("domestic_violence"), "dv.strangulation": "unknown"}
    result = scored("domestic_violence", answers)
    assert result.level is RiskLevel.low and result.critical_not_known
    s = suggest_reassessment(result, DAY)
    assert s.days == 7 and s.rules == ["critical_not_known"]
    assert any("critical" in r for r in s.reasons("en")) and any("kritisk" in r for r in s.reasons("sv"))


def test_a_child_is_followed_up_sooner_than_an_adult() -> None:
    adult = suggest_reassessment(scored("criminal_network", all_no("criminal_network"), "victim", 34), DAY)
    by_age = suggest_reassessment(
        scored("criminal_network", all_no("criminal_network"), "victim", 15), DAY, subject_age=15
    )
    by_role = suggest_reassessment(
        scored("criminal_network", all_no("criminal_network"), "child", 15), DAY, subject_role="child"
    )
    assert adult.days == 60 and by_age.days == by_role.days == 30
    assert by_age.rules == ["child"] and "barn" in by_age.reasons("sv")[-1]


def test_suicide_risk_is_followed_up_within_a_week_at_moderate() -> None:
    answers = {**all_no("psychiatric"), "psy.wish_dead": "yes", "psy.suicidal_thoughts": "yes"}
    result = scored("psychiatric", answers, "other")
    assert result.level is RiskLevel.moderate
    s = suggest_reassessment(result, DAY)
    assert s.days == 7 and "suicide" in s.rules


def test_a_raised_level_shortens_and_a_lowered_one_does_not_lengthen() -> None:
    severe = scored("domestic_violence", {**all_no("domestic_violence"), **SEVERE})
    lowered = severe.model_copy(update={"level": RiskLevel.low, "override_reason": "x"})
    assert suggest_reassessment(lowered, DAY).days == 3  # the computed level still counts
    low = scored("domestic_violence", all_no("domestic_violence"))
    raised = low.model_copy(update={"level": RiskLevel.high, "override_reason": "x"})
    assert suggest_reassessment(raised, DAY).days == 7


def test_the_file_is_checked(tmp_path: Path) -> None:
    raw = yaml.safe_load((CHECKLIST_DIR / "followup.yaml").read_text(encoding="utf-8"))
    raw["levels"][0]["days"] = 100  # severe waits longer than high, and beyond the ceiling
    raw["rules"][2]["when"]["checklists"] = ["no_such"]
    bad = tmp_path / "followup.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ChecklistError) as e:
        load_followup(bad)
    text = " ".join(e.value.problems)
    assert "severe (100 days) must not wait longer than" in text and "ceiling_days" in text
    raw["levels"][0]["days"] = 3
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ChecklistError, match="no checklist 'no_such'"):
        load_followup(bad)
    raw["rules"][2]["when"]["checklists"] = ["psychiatric"]
    raw["ceiling"]["verified"] = True
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ChecklistError, match="primary source_kind"):
        load_followup(bad)


def test_compare_names_changed_items_level_critical_and_score() -> None:
    before_answers = all_no("domestic_violence")
    after_answers = {**before_answers, "dv.strangulation": "yes", "dv.escalation": "yes"}
    del after_answers["dv.separation_recent"]
    prev = SavedVersion(version=1, answers=before_answers, result=scored("domestic_violence", before_answers))
    new = SavedVersion(version=2, answers=after_answers, result=scored("domestic_violence", after_answers))
    order = list(default_checklists()["domestic_violence"].items)
    c = compare_assessments(prev, new, order)
    assert [(i.item, i.before, i.after) for i in c.items] == [
        ("dv.strangulation", "no", "yes"),
        ("dv.separation_recent", "no", None),
        ("dv.escalation", "no", "yes"),
    ]
    assert (c.level_before, c.level_after, c.level_change) == (RiskLevel.low, RiskLevel.severe, "raised")
    assert c.new_critical == ["dv.strangulation"] and c.cleared_critical == []
    assert c.score_change == c.score_after - c.score_before > 0
    assert (c.before_version, c.after_version) == (1, 2) and c.anything
    back = compare_assessments(new, prev, order)
    assert back.level_change == "lowered" and back.cleared_critical == ["dv.strangulation"]
    assert back.score_change == -c.score_change
    same = compare_assessments(prev, prev, order)
    assert not same.items and same.level_change == "same" and not same.anything


def test_compare_refuses_two_checklists() -> None:
    a = SavedVersion(answers={}, result=scored("domestic_violence", {}))
    b = SavedVersion(answers={}, result=scored("criminal_network", {}))
    with pytest.raises(ValueError, match="cannot compare"):
        compare_assessments(a, b)


def test_due_state_in_words_overdue_due_upcoming() -> None:
    soon = default_followup().due_soon_days
    assert due_state(date(2026, 12, 4), DAY) == "overdue"
    assert due_state(DAY, DAY) == "due"
    assert due_state(date(2026, 12, 5 + soon), DAY) == "due"
    assert due_state(date(2026, 12, 6 + soon), DAY) == "upcoming"


def test_a_chosen_date_later_than_suggested_needs_a_reason_and_none_may_be_past() -> None:
    suggested = date(2026, 12, 8)
    assert date_choice_problems(date(2026, 12, 6), suggested, "", DAY) == []  # earlier: more caution
    assert date_choice_problems(date(2026, 12, 20), suggested, "  ", DAY) == ["needs_reason"]
    assert date_choice_problems(date(2026, 12, 20), suggested, "sheltered housing", DAY) == []
    assert date_choice_problems(date(2026, 12, 1), suggested, "", DAY) == ["past"]
    assert date_choice_problems(date(2026, 12, 20), None, "", DAY) == []
