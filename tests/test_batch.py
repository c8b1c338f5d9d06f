"""Batch scoring agrees with single assessments and keeps every other column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from risk import assess, score_frame
from risk.checklists import default_checklists
from risk.errors import InputError
from tests.conftest import make_case


@pytest.mark.parametrize("checklist", ["domestic_violence", "psychiatric", "child_welfare", "criminal_network"])
def test_random_rows_match_assess(checklist: str) -> None:
    cl = default_checklists()[checklist]
    rng = np.random.default_rng(7)
    ids = list(cl.items)
    values = rng.choice(["yes", "no", "unknown", ""], size=(300, len(ids)), p=[0.2, 0.5, 0.15, 0.15])
    df = pd.DataFrame(values, columns=ids)
    scored = score_frame(df, checklist, context="emergency_department")
    for n, row in enumerate(values[:300]):
        answers = {i: v for i, v in zip(ids, row, strict=True) if v}
        case = make_case(
            context="emergency_department",
            persons=[{"id": "p", "role": "victim", "age": 30}],
            assessments=[{"checklist": checklist, "subject": "p", "answers": answers}],
        )
        a = assess(case).assessments[0]
        got = scored.iloc[n]
        assert (got["score"], got["score_max"], got["level"]) == (a.score, a.score_max, a.computed_level.value)
        assert got["completeness"] == pytest.approx(a.completeness, abs=1e-4)


def test_missing_item_columns_are_unasked() -> None:
    out = score_frame(pd.DataFrame({"dv.strangulation": ["yes"]}), "domestic_violence")
    assert out.loc[0, "score"] == 4 and out.loc[0, "score_max"] == 65


def test_nan_cells_are_not_asked() -> None:
    out = score_frame(pd.DataFrame({"dv.strangulation": ["yes", None]}), "domestic_violence")
    assert out["level"].tolist() == ["high", "low"]


def test_result_columns_may_not_overwrite_input() -> None:
    with pytest.raises(InputError) as err:
        score_frame(pd.DataFrame({"dv.strangulation": ["yes"], "level": ["x"]}), "domestic_violence")
    assert "column 'level': already in the file" in err.value.problems[0]


def test_unknown_context() -> None:
    with pytest.raises(InputError, match="context"):
        score_frame(pd.DataFrame({"dv.strangulation": ["yes"]}), "domestic_violence", context="patrol")
