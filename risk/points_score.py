"""Learn an integer points score from outcome data: `python -m risk learn`.

Method (everything learned inside each training fold, so the cross-validated AUC is honest):
1. Binarise: a numeric column gives items "column >= t" with t at the deciles of its training values (fewer if it has
   fewer values); a text column gives "column = value" for each value seen at least MIN_COUNT times. With a checklist,
   each item column gives one item, "answered yes".
2. Select at most K items by forward selection: each step adds the item that most raises the training
   log-likelihood of a (slightly ridge-penalised) logistic regression. Several items may come from one column: two
   thresholds of one number make a band, as in many clinical scores.
3. Integer points: the coefficients times a scale, rounded, |points| <= max_points; the scale is chosen from a grid,
   then single points are added or taken away while that helps; "helps" is judged by the training log-likelihood of
   a logistic fit of the outcome on the total of points.
The reference beside it is a logistic regression on all columns (numbers standardised, text one-hot), and the
current score (a score column, or the checklist's own weights) on the same test folds.
A learned score is a proposal a person reviews; nothing here changes a checklist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from risk.errors import InputError, problem
from risk.input_limits import short
from risk.local_validation import parse_numbers, parse_outcome, require_columns

CUTS = 9  # cut points per numeric column: its deciles
MIN_COUNT = 5  # a text value seen fewer times in the training rows gives no item
MAX_CANDIDATES = 400
RIDGE = 1e-3


class Feature(BaseModel):
    column: str
    op: str  # ">=", "=" or "yes"
    value: float | str

    @property
    def label(self) -> str:
        if self.op == "yes":
            return self.column
        value = _number(self.value) if isinstance(self.value, float) else self.value
        return f"{self.column} {self.op} {value}"


class FoldResult(BaseModel):
    fold: int
    auc: float
    lr_auc: float
    current_auc: float | None
    points: dict[str, int]


class LearnedScore(BaseModel):
    outcome: str
    n: int
    events: int
    max_items: int
    max_points: int
    folds: int
    seed: int
    cv_auc: float
    cv_auc_folds: list[float]
    lr_cv_auc: float
    lr_cv_auc_folds: list[float]
    current: str | None
    current_cv_auc: float | None
    current_cv_auc_folds: list[float] | None
    points: dict[str, int]  # learned on all rows: feature label -> integer points
    intercept: float  # log-odds at 0 points
    log_odds_per_point: float
    risk_by_total: dict[int, float]  # estimated outcome risk per total of points seen in the data
    columns: list[str]
    fold_results: list[FoldResult]


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.4g}"


class Table:
    """The feature columns of a file, typed once: numbers as floats, everything else as text."""

    def __init__(self, df: pd.DataFrame, columns: Sequence[str], checklist_items: bool = False, cuts: int = CUTS):
        self.columns = list(columns)
        self.cuts = cuts
        self.n = len(df)
        self.numeric: dict[str, np.ndarray] = {}
        self.text: dict[str, np.ndarray] = {}
        self.yes: dict[str, np.ndarray] = {}
        for c in self.columns:
            cells = df[c].fillna("").astype(str).str.strip()
            if checklist_items:
                self.yes[c] = (cells == "yes").to_numpy()
                continue
            number = pd.to_numeric(cells.str.replace(",", ".", regex=False), errors="coerce").to_numpy(dtype=float)
            if np.isfinite(number[cells.to_numpy() != ""]).all() and np.isfinite(number).any():
                self.numeric[c] = number  # an empty cell stays NaN: it meets no threshold
            else:
                self.text[c] = cells.to_numpy(dtype=object)

    def candidates(self, rows: np.ndarray) -> list[Feature]:
        """The items to choose from, from the training rows only."""
        out: list[Feature] = []
        for c in self.columns:
            if c in self.yes:
                if self.yes[c][rows].any():
                    out.append(Feature(column=c, op="yes", value="yes"))
            elif c in self.numeric:
                v = self.numeric[c][rows]
                v = v[np.isfinite(v)]
                values = np.unique(v)
                if len(values) < 2:
                    continue
                cuts = (
                    values[1:]
                    if len(values) <= self.cuts + 1
                    else np.unique(np.quantile(v, np.linspace(0, 1, self.cuts + 2)[1:-1], method="higher"))
                )
                out += [Feature(column=c, op=">=", value=float(t)) for t in cuts if t > values[0]]
            else:
                seen = pd.Series(self.text[c][rows]).value_counts()
                out += [Feature(column=c, op="=", value=str(v)) for v, k in seen.items() if k >= MIN_COUNT]
        if len(out) > MAX_CANDIDATES:
            text = f"{len(out)} candidate items from the columns; at most {MAX_CANDIDATES}: use --exclude"
            raise InputError(
                [problem("validation.too_many_items", "exclude", text, items=len(out), most=MAX_CANDIDATES)]
            )
        return out

    def matrix(self, features: Sequence[Feature], rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        cols = []
        for f in features:
            if f.op == "yes":
                cols.append(self.yes[f.column][rows])
            elif f.op == ">=":
                with np.errstate(invalid="ignore"):
                    cols.append(self.numeric[f.column][rows] >= float(f.value))
            else:
                cols.append(self.text[f.column][rows] == f.value)
        n = self.n if isinstance(rows, slice) else len(rows)
        return np.column_stack(cols).astype(float) if cols else np.zeros((n, 0))

    def reference_matrix(self) -> np.ndarray:
        """All columns for the logistic-regression reference: numbers (missing as the mean), text one-hot."""
        parts = []
        for c in self.columns:
            if c in self.yes:
                parts.append(self.yes[c][:, None].astype(float))
            elif c in self.numeric:
                v = self.numeric[c]
                missing = ~np.isfinite(v)
                filled = np.where(missing, np.nanmean(v) if (~missing).any() else 0.0, v)
                parts.append(filled[:, None])
                if missing.any():
                    parts.append(missing[:, None].astype(float))
            else:
                parts.append(pd.get_dummies(pd.Series(self.text[c])).to_numpy(dtype=float))
        return np.column_stack(parts)


def logistic(x: np.ndarray, y: np.ndarray, ridge: float = RIDGE, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Newton's method for a logistic regression with intercept (not penalised) and a small ridge; returns the
    weights (intercept first) and the log-likelihood."""
    xb = np.column_stack([np.ones(len(x)), x])
    w = np.zeros(xb.shape[1])
    penalty = np.full(xb.shape[1], ridge)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        gradient = xb.T @ (y - p) - penalty * w
        hessian = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(penalty)
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(w)), gradient)
        w += step
        if np.abs(step).max() < 1e-8:
            break
    z = xb @ w
    loglik = float(np.sum(y * z - np.logaddexp(0.0, z)))
    return w, loglik


def forward_select(x: np.ndarray, y: np.ndarray, k: int) -> list[int]:
    """Indices of at most k columns, each step the one that most raises the log-likelihood."""
    chosen: list[int] = []
    current = logistic(x[:, []], y)[1]
    for _ in range(min(k, x.shape[1])):
        best, best_ll = -1, current
        for j in range(x.shape[1]):
            if j in chosen or x[:, j].min() == x[:, j].max():
                continue
            ll = logistic(x[:, [*chosen, j]], y)[1]
            if ll > best_ll + 1e-9:
                best, best_ll = j, ll
        if best < 0:
            break
        chosen.append(best)
        current = best_ll
    return chosen


def _fit_of_total(total: np.ndarray, y: np.ndarray) -> float:
    """Training log-likelihood of the risk a total of points gives (a logistic fit of the outcome on the total)."""
    if total.min() == total.max():
        return logistic(np.zeros((len(y), 0)), y)[1]
    return logistic(total[:, None].astype(float), y, ridge=0.0)[1]


def integer_points(x: np.ndarray, y: np.ndarray, coef: np.ndarray, max_points: int) -> np.ndarray:
    """Integer points, |points| <= max_points, for the columns of x: coef × a scale, rounded, the scale chosen
    from a grid, then single points added or taken away while that helps; each choice by how well the total
    predicts the training outcome (the log-likelihood of a logistic fit on the total, as FasterRisk scores it)."""
    top = np.abs(coef).max() if coef.size else 0.0
    if top == 0:
        return np.zeros(len(coef), dtype=int)
    yf = y.astype(float)
    best_points: np.ndarray = np.sign(coef).astype(int)
    best_fit = -np.inf
    for scale in np.linspace(0.5, max_points + 0.49, 40) / top:
        points = np.round(coef * scale).astype(int)
        fit = _fit_of_total(x @ points, yf) if points.any() else -np.inf
        if fit > best_fit + 1e-9:
            best_points, best_fit = points, fit
    improved = True
    while improved:
        improved = False
        for j in range(len(best_points)):
            for step in (-1, 1):
                trial = best_points.copy()
                trial[j] += step
                if abs(trial[j]) > max_points or not trial.any():
                    continue
                fit = _fit_of_total(x @ trial, yf)
                if fit > best_fit + 1e-9:
                    best_points, best_fit, improved = trial, fit, True
    return best_points


def fit_points(
    table: Table, y: np.ndarray, rows: np.ndarray, max_items: int, max_points: int
) -> tuple[list[Feature], np.ndarray]:
    """Items and integer points learned from `rows` only; items whose points round to 0 are dropped."""
    features = table.candidates(rows)
    x = table.matrix(features, rows)
    chosen = forward_select(x, y[rows].astype(float), max_items)
    if not chosen:
        return [], np.zeros(0, dtype=int)
    w, _ = logistic(x[:, chosen], y[rows].astype(float))
    points = integer_points(x[:, chosen], y[rows], w[1:], max_points)
    keep = points != 0
    return [features[j] for j, k in zip(chosen, keep, strict=True) if k], points[keep]


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    return float(roc_auc_score(y, s)) if s.min() < s.max() else 0.5


def learn(
    table: Table,
    y: np.ndarray,
    *,
    outcome: str,
    max_items: int,
    folds: int = 5,
    seed: int = 0,
    max_points: int = 5,
    current: tuple[str, np.ndarray] | None = None,
) -> LearnedScore:
    """Cross-validate the method (stratified folds, everything learned inside each), then learn on all rows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    problems = []
    if not 1 <= max_items <= 50:
        problems.append("--max-items: give 1 to 50")
    if not 2 <= folds <= 20:
        problems.append("--folds: give 2 to 20")
    if not 1 <= max_points <= 20:
        problems.append("--max-points: give 1 to 20 (a checklist item has at most 20 points)")
    if problems:
        raise InputError(problems)
    if min(int(y.sum()), int((~y).sum())) < folds:
        text = f"--folds: {folds} folds need at least {folds} rows of each outcome"
        raise InputError([problem("validation.too_few_for_folds", "folds", text, folds=folds)])
    reference_x = table.reference_matrix()
    results: list[FoldResult] = []
    for k, (train, test) in enumerate(StratifiedKFold(folds, shuffle=True, random_state=seed).split(reference_x, y)):
        features, points = fit_points(table, y, train, max_items, max_points)
        total = table.matrix(features, test) @ points if features else np.zeros(len(test))
        lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(reference_x[train], y[train])
        results.append(
            FoldResult(
                fold=k + 1,
                auc=_auc(y[test], total),
                lr_auc=_auc(y[test], lr.predict_proba(reference_x[test])[:, 1]),
                current_auc=None if current is None else _auc(y[test], current[1][test]),
                points={f.label: int(p) for f, p in zip(features, points, strict=True)},
            )
        )
    everyone = np.arange(len(y))
    features, points = fit_points(table, y, everyone, max_items, max_points)
    total = table.matrix(features) @ points if features else np.zeros(len(y))
    w, _ = logistic(total[:, None], y.astype(float), ridge=0.0)
    totals = np.unique(total).astype(int)
    return LearnedScore(
        outcome=outcome,
        n=len(y),
        events=int(y.sum()),
        max_items=max_items,
        max_points=max_points,
        folds=folds,
        seed=seed,
        cv_auc=float(np.mean([r.auc for r in results])),
        cv_auc_folds=[r.auc for r in results],
        lr_cv_auc=float(np.mean([r.lr_auc for r in results])),
        lr_cv_auc_folds=[r.lr_auc for r in results],
        current=None if current is None else current[0],
        current_cv_auc=None if current is None else float(np.mean([r.current_auc or 0.0 for r in results])),
        current_cv_auc_folds=None if current is None else [r.current_auc or 0.0 for r in results],
        points={f.label: int(p) for f, p in zip(features, points, strict=True)},
        intercept=float(w[0]),
        log_odds_per_point=float(w[1]),
        risk_by_total={int(t): float(1 / (1 + np.exp(-(w[0] + w[1] * t)))) for t in totals},
        columns=table.columns,
        fold_results=results,
    )


def learn_frame(
    df: pd.DataFrame,
    outcome: str,
    *,
    max_items: int,
    folds: int = 5,
    seed: int = 0,
    max_points: int = 5,
    score: str | None = None,
    checklist: str | None = None,
    exclude: Sequence[str] = (),
    cuts: int = CUTS,
) -> LearnedScore:
    """Learn from a table of text cells: every column but the outcome, `score` and `exclude` is a feature; with a
    checklist, its item columns are, and the current weights are scored beside the learned ones."""
    require_columns(
        df, [("--outcome", outcome), *(("--exclude", c) for c in exclude), *([("--score", score)] if score else [])]
    )
    if score is not None and checklist is not None:
        raise InputError(["give --score or --checklist, not both"])
    if not 1 <= cuts <= 99:
        raise InputError(["--cuts: give 1 to 99 cut points per numeric column"])
    y = parse_outcome(df[outcome], outcome)
    current: tuple[str, np.ndarray] | None = None
    if score is not None:
        current = (score, parse_numbers(df[score], score))
    skip = {outcome, *exclude, *([score] if score else [])}
    if checklist is not None:
        from risk.batch import score_frame
        from risk.checklists import default_checklists

        cl = default_checklists().get(checklist)
        if cl is None:
            raise InputError([f"--checklist: unknown checklist {checklist!r}"])
        scored = score_frame(df.drop(columns=list(skip)), checklist)
        current = (f"{checklist} current weights", scored["score"].to_numpy(dtype=float))
        columns = [c for c in df.columns if c in cl.items and c not in skip]
        table = Table(df, columns, checklist_items=True)
    else:
        columns = [str(c) for c in df.columns if c not in skip]
        if not columns:
            text = "no column is left to learn from besides the outcome"
            raise InputError([problem("validation.nothing_to_learn_from", "exclude", text)])
        table = Table(df, columns, cuts=cuts)
    return learn(
        table, y, outcome=outcome, max_items=max_items, folds=folds, seed=seed, max_points=max_points, current=current
    )


def proposal(result: LearnedScore, checklist: str) -> dict[str, Any]:
    """A proposed weights file for a checklist's items: for a person to review, never applied by Samrisk."""
    from risk.checklists import default_checklists

    cl = default_checklists()[checklist]
    negative = sorted(item for item, p in result.points.items() if p < 0)
    return {
        "status": "proposal - review by a person before any change; Samrisk never applies it",
        "checklist": checklist,
        "checklist_version": cl.version,
        "outcome": result.outcome,
        "rows": result.n,
        "events": result.events,
        "cv_auc": round(result.cv_auc, 4),
        "current_cv_auc": None if result.current_cv_auc is None else round(result.current_cv_auc, 4),
        "folds": result.folds,
        "seed": result.seed,
        "proposed_points": {item: max(0, result.points.get(item, 0)) for item in cl.items},
        "current_points": {item: cl.items[item].points for item in cl.items},
        "note": (
            "items not chosen get 0; an item that lowered the risk in these data was set to 0 (a checklist's points "
            "are 0 or more): " + (", ".join(negative) if negative else "none")
        ),
    }


def proposal_yaml(result: LearnedScore, checklist: str, made_by: str = "`python -m risk learn`") -> str:
    """The proposal as a YAML file whose first line says it is one: for a person to review, never applied."""
    import yaml

    text = f"# PROPOSAL: learned by {made_by}; a person reviews it. Samrisk never applies it.\n"
    return text + yaml.safe_dump(proposal(result, checklist), allow_unicode=True, sort_keys=False)


def table_text(result: LearnedScore) -> str:
    """The learned score as plain text for a terminal."""
    width = max([len(k) for k in result.points] + [10])
    lines = [
        f"outcome {short(result.outcome)!r}: {result.events} of {result.n}; "
        f"{result.folds}-fold cross-validation, seed {result.seed}",
        f"{'':<28}{'mean AUC':>9}  per fold",
        f"{'points score (≤' + str(result.max_items) + ' items)':<28}{result.cv_auc:>9.3f}  "
        + " ".join(f"{a:.3f}" for a in result.cv_auc_folds),
        f"{'logistic regression (all)':<28}{result.lr_cv_auc:>9.3f}  "
        + " ".join(f"{a:.3f}" for a in result.lr_cv_auc_folds),
    ]
    if result.current is not None and result.current_cv_auc_folds is not None:
        lines.append(
            f"{short(result.current):<28}{result.current_cv_auc or 0:>9.3f}  "
            + " ".join(f"{a:.3f}" for a in result.current_cv_auc_folds)
        )
    lines += ["", "points learned on all rows (a proposal to review, not applied):"]
    lines += [f"  {label:<{width}} {p:+d}" for label, p in result.points.items()]
    lines += ["", "estimated risk by total points:"]
    lines += [f"  {t:>4}: {100 * r:.1f}%" for t, r in result.risk_by_total.items()]
    return "\n".join(lines) + "\n"
