"""Score many assessments of one checklist at once, from a table with one column per item.

Vectorised over rows: the same array code as `assess` (risk.scoring.score_arrays), so a
batch row and a single assessment with the same answers get the same score and level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from risk.checklists import Checklist, default_checklists
from risk.errors import InputError
from risk.scoring import compile_checklist, score_arrays
from risk.vocabulary import LEVEL_ORDER, Context

ADDED = ("score", "score_max", "completeness", "level")
ALLOWED = ("yes", "no", "unknown", "")


def score_frame(
    df: pd.DataFrame,
    checklist: str,
    context: Context | str = Context.case_conference,
    checklists: dict[str, Checklist] | None = None,
) -> pd.DataFrame:
    """Return a copy of `df` with score, score_max, completeness and level added.

    Item columns hold yes / no / unknown, or empty (not asked); other columns pass through.
    `context` decides the form, and so score_max and completeness; it defaults to the full form.
    """
    checklists = checklists if checklists is not None else default_checklists()
    problems: list[str] = []
    cl = checklists.get(checklist)
    try:
        ctx = Context(context)
    except ValueError:
        problems.append(f"--context: {context!r} is not a context; allowed: {', '.join(c.value for c in Context)}")
    if cl is None:
        problems.append(f"--checklist: unknown checklist {checklist!r}; allowed: {', '.join(checklists)}")
    if problems or cl is None:
        raise InputError(problems)
    cc = compile_checklist(cl)
    columns = [str(c) for c in df.columns]
    problems += [
        f"column {c!r}: not an item of {cl.id}; items start with {cl.item_prefix}."
        for c in columns
        if c.startswith(cl.item_prefix + ".") and c not in cl.items
    ]
    problems += [
        f"column {c!r}: already in the file; rename it, the result is written there" for c in ADDED if c in columns
    ]
    n, k = len(df), len(cc.ids)
    yes = np.zeros((n, k), dtype=bool)
    known = np.zeros((n, k), dtype=bool)
    answered = np.zeros((n, k), dtype=bool)
    for j, item in enumerate(cc.ids):
        if item not in df.columns:
            continue
        col = df[item]
        values = col.fillna("").astype(str)  # empty cells (NaN when read with default options) = not asked
        is_yes = (values == "yes").to_numpy(dtype=bool)
        is_no = (values == "no").to_numpy(dtype=bool)
        is_unknown = (values == "unknown").to_numpy(dtype=bool)
        ok = is_yes | is_no | is_unknown | (values == "").to_numpy(dtype=bool)
        if not ok.all():
            bad = np.flatnonzero(~ok)
            rows = ", ".join(str(r + 2) for r in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            got = values.iloc[bad[0]]
            problems.append(
                f"column {item!r}, line {rows}: {got!r} is not an answer; allowed: yes, no, unknown or empty"
            )
        yes[:, j] = is_yes
        known[:, j] = is_yes | is_no
        answered[:, j] = known[:, j] | is_unknown
    if problems:
        raise InputError(problems)
    in_form = cc.form_mask(ctx)[None, :] | answered
    now = score_arrays(cc, yes)
    worst = score_arrays(cc, yes | (in_form & ~known))
    out = df.copy()
    out["score"] = now.score
    out["score_max"] = worst.score
    out["completeness"] = np.round((known & in_form).sum(axis=1) / in_form.sum(axis=1), 4)
    out["level"] = np.array([lv.value for lv in LEVEL_ORDER], dtype=object)[now.level]
    return out
