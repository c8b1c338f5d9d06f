"""Follow-up over time: when to reassess (checklists/followup.yaml) and what changed between two versions.

`suggest_reassessment` turns an assessment's result into a date and the rules behind it; `compare_assessments`
says what changed from one saved version to the next. Both are pure: facts in, an explained pydantic result out.
"""

from __future__ import annotations

import datetime
import functools
import itertools
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from risk.checklists import CHECKLIST_DIR, read_yaml, validate_file
from risk.errors import ChecklistError
from risk.models import AssessmentResult
from risk.rules import PRIMARY_SOURCES, SourceKind
from risk.text import Text
from risk.vocabulary import Answer, Language, RiskLevel

FOLLOWUP_FILE = CHECKLIST_DIR / "followup.yaml"
ADULT_AGE = 18


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Strict):
    reason: Text = Field(description="Why, for the professional, in both languages")
    source: str = Field(min_length=1, description="Where the interval comes from")
    source_kind: SourceKind = Field(description="The strongest source behind it; see law.yaml")
    verified: StrictBool = Field(description="true only when a primary source was read")

    @model_validator(mode="after")
    def _verified_needs_primary_source(self) -> Sourced:
        if self.verified and self.source_kind not in PRIMARY_SOURCES:
            raise ValueError(f"verified: true needs a primary source_kind ({', '.join(PRIMARY_SOURCES)})")
        return self


class LevelInterval(Sourced):
    level: RiskLevel
    days: int = Field(ge=1, description="Days from the assessment to the suggested reassessment")


class When(_Strict):
    """Conditions of a rule; every condition given must hold."""

    checklists: list[str] | None = Field(None, description="The assessment is one of these checklists")
    child_subject: bool | None = Field(None, description="The assessed person is a child (role child or under 18)")
    critical_not_known: bool | None = Field(None, description="A critical item is answered unknown or not asked")

    @model_validator(mode="after")
    def _something(self) -> When:
        if self.checklists is None and self.child_subject is None and self.critical_not_known is None:
            raise ValueError("name at least one condition")
        return self


class ShorterRule(Sourced):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    when: When
    max_days: dict[RiskLevel, int] = Field(min_length=1, description="The longest interval per level under this rule")


class FollowupFile(_Strict):
    version: str
    due_soon_days: int = Field(ge=0, description="A reassessment is due from this many days before its date")
    ceiling_days: int = Field(ge=1, description="No suggested interval is longer than this")
    ceiling: Sourced
    levels: list[LevelInterval]
    rules: list[ShorterRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _every_level_once_and_shorter_with_level(self) -> FollowupFile:
        problems = []
        seen = [i.level for i in self.levels]
        missing = [lv.value for lv in RiskLevel if lv not in seen]
        if missing or len(seen) != len(set(seen)):
            problems.append(f"levels: give each level exactly once (missing: {', '.join(missing) or 'none'})")
        days = {i.level: i.days for i in self.levels}
        ordered = sorted(days, key=lambda lv: lv.rank)
        for lower, higher in itertools.pairwise(ordered):
            if days[higher] > days[lower]:
                problems.append(f"levels: {higher.value} ({days[higher]} days) must not wait longer than {lower.value}")
        for i in self.levels:
            if i.days > self.ceiling_days:
                problems.append(f"levels: {i.level.value}: {i.days} days is longer than ceiling_days")
        ids = [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            problems.append("rules: ids must be unique")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def interval(self, level: RiskLevel) -> LevelInterval:
        return next(i for i in self.levels if i.level is level)

    def rule(self, rule_id: str) -> ShorterRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def load_followup(path: Path = FOLLOWUP_FILE, checklists: set[str] | None = None) -> FollowupFile:
    """Load and check the file; a checklist a rule names must exist."""
    from risk.checklists import default_checklists

    file = validate_file(FollowupFile, read_yaml(path), path.name)
    known = checklists if checklists is not None else set(default_checklists())
    unknown = [
        f"{path.name}: rules: {r.id}: no checklist {c!r}"
        for r in file.rules
        for c in r.when.checklists or []
        if c not in known
    ]
    if unknown:
        raise ChecklistError(unknown)
    return file


@functools.cache
def default_followup() -> FollowupFile:
    return load_followup()


def followup_schema() -> dict[str, Any]:
    return FollowupFile.model_json_schema()


class ReassessmentSuggestion(BaseModel):
    """When to reassess and why: the level's interval, shortened by the rules in `rules` (ids in the file)."""

    model_config = ConfigDict(frozen=True)

    date: datetime.date
    days: int
    level: RiskLevel = Field(description="The level the interval is for (the professional's level if changed)")
    rules: list[str] = Field(default_factory=list, description="Rules that shortened the interval, in file order")
    capped: bool = Field(False, description="The ceiling shortened the level's interval")

    def reasons(self, lang: Language | str, file: FollowupFile | None = None) -> list[str]:
        """The reasons in words, from the data file: the level's, then each rule's."""
        f = file or default_followup()
        texts = [f.interval(self.level).reason(lang)]
        texts += [r.reason(lang) for rid in self.rules if (r := f.rule(rid)) is not None]
        if self.capped:
            texts.append(f.ceiling.reason(lang))
        return texts


def suggest_reassessment(
    result: AssessmentResult,
    assessed_on: datetime.date,
    *,
    subject_role: str | None = None,
    subject_age: int | None = None,
    file: FollowupFile | None = None,
) -> ReassessmentSuggestion:
    """The suggested reassessment date of one assessment: the interval of its level (the higher of the computed
    and the professional's level), shortened by every rule that applies, never beyond the ceiling."""
    f = file or default_followup()
    level = result.level if result.level.rank >= result.computed_level.rank else result.computed_level
    days = f.interval(level).days
    capped = days > f.ceiling_days
    days = min(days, f.ceiling_days)
    child = subject_role == "child" or (subject_age is not None and subject_age < ADULT_AGE)
    applied = []
    for rule in f.rules:
        w = rule.when
        if w.checklists is not None and result.checklist not in w.checklists:
            continue
        if w.child_subject is not None and w.child_subject != child:
            continue
        if w.critical_not_known is not None and w.critical_not_known != bool(result.critical_not_known):
            continue
        cap = rule.max_days.get(level)
        if cap is not None and cap < days:
            days = cap
            applied.append(rule.id)
    return ReassessmentSuggestion(
        date=assessed_on + datetime.timedelta(days=days), days=days, level=level, rules=applied, capped=capped
    )


DueState = Literal["overdue", "due", "upcoming"]


def due_state(due: datetime.date, today: datetime.date, file: FollowupFile | None = None) -> DueState:
    """overdue after the date; due on it and the `due_soon_days` before it; upcoming before that."""
    if due < today:
        return "overdue"
    soon = (file or default_followup()).due_soon_days
    return "due" if due <= today + datetime.timedelta(days=soon) else "upcoming"


DateProblem = Literal["past", "needs_reason"]


def date_choice_problems(
    chosen: datetime.date, suggested: datetime.date | None, reason: str, today: datetime.date
) -> list[DateProblem]:
    """What is wrong with a reassessment date a professional chooses: a day that has passed, or a later day than
    suggested without a written reason (an earlier day needs none: more caution is never questioned)."""
    problems: list[DateProblem] = []
    if chosen < today:
        problems.append("past")
    if suggested is not None and chosen > suggested and not (reason or "").strip():
        problems.append("needs_reason")
    return problems


# --- what changed between two versions ---


class SavedVersion(BaseModel):
    """One saved version of an assessment: its answers (codes) and the engine's result."""

    version: int | None = None
    answers: dict[str, Answer] = Field(default_factory=dict)
    result: AssessmentResult


class ItemChange(BaseModel):
    item: str
    before: Answer | None = Field(description="None: not asked")
    after: Answer | None = Field(description="None: not asked")


class Comparison(BaseModel):
    """What changed from `before_version` to `after_version`."""

    before_version: int | None
    after_version: int | None
    items: list[ItemChange] = Field(description="Items whose answer changed, in checklist order where known")
    level_before: RiskLevel
    level_after: RiskLevel
    level_change: Literal["raised", "lowered", "same"]
    computed_level_before: RiskLevel
    computed_level_after: RiskLevel
    new_critical: list[str] = Field(description="Critical items answered yes now and not before")
    cleared_critical: list[str] = Field(description="Critical items answered yes before and not now")
    score_before: int
    score_after: int
    score_change: int
    completeness_before: float
    completeness_after: float

    @property
    def anything(self) -> bool:
        return bool(self.items or self.level_change != "same" or self.score_change or self.new_critical)


def compare_assessments(prev: SavedVersion, new: SavedVersion, order: list[str] | None = None) -> Comparison:
    """What changed from `prev` to `new` of the same checklist and person. `order` (the checklist's item ids)
    sorts the changed items as the form asks them; items outside it follow by id."""
    if prev.result.checklist != new.result.checklist:
        raise ValueError(f"cannot compare {prev.result.checklist} with {new.result.checklist}")
    rank = {item: n for n, item in enumerate(order or [])}
    ids = sorted(set(prev.answers) | set(new.answers), key=lambda i: (rank.get(i, len(rank)), i))
    items = [
        ItemChange(item=i, before=prev.answers.get(i), after=new.answers.get(i))
        for i in ids
        if prev.answers.get(i) != new.answers.get(i)
    ]
    before, after = prev.result.level, new.result.level
    change: Literal["raised", "lowered", "same"] = (
        "raised" if after.rank > before.rank else "lowered" if after.rank < before.rank else "same"
    )
    crit_before, crit_after = set(prev.result.critical_items), set(new.result.critical_items)
    return Comparison(
        before_version=prev.version,
        after_version=new.version,
        items=items,
        level_before=before,
        level_after=after,
        level_change=change,
        computed_level_before=prev.result.computed_level,
        computed_level_after=new.result.computed_level,
        new_critical=[i for i in new.result.critical_items if i not in crit_before],
        cleared_critical=[i for i in prev.result.critical_items if i not in crit_after],
        score_before=prev.result.score,
        score_after=new.result.score,
        score_change=new.result.score - prev.result.score,
        completeness_before=prev.result.completeness,
        completeness_after=new.result.completeness,
    )
