"""Needs analysis from real use (issue 11), for trainers and supervisors: pure functions over facts the Store read.

Per unit (an organisation or one of its units) and month: which items are most often answered unknown, how often
and in which direction professionals change the computed level, child checklists the engine required that nobody
started, immediate steps not marked done, and how long a short form takes from its first draft to its save.
Every count below MIN_CELL is hidden (None), with enough others that none can be worked out (access.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from risk.storage.access import MIN_CELL, suppress_small_cells
from risk.vocabulary import LEVEL_ORDER

FOCUS_ITEMS = 5  # items a training link focuses on: the unit's most often unknown
DIRECTIONS = ("up", "down")


@dataclass(frozen=True)
class SavedFact:
    """The latest saved version of one assessment, as the needs analysis uses it."""

    unit: str  # the key of the saving organisation or unit
    month: str  # YYYY-MM of the save
    checklist: str
    form: str
    unknown_items: tuple[str, ...]
    computed_level: str
    override_level: str | None  # the latest changed level, if a professional changed it


@dataclass(frozen=True)
class CaseNeeds:
    """One unit's part of one case, checked against the engine's result on that unit's assessments."""

    unit: str
    month: str
    required_not_started: int  # child checklists required by the engine that nobody in the organisation started
    required: int
    immediate_steps: int  # the unit's own agency's immediate steps
    immediate_not_done: int


@dataclass(frozen=True)
class FormTime:
    """A short form from its first saved draft to its save, in minutes."""

    unit: str
    month: str
    minutes: float


class UnknownItemFigure(BaseModel):
    unit: str
    month: str
    checklist: str
    item: str
    unknown: int | None = Field(description="Assessments answering the item unknown; None when hidden")
    assessed: int | None = Field(description="Assessments of the checklist in the unit and month; None when hidden")
    share: float | None = None


class OverrideFigure(BaseModel):
    unit: str
    month: str
    assessments: int | None
    up: int | None
    down: int | None
    rate: float | None = Field(None, description="(up + down) / assessments, where all three are shown")


class RequiredFigure(BaseModel):
    unit: str
    month: str
    required: int | None
    not_started: int | None


class StepFigure(BaseModel):
    unit: str
    month: str
    immediate: int | None
    not_done: int | None


class FormTimeFigure(BaseModel):
    unit: str
    month: str
    forms: int | None
    median_minutes: float | None


class UnitNeeds(BaseModel):
    """A unit's training needs over all months: its most often unknown items, and the link that assigns them."""

    unit: str
    focus: list[str]
    training_link: str


class NeedsAnalysis(BaseModel):
    scope: str
    min_cell: int
    units: list[str]
    months: list[str]
    unknown_items: list[UnknownItemFigure]
    overrides: list[OverrideFigure]
    required_checklists: list[RequiredFigure]
    immediate_steps: list[StepFigure]
    form_times: list[FormTimeFigure]
    needs: list[UnitNeeds]


def direction(computed: str, changed: str | None) -> str | None:
    """'up' when a professional set a higher level than computed, 'down' when lower, None when not changed."""
    if changed is None or changed == computed:
        return None
    order = [lv.value for lv in LEVEL_ORDER]
    return "up" if order.index(changed) > order.index(computed) else "down"


def training_link(unit: str, focus: Iterable[str]) -> str:
    """The training page for a unit, focused on items (the training page assigns cases from it)."""
    return "training?" + urlencode({"unit": unit, "focus": ",".join(focus)}, safe=",")


def _shown(n: int) -> int | None:
    return None if 0 < n < MIN_CELL else n


def _share(part: int | None, whole: int | None) -> float | None:
    return round(part / whole, 4) if part is not None and whole else None


def analyse(
    scope: str,
    saved: list[SavedFact],
    cases: list[CaseNeeds],
    form_times: list[FormTime],
) -> NeedsAnalysis:
    """The figures of the needs analysis, small cells hidden."""
    assessed = Counter((f.unit, f.month, f.checklist) for f in saved)
    unknown: Counter[tuple[str, ...]] = Counter(
        (f.unit, f.month, f.checklist, item) for f in saved for item in f.unknown_items
    )
    # An assessment may leave many items unknown: the counts of items add up to nothing shown, so hiding each
    # small one (primary suppression) is enough.
    unknown_cells = {k: _shown(n) for k, n in unknown.items()}
    unknown_rows = []
    for key, n in sorted(unknown_cells.items(), key=lambda kv: (kv[0][:2], -(kv[1] or 0), kv[0][2:])):
        unit, month, checklist, item = key
        whole = _shown(assessed[(unit, month, checklist)])
        unknown_rows.append(
            UnknownItemFigure(
                unit=unit,
                month=month,
                checklist=checklist,
                item=item,
                unknown=n,
                assessed=whole,
                share=_share(n, whole),
            )
        )

    per_month = Counter((f.unit, f.month) for f in saved)
    moved = Counter(
        (f.unit, f.month, d) for f in saved if (d := direction(f.computed_level, f.override_level)) is not None
    )
    overrides = []
    for (u, m), n in sorted(per_month.items()):
        # Within the unit and month: with the total shown, a small "kept the level" must not follow from up and down.
        up, down = moved[(u, m, "up")], moved[(u, m, "down")]
        cells = suppress_small_cells({("up",): up, ("down",): down, ("same",): n - up - down})
        total = _shown(n)
        shown_up, shown_down = cells[("up",)], cells[("down",)]
        rate = (
            round((up + down) / n, 4) if shown_up is not None and shown_down is not None and total is not None else None
        )
        overrides.append(OverrideFigure(unit=u, month=m, assessments=total, up=shown_up, down=shown_down, rate=rate))

    req: dict[tuple[str, str], list[int]] = {}
    for c in cases:
        r = req.setdefault((c.unit, c.month), [0, 0, 0, 0])
        r[0] += c.required
        r[1] += c.required_not_started
        r[2] += c.immediate_steps
        r[3] += c.immediate_not_done
    required = [
        RequiredFigure(unit=u, month=m, required=_shown(r[0]), not_started=_shown(r[1]) if _shown(r[0]) else None)
        for (u, m), r in sorted(req.items())
    ]
    steps = [
        StepFigure(unit=u, month=m, immediate=_shown(r[2]), not_done=_shown(r[3]) if _shown(r[2]) else None)
        for (u, m), r in sorted(req.items())
    ]

    minutes: dict[tuple[str, str], list[float]] = {}
    for t in form_times:
        minutes.setdefault((t.unit, t.month), []).append(t.minutes)
    times = [
        FormTimeFigure(
            unit=u,
            month=m,
            forms=_shown(len(v)),
            median_minutes=round(median(v), 1) if len(v) >= MIN_CELL else None,
        )
        for (u, m), v in sorted(minutes.items())
    ]

    units = sorted({f.unit for f in saved} | {c.unit for c in cases} | {t.unit for t in form_times})
    months = sorted({f.month for f in saved} | {c.month for c in cases} | {t.month for t in form_times})
    needs = []
    for unit in units:
        per_item = Counter[str]()
        for key, n in unknown_cells.items():
            if key[0] == unit and n is not None:
                per_item[key[3]] += n
        focus = [item for item, _ in sorted(per_item.items(), key=lambda kv: (-kv[1], kv[0]))[:FOCUS_ITEMS]]
        needs.append(UnitNeeds(unit=unit, focus=focus, training_link=training_link(unit, focus)))
    return NeedsAnalysis(
        scope=scope,
        min_cell=MIN_CELL,
        units=units,
        months=months,
        unknown_items=unknown_rows,
        overrides=overrides,
        required_checklists=required,
        immediate_steps=steps,
        form_times=times,
        needs=needs,
    )


def month_of(at: datetime) -> str:
    return at.strftime("%Y-%m")


def form_minutes(started: list[datetime], saves: list[datetime]) -> list[tuple[datetime, float]]:
    """For each save of one user's assessments in one case (in time order), the minutes since the first draft
    saved after the previous save; a save with no draft before it (answered at once) gives none."""
    out = []
    previous: datetime | None = None
    for saved in sorted(saves):
        first = min((d for d in started if (previous is None or d > previous) and d <= saved), default=None)
        if first is not None:
            out.append((saved, (saved - first).total_seconds() / 60))
        previous = saved
    return out


class TrainingFigure(BaseModel):
    """How a unit did on one practice case: attempts and their median score, hidden below MIN_CELL attempts."""

    unit: str
    case_id: str
    attempts: int | None
    median_score: float | None


def training_figures(attempts: Iterable[tuple[str, str, int]]) -> list[TrainingFigure]:
    """Per unit and practice case, from (unit, case, score) of each attempt: a trainee's own score is never shown,
    only a median over at least MIN_CELL attempts."""
    scores: dict[tuple[str, str], list[int]] = {}
    for unit, case_id, score in attempts:
        scores.setdefault((unit, case_id), []).append(score)
    return [
        TrainingFigure(
            unit=unit,
            case_id=case_id,
            attempts=_shown(len(v)),
            median_score=round(float(median(v)), 1) if len(v) >= MIN_CELL else None,
        )
        for (unit, case_id), v in sorted(scores.items())
    ]
