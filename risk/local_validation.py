"""Local validation of a risk score against outcomes an agency has followed up: `python -m risk validate`.

Facts in (outcome 0/1, a score, optionally group columns), an explained report out: discrimination (AUC with a
stratified bootstrap interval), calibration by level (observed outcome rate per level with Wilson intervals), how many
are flagged at each level, and the same per group with the differences beyond chance pointed out (Holm-adjusted
two-sided tests, group against the rest). Not to be confused with risk/validation.py, which checks case files.

Small cells are hidden as in the figures (risk/storage/access.py, MIN_CELL): a group, or a level within the whole
file or a group, of 1 to MIN_CELL - 1 people shows no count, outcome, rate or AUC, and enough other cells are hidden
that none can be worked out from the totals (`suppressed: true` says so; the row is never dropped). A ROC curve's
steps, and a group's AUC, show where each person with (or without) the outcome ranks: over fewer than MIN_CELL of
either they give individual outcomes away, so the file's curve is not drawn (`roc_suppressed: true`, `roc: []`) and
the group's AUC not given (`auc_suppressed: true`), by the same MIN_CELL (`curve_hidden`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

import numpy as np
import pandas as pd
from pydantic import BaseModel

from risk.errors import InputError, Problem, problem
from risk.input_limits import bounded, printable, short

TRUE_WORDS = frozenset({"1", "yes", "true", "ja", "sant"})
FALSE_WORDS = frozenset({"0", "no", "false", "nej", "falskt"})
MAX_LEVELS = 20  # a score with more distinct values is shown by deciles
MAX_GROUPS = 30  # values of one group column
MIN_GROUP = 10  # a smaller group gets no AUC or tests: too few to say anything
ALPHA = 0.05
# Counts from 1 to MIN_CELL - 1 are hidden: risk/storage/access.py's MIN_CELL, the figures' rule, written here because
# importing the storage package would add a second to the command's start (tests/test_local_validation.py checks).
MIN_CELL = 5


class LevelRow(BaseModel):
    level: str
    n: int | None  # None: a small cell, hidden (and so on for the figures below)
    share: float | None  # of all rows
    events: int | None
    observed_rate: float | None
    rate_ci: tuple[float, float] | None
    flagged_n: int | None  # at this level or above
    sensitivity: float | None  # share of the events at this level or above
    false_positive_rate: float | None  # share of the non-events at this level or above
    suppressed: bool = False  # this level's count is hidden (small, or hidden so that a small one stays hidden)


class GroupRow(BaseModel):
    value: str
    n: int | None  # None: a small group, hidden
    events: int | None
    rate: float | None
    auc: float | None
    auc_ci: tuple[float, float] | None
    levels: list[LevelRow]
    suppressed: bool = False  # the whole group is hidden: its value alone is shown
    auc_suppressed: bool = False  # fewer than MIN_CELL with, or without, the outcome in the group: no AUC


class Difference(BaseModel):
    column: str
    value: str
    measure: str  # "auc" or "rate at level <level>"
    group: float
    rest: float
    p: float
    p_adjusted: float
    flagged: bool  # beyond chance after Holm's adjustment over the column's tests


class GroupBreakdown(BaseModel):
    column: str
    rows: list[GroupRow]
    differences: list[Difference]


class ValidationReport(BaseModel):
    outcome: str
    score: str
    n: int
    events: int
    auc: float
    auc_ci: tuple[float, float]
    bootstrap: int
    seed: int
    levels: list[LevelRow]
    roc: list[tuple[float, float]]  # (false positive rate, true positive rate), for a chart; [] when suppressed
    groups: list[GroupBreakdown]
    min_cell: int = MIN_CELL  # counts from 1 to min_cell - 1 are hidden
    roc_suppressed: bool = False  # fewer than min_cell people with, or without, the outcome: no curve (curve_hidden)


def parse_outcome(values: pd.Series, column: str) -> np.ndarray:
    """0/1, yes/no, true/false (any case, Swedish too) as booleans; anything else names the line to fix."""
    words = values.fillna("").astype(str).str.strip().str.lower()
    true = words.isin(TRUE_WORDS).to_numpy()
    false = words.isin(FALSE_WORDS).to_numpy()
    bad = np.flatnonzero(~(true | false))
    if bad.size:
        raise InputError([_bad_cells(column, bad, values, outcome=True)])
    if true.all() or false.all():
        raise InputError(
            [
                problem(
                    "validation.one_outcome",
                    column,
                    f"column {short(column)!r}: every row has the same outcome; an AUC needs both",
                    column=typed(column),
                )
            ]
        )
    return true


def parse_numbers(values: pd.Series, column: str) -> np.ndarray:
    """A numeric column (decimal point or comma); an empty or non-numeric cell names the line to fix."""
    text = values.fillna("").astype(str).str.strip().str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(numbers))
    if bad.size:
        raise InputError([_bad_cells(column, bad, values, outcome=False)])
    return numbers


def typed(value: object) -> str:
    """What the user typed, as a problem's parameter: cut short and printable, as in the English message."""
    return printable(short(str(value)))


def _bad_cells(column: str, bad: np.ndarray, values: pd.Series, *, outcome: bool) -> Problem:
    """The first few lines (as a spreadsheet numbers them: the header is line 1) where a column's cell is wrong,
    the lines as one text and how many more as a number, so a page says "and 3 more" in its own language."""
    first = ", ".join(str(r + 2) for r in bad[:5])
    more = max(0, len(bad) - 5)
    value = short(str(values.iloc[bad[0]]))
    what = "is not an outcome; allowed: 1 or 0 (yes/no, true/false)" if outcome else "is not a number"
    text = f"column {short(column)!r}, line {first}{f' and {more} more' if more else ''}: {value!r} {what}"
    c, v = typed(column), printable(value)
    if outcome:
        if more:
            return problem("validation.not_outcome_more", column, text, column=c, lines=first, more=more, value=v)
        return problem("validation.not_outcome", column, text, column=c, lines=first, value=v)
    if more:
        return problem("validation.not_number_more", column, text, column=c, lines=first, more=more, value=v)
    return problem("validation.not_number", column, text, column=c, lines=first, value=v)


def require_columns(df: pd.DataFrame, columns: Sequence[tuple[str, str]]) -> None:
    """Every (option, column) named must be in the file; the message lists what is there."""
    have = [str(c) for c in df.columns]
    missing: list[str] = [
        problem("validation.no_column", option, f"{option}: no column {short(c)!r} in the file", column=typed(c))
        for option, c in columns
        if c not in have
    ]
    if missing:
        shown = ", ".join(repr(short(c)) for c in have[:20]) + (" …" if len(have) > 20 else "")
        names = tuple(typed(c) for c in have[:20]) + (("…",) if len(have) > 20 else ())
        missing.append(problem("validation.columns_are", "", f"the columns are: {shown}", columns=names))
        raise InputError(bounded(missing))


def wilson(events: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval of a proportion: stays inside [0, 1] and is sensible for 0 or n events."""
    if n == 0:
        return (0.0, 1.0)
    p = events / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def bootstrap_aucs(y: np.ndarray, s: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """AUCs of `n_boot` stratified resamples (events and non-events resampled apart, so each has both).

    Each AUC is the Mann-Whitney count: for every event, the non-events scored lower, plus half those tied."""
    rng = np.random.default_rng(seed)
    pos, neg = s[y], s[~y]
    out = np.empty(n_boot)
    for b in range(n_boot):
        out[b] = mann_whitney(pos[rng.integers(0, len(pos), len(pos))], neg[rng.integers(0, len(neg), len(neg))])
    return out


def mann_whitney(pos: np.ndarray, neg: np.ndarray) -> float:
    """The AUC: the share of (event, non-event) pairs the score orders right, ties counting a half."""
    ns = np.sort(neg)
    below = np.searchsorted(ns, pos, side="left")
    tied = np.searchsorted(ns, pos, side="right") - below
    return float((below.sum() + 0.5 * tied.sum()) / (len(pos) * len(neg)))


def auc_with_ci(y: np.ndarray, s: np.ndarray, n_boot: int, seed: int) -> tuple[float, tuple[float, float], float]:
    """AUC, its 95 % percentile bootstrap interval and the bootstrap standard error."""
    auc = mann_whitney(s[y], s[~y])
    boots = bootstrap_aucs(y, s, n_boot, seed)
    low, high = np.quantile(boots, [0.025, 0.975])
    return auc, (float(low), float(high)), float(boots.std(ddof=1))


def level_labels(s: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Levels of a numeric score: its values when there are at most MAX_LEVELS, else its deciles (as ranges)."""
    values = np.unique(s)
    if len(values) <= MAX_LEVELS:
        names = [_number(v) for v in values]
        return np.searchsorted(values, s), names
    edges = np.unique(np.quantile(s, np.linspace(0, 1, 11)))
    index = np.clip(np.searchsorted(edges, s, side="right") - 1, 0, len(edges) - 2)
    names = [f"{_number(edges[i])}–{_number(edges[i + 1])}" for i in range(len(edges) - 1)]
    return index, names


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.4g}"


def level_rows(y: np.ndarray, index: np.ndarray, names: Sequence[str], total: int | None = None) -> list[LevelRow]:
    """Count, observed rate with interval, and flagged-at-or-above figures per level (index into `names`)."""
    total = total if total is not None else len(y)
    events_all, non_all = int(y.sum()), int((~y).sum())
    rows = []
    for k, name in enumerate(names):
        at = index == k
        above = index >= k
        n, events = int(at.sum()), int(y[at].sum())
        rows.append(
            LevelRow(
                level=name,
                n=n,
                share=n / total if total else 0.0,
                events=events,
                observed_rate=events / n if n else None,
                rate_ci=wilson(events, n) if n else None,
                flagged_n=int(above.sum()),
                sensitivity=float(y[above].sum()) / events_all if events_all else None,
                false_positive_rate=float((~y[above]).sum()) / non_all if non_all else None,
            )
        )
    return rows


def hidden_cells(
    counts: dict[tuple[str, str], int], forced: AbstractSet[tuple[str, str]] = frozenset(), min_cell: int = MIN_CELL
) -> set[tuple[str, str]]:
    """The cells of a (row, column) table of counts to hide: those from 1 to min_cell - 1 and those `forced`, then,
    while a row or column holds exactly one hidden cell, its smallest shown non-zero cell too (the row's or column's
    total is shown elsewhere, so one hidden cell could be worked out). The same rule as the figures' own
    (risk/storage/access.py suppress_small_cells), with cells that must be hidden whatever their size."""
    hidden = {k for k, n in counts.items() if 0 < n < min_cell} | (set(forced) & set(counts))
    changed = True
    while changed:
        changed = False
        for dim in (0, 1):
            lines: dict[str, list[tuple[str, str]]] = {}
            for k in counts:
                lines.setdefault(k[1 - dim], []).append(k)
            for keys in lines.values():
                inside = [k for k in keys if k in hidden]
                shown = sorted((k for k in keys if k not in hidden and counts[k] > 0), key=lambda k: counts[k])
                if len(inside) == 1 and shown:
                    hidden.add(shown[0])
                    changed = True
    return hidden


def hide_levels(rows: list[LevelRow], hidden: set[int]) -> list[LevelRow]:
    """The level rows with the counts of `hidden` levels removed, and the figures "at this level or above" removed
    where they would give a hidden count away: from the level after the first hidden one to the last hidden one
    (below and above that range they add up shown counts only)."""
    if not hidden:
        return rows
    first, last = min(hidden), max(hidden)
    out = []
    for k, r in enumerate(rows):
        changes: dict[str, object] = {}
        if k in hidden:
            changes = {"n": None, "share": None, "events": None, "observed_rate": None, "rate_ci": None}
            changes["suppressed"] = True
        if first < k <= last:
            changes |= {"flagged_n": None, "sensitivity": None, "false_positive_rate": None}
        out.append(r.model_copy(update=changes) if changes else r)
    return out


def holm(p: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment: controls the chance of any false alarm among the tests at ALPHA."""
    order = np.argsort(p)
    m = len(p)
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def two_sided(z: float) -> float:
    """Two-sided p of a standard normal statistic."""
    return math.erfc(abs(z) / math.sqrt(2))


def two_proportions(e1: int, n1: int, e2: int, n2: int) -> float:
    """Two-sided p of a pooled z-test of two proportions (1.0 when there is nothing to compare)."""
    if not n1 or not n2:
        return 1.0
    pooled = (e1 + e2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return 1.0 if se == 0 else two_sided(abs(e1 / n1 - e2 / n2) / se)


def group_breakdown(
    column: str,
    groups: pd.Series,
    y: np.ndarray,
    s: np.ndarray,
    index: np.ndarray,
    names: Sequence[str],
    n_boot: int,
    seed: int,
) -> GroupBreakdown:
    values = groups.fillna("").astype(str).str.strip().replace("", "(empty)")
    counts = values.value_counts()
    if len(counts) > MAX_GROUPS:
        raise InputError(
            [
                problem(
                    "validation.too_many_groups",
                    column,
                    f"--group {short(column)!r}: {len(counts)} different values; "
                    f"at most {MAX_GROUPS} (group them first)",
                    column=typed(column),
                    values=len(counts),
                    most=MAX_GROUPS,
                )
            ]
        )
    ordered = sorted(counts.index, key=str)
    members = {value: (values == value).to_numpy() for value in ordered}
    # Small groups hidden, with another so the total gives none away; then small cells of group × level, with the
    # whole of each hidden group, so that no level's total gives a hidden cell away either.
    sizes = {(str(v), ""): int(members[v].sum()) for v in ordered}
    hidden_groups = {v for v, _ in hidden_cells(sizes)}
    cells = {(str(v), str(k)): int((members[v] & (index == k)).sum()) for v in ordered for k in range(len(names))}
    hidden = hidden_cells(cells, {(str(v), str(k)) for v in hidden_groups for k in range(len(names))})
    rows: list[GroupRow] = []
    tests: list[tuple[str, str, float, float, float]] = []  # value, measure, group, rest, p
    for value in ordered:
        inside = members[value]
        yi, si = y[inside], s[inside]
        if value in hidden_groups:
            rows.append(
                GroupRow(value=value, n=None, events=None, rate=None, auc=None, auc_ci=None, levels=[], suppressed=True)
            )
            continue
        both = 0 < yi.sum() < len(yi)
        auc = ci = None
        auc_hidden = curve_hidden(yi)
        if both and len(yi) >= MIN_GROUP and not auc_hidden:
            auc, ci, se = auc_with_ci(yi, si, n_boot, seed)
            rest_y, rest_s = y[~inside], s[~inside]
            if 0 < rest_y.sum() < len(rest_y):
                rest_auc, _, rest_se = auc_with_ci(rest_y, rest_s, n_boot, seed + 1)
                z = (auc - rest_auc) / math.hypot(se, rest_se) if se or rest_se else 0.0
                tests.append((value, "auc", auc, rest_auc, two_sided(z)))
        if len(yi) >= MIN_GROUP:
            for k, name in enumerate(names):
                if (value, str(k)) in hidden:
                    continue  # its rate would give a hidden cell away
                at_g, at_r = inside & (index == k), ~inside & (index == k)
                n1, n2 = int(at_g.sum()), int(at_r.sum())
                if n1 >= MIN_GROUP and n2 >= MIN_GROUP:
                    e1, e2 = int(y[at_g].sum()), int(y[at_r].sum())
                    tests.append((value, f"rate at level {name}", e1 / n1, e2 / n2, two_proportions(e1, n1, e2, n2)))
        rows.append(
            GroupRow(
                value=value,
                n=len(yi),
                events=int(yi.sum()),
                rate=float(yi.mean()),
                auc=auc,
                auc_ci=ci,
                auc_suppressed=auc_hidden and both and len(yi) >= MIN_GROUP,
                levels=hide_levels(
                    level_rows(yi, index[inside], names), {k for k in range(len(names)) if (value, str(k)) in hidden}
                ),
            )
        )
    adjusted = holm([t[4] for t in tests])
    differences = [
        Difference(column=column, value=v, measure=m, group=g, rest=r, p=p, p_adjusted=a, flagged=a < ALPHA)
        for (v, m, g, r, p), a in zip(tests, adjusted, strict=True)
    ]
    return GroupBreakdown(column=column, rows=rows, differences=differences)


def curve_hidden(y: np.ndarray, min_cell: int = MIN_CELL) -> bool:
    """True where a ROC curve (or an AUC) over outcomes `y` would show individuals: fewer than `min_cell` people
    with the outcome, or without it — the small-cell rule of the tables, applied to the curve's two counts."""
    events = int(y.sum())
    return events < min_cell or len(y) - events < min_cell


def roc_points(y: np.ndarray, s: np.ndarray, at_most: int = 200) -> list[tuple[float, float]]:
    """The ROC curve at every distinct score, from the highest down, as (false positive rate, true positive rate)."""
    order = np.argsort(-s, kind="stable")
    ys, ss = y[order], s[order]
    last = np.r_[np.flatnonzero(np.diff(ss)), len(ss) - 1]  # the last row of each run of equal scores
    tps = np.cumsum(ys)[last]
    fps = (last + 1) - tps
    tpr = np.r_[0.0, tps / max(1, int(y.sum()))]
    fpr = np.r_[0.0, fps / max(1, int((~y).sum()))]
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), at_most)).round().astype(int))
    return [(round(float(fpr[i]), 5), round(float(tpr[i]), 5)) for i in keep]


def validate(
    y: np.ndarray,
    s: np.ndarray,
    *,
    outcome: str,
    score: str,
    levels: tuple[np.ndarray, list[str]] | None = None,
    groups: dict[str, pd.Series] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> ValidationReport:
    """The report for outcomes `y` (bool) and scores `s` (higher = more risk); `levels` = (index, names) if the
    score has named levels (a checklist's), else the score's own values or deciles."""
    if n_boot < 100:
        raise InputError(["--bootstrap: at least 100 resamples"])
    index, names = levels if levels is not None else level_labels(s)
    auc, ci, _ = auc_with_ci(y, s, n_boot, seed)
    return ValidationReport(
        outcome=outcome,
        score=score,
        n=len(y),
        events=int(y.sum()),
        auc=auc,
        auc_ci=ci,
        bootstrap=n_boot,
        seed=seed,
        levels=hide_levels(
            level_rows(y, index, names),
            {int(k) for _, k in hidden_cells({("", str(k)): int((index == k).sum()) for k in range(len(names))})},
        ),
        roc=[] if curve_hidden(y) else roc_points(y, s),
        roc_suppressed=curve_hidden(y),
        groups=[group_breakdown(c, g, y, s, index, names, n_boot, seed) for c, g in (groups or {}).items()],
    )


def validate_frame(
    df: pd.DataFrame,
    outcome: str,
    *,
    score: str | None = None,
    checklist: str | None = None,
    groups: Sequence[str] = (),
    n_boot: int = 1000,
    seed: int = 0,
) -> ValidationReport:
    """Validate a table of text cells: a score column, or a checklist's item answers that Samrisk scores itself."""
    if (score is None) == (checklist is None):
        raise InputError(["give either --score COLUMN or --checklist ID"])
    wanted = [("--outcome", outcome), *(("--group", g) for g in groups)]
    if score is not None:
        wanted.append(("--score", score))
    require_columns(df, wanted)
    y = parse_outcome(df[outcome], outcome)
    group_columns = {g: df[g] for g in dict.fromkeys(groups)}
    if score is not None:
        return validate(
            y,
            parse_numbers(df[score], score),
            outcome=outcome,
            score=score,
            groups=group_columns,
            n_boot=n_boot,
            seed=seed,
        )
    from risk.batch import score_frame
    from risk.vocabulary import LEVEL_ORDER

    assert checklist is not None
    items = df.drop(columns=[outcome, *group_columns])
    scored = score_frame(items, checklist)
    order = [lv.value for lv in LEVEL_ORDER]
    index = np.array([order.index(v) for v in scored["level"]])
    return validate(
        y,
        scored["score"].to_numpy(dtype=float),
        outcome=outcome,
        score=f"{checklist} score",
        levels=(index, order),
        groups=group_columns,
        n_boot=n_boot,
        seed=seed,
    )


def pct(x: float | None, space: str = "") -> str:
    """A share as a percentage with one decimal ("–" for none); `space` before the % sign (Swedish writes one)."""
    return "–" if x is None else f"{100 * x:.1f}{space}%"


def interval(x: tuple[float, float] | None, percent: bool = True, space: str = "") -> str:
    """An interval as percentages or, with percent=False, as three decimals (an AUC's)."""
    if x is None:
        return "–"
    dash = f"{space}–{space}"
    return f"{pct(x[0], space)}{dash}{pct(x[1], space)}" if percent else f"{x[0]:.3f}{dash}{x[1]:.3f}"


HIDDEN = "hidden"  # a suppressed count in the terminal's table


def table(report: ValidationReport) -> str:
    """The report as plain text for a terminal."""
    ci = interval

    def count(x: int | None) -> str:
        return HIDDEN if x is None else str(x)

    def levels(rows: list[LevelRow], indent: str = "  ") -> list[str]:
        out = [
            f"{indent}{'level':<14}{'n':>7}{'share':>8}{'events':>8}{'rate':>8}  {'95% CI':<15}{'flagged≥':>9}"
            f"{'sens':>8}{'FPR':>8}"
        ]
        for r in rows:
            out.append(
                f"{indent}{r.level:<14}{count(r.n):>7}{pct(r.share):>8}{count(r.events):>8}{pct(r.observed_rate):>8}  "
                f"{ci(r.rate_ci):<15}{count(r.flagged_n):>9}{pct(r.sensitivity):>8}{pct(r.false_positive_rate):>8}"
            )
        return out

    small = f"{HIDDEN}: fewer than {report.min_cell} people, or hidden so that such a count cannot be worked out"
    curve_note = (
        f"fewer than {report.min_cell} people with the outcome, or without it: the curve would show individuals"
    )
    lines = [
        f"outcome {report.outcome!r}: {report.events} of {report.n} ({pct(report.events / report.n)})",
        f"score {report.score!r}: AUC {report.auc:.3f} (95% CI {ci(report.auc_ci, False)}, "
        f"{report.bootstrap} stratified bootstrap resamples, seed {report.seed})",
        "",
        "calibration and flagging by level (flagged≥: at this level or above):",
        *levels(report.levels),
    ]
    any_curve_hidden = report.roc_suppressed
    if report.roc_suppressed:
        lines[2:2] = [f"ROC curve: {HIDDEN} ({curve_note})"]
    any_hidden = any(r.suppressed for r in report.levels)
    for g in report.groups:
        lines += ["", f"by {g.column}:"]
        for row in g.rows:
            if row.suppressed:
                lines.append(f"  {row.value}: {HIDDEN} (n, events, AUC and levels)")
                any_hidden = True
                continue
            auc = "AUC –" if row.auc is None else f"AUC {row.auc:.3f} ({ci(row.auc_ci, False)})"
            if row.auc_suppressed:
                auc = f"AUC {HIDDEN}"
                any_curve_hidden = True
            lines.append(f"  {row.value}: n {count(row.n)}, events {count(row.events)} ({pct(row.rate)}), {auc}")
            lines += levels(row.levels, "    ")
            any_hidden = any_hidden or any(r.suppressed for r in row.levels)
        flagged = [d for d in g.differences if d.flagged]
        lines.append(
            f"  differences beyond chance (Holm-adjusted p < {ALPHA}, {len(g.differences)} tests): "
            + ("none" if not flagged else "")
        )
        for d in flagged:
            lines.append(
                f"    {d.value} vs the rest, {d.measure}: {d.group:.3f} vs {d.rest:.3f} (p {d.p_adjusted:.2g})"
            )
    if any_hidden:
        lines += ["", small]
    if any_curve_hidden:
        lines += ["", f"ROC curve and AUC {HIDDEN}: {curve_note}"]
    return "\n".join(lines) + "\n"
