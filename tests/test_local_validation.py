"""`risk validate`: AUC, bootstrap interval, calibration by level and group differences, on data with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from risk.errors import InputError
from risk.local_validation import holm, level_rows, validate, validate_frame, wilson
from tests.conftest import run_cli

REAL = Path("/work/shared/data/broward_violent_reoffence.csv")


def logistic_data(n: int, seed: int, slope: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A score 0–9 (ties) and an outcome drawn from a known logistic model of it."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 10, n).astype(float)
    y = rng.random(n) < 1 / (1 + np.exp(-(-3 + slope * 0.4 * s)))
    return y, s


def test_auc_equals_sklearn_with_ties() -> None:
    y, s = logistic_data(3000, seed=1)
    report = validate(y, s, outcome="y", score="s", n_boot=200)
    assert report.auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert report.n == 3000 and report.events == int(y.sum())


def test_roc_points_are_sklearns_curve() -> None:
    from sklearn.metrics import roc_curve

    from risk.local_validation import roc_points

    y, s = logistic_data(500, seed=9)
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
    assert roc_points(y, s) == [(round(float(a), 5), round(float(b), 5)) for a, b in zip(fpr, tpr, strict=True)]
    rng = np.random.default_rng(9)
    many = rng.normal(size=2000)
    points = roc_points(rng.random(2000) < 0.3, many, at_most=50)
    assert len(points) == 50 and points[0] == (0.0, 0.0) and points[-1] == (1.0, 1.0)


def test_bootstrap_interval_contains_the_auc_and_narrows_with_n() -> None:
    small_y, small_s = logistic_data(300, seed=2)
    large_y, large_s = logistic_data(6000, seed=2)
    small = validate(small_y, small_s, outcome="y", score="s", n_boot=500)
    large = validate(large_y, large_s, outcome="y", score="s", n_boot=500)
    for r in (small, large):
        assert r.auc_ci[0] < r.auc < r.auc_ci[1]
    width = lambda r: r.auc_ci[1] - r.auc_ci[0]  # noqa: E731
    assert width(large) < width(small) / 2.5  # about sqrt(20) narrower
    again = validate(small_y, small_s, outcome="y", score="s", n_boot=500)
    assert again.auc_ci == small.auc_ci  # the seed fixes the resamples


def test_perfect_score_has_auc_one() -> None:
    y = np.array([False] * 50 + [True] * 50)
    s = np.arange(100, dtype=float)
    report = validate(y, s, outcome="y", score="s", n_boot=200)
    assert report.auc == 1.0 and report.auc_ci == (1.0, 1.0)


def test_calibration_and_flagging_exact_on_constructed_levels() -> None:
    # level 0: 100 rows, 10 events; level 1: 50 rows, 20 events; level 2: 20 rows, 15 events
    index = np.repeat([0, 1, 2], [100, 50, 20])
    y = np.concatenate([np.arange(100) < 10, np.arange(50) < 20, np.arange(20) < 15])
    rows = level_rows(y, index, ["low", "mid", "high"])
    assert [r.observed_rate for r in rows] == [0.1, 0.4, 0.75]
    assert [r.n for r in rows] == [100, 50, 20] and [r.events for r in rows] == [10, 20, 15]
    assert [r.flagged_n for r in rows] == [170, 70, 20]
    assert [r.sensitivity for r in rows] == pytest.approx([1.0, 35 / 45, 15 / 45])
    assert [r.false_positive_rate for r in rows] == pytest.approx([1.0, 35 / 125, 5 / 125])
    for r in rows:
        assert r.rate_ci is not None and r.rate_ci[0] < (r.observed_rate or 0) < r.rate_ci[1]


def test_wilson_and_holm_known_values() -> None:
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == pytest.approx(1.0)
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_score_with_many_values_is_shown_by_deciles() -> None:
    rng = np.random.default_rng(3)
    s = rng.normal(size=1000)
    y = rng.random(1000) < 1 / (1 + np.exp(-s))
    report = validate(y, s, outcome="y", score="s", n_boot=100)
    assert len(report.levels) == 10
    assert sum(r.n for r in report.levels) == 1000
    assert all(90 <= r.n <= 110 for r in report.levels)


def test_group_differences_flagged_when_real_not_when_by_chance() -> None:
    rng = np.random.default_rng(4)
    n = 4000
    s = rng.integers(0, 5, n).astype(float)
    unit = np.where(rng.random(n) < 0.5, "north", "south")
    # north: the score works; south: the outcome is unrelated to it, and more frequent at every level
    p = np.where(unit == "north", 1 / (1 + np.exp(-(-3 + 0.8 * s))), 0.35)
    y = rng.random(n) < p
    chance = pd.Series(np.where(rng.random(n) < 0.5, "a", "b"))
    report = validate(
        y, s, outcome="y", score="s", groups={"unit": pd.Series(unit), "coin": chance}, n_boot=300, seed=0
    )
    unit_g, coin_g = report.groups
    flagged = {(d.value, d.measure) for d in unit_g.differences if d.flagged}
    assert ("north", "auc") in flagged and ("south", "auc") in flagged
    assert ("south", "rate at level 0") in flagged
    assert not [d for d in coin_g.differences if d.flagged]
    assert {r.value for r in coin_g.rows} == {"a", "b"}
    north = next(r for r in unit_g.rows if r.value == "north")
    assert north.auc == pytest.approx(roc_auc_score(y[unit == "north"], s[unit == "north"]))


def test_checklist_file_is_scored_by_samrisk() -> None:
    rng = np.random.default_rng(5)
    n = 600
    strangled = rng.random(n) < 0.3
    threats = rng.random(n) < 0.4
    y = rng.random(n) < 0.1 + 0.5 * strangled + 0.2 * threats
    df = pd.DataFrame(
        {
            "dv.strangulation": np.where(strangled, "yes", "no"),
            "dv.threat_to_kill": np.where(threats, "yes", "no"),
            "outcome": y.astype(int).astype(str),
            "unit": np.where(rng.random(n) < 0.5, "x", "y"),
        }
    )
    report = validate_frame(df, "outcome", checklist="domestic_violence", groups=["unit"], n_boot=200)
    from risk.batch import score_frame

    scored = score_frame(df[["dv.strangulation", "dv.threat_to_kill"]], "domestic_violence")
    assert report.auc == pytest.approx(roc_auc_score(y, scored["score"]))
    assert [r.level for r in report.levels] == ["low", "moderate", "high", "severe"]
    assert [r.n for r in report.levels] == [
        int((scored["level"] == lv).sum()) for lv in ("low", "moderate", "high", "severe")
    ]
    assert report.groups[0].column == "unit"


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("outcome", ["1", "0", "maybe"], "column 'outcome', line 4: 'maybe' is not an outcome"),
        ("score", ["1", "x", "2"], "column 'score', line 3: 'x' is not a number"),
        ("outcome", ["1", "1", "1"], "every row has the same outcome"),
    ],
)
def test_bad_cells_name_column_and_line(column: str, values: list[str], message: str) -> None:
    df = pd.DataFrame({"outcome": ["1", "0", "1"], "score": ["1", "2", "3"]})
    df[column] = values
    with pytest.raises(InputError) as e:
        validate_frame(df, "outcome", score="score")
    assert message in e.value.problems[0]


def test_missing_column_lists_the_columns() -> None:
    df = pd.DataFrame({"outcome": ["1", "0"], "score": ["1", "2"]})
    with pytest.raises(InputError) as e:
        validate_frame(df, "outcome", score="risk", groups=["sex"])
    assert e.value.problems == [
        "--group: no column 'sex' in the file",
        "--score: no column 'risk' in the file",
        "the columns are: 'outcome', 'score'",
    ]


def test_cli_json_and_table(tmp_path: Path) -> None:
    y, s = logistic_data(400, seed=6)
    path = tmp_path / "f.csv"
    pd.DataFrame({"utfall": y.astype(int), "poäng": s.astype(int), "kön": np.where(s % 2 == 0, "k", "m")}).to_csv(
        path, sep=";", index=False
    )
    out = run_cli("validate", str(path), "--outcome", "utfall", "--score", "poäng", "--group", "kön", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["auc"] == pytest.approx(roc_auc_score(y, s))
    assert data["auc_ci"][0] < data["auc"] < data["auc_ci"][1]
    assert data["groups"][0]["column"] == "kön"
    text = run_cli("validate", str(path), "--outcome", "utfall", "--score", "poäng")
    assert text.returncode == 0 and "AUC" in text.stdout and "calibration" in text.stdout
    bad = run_cli("validate", str(path), "--outcome", "outcome", "--score", "poäng", "--json")
    assert bad.returncode == 2 and bad.stdout == ""
    assert "error: --outcome: no column 'outcome' in the file" in bad.stderr


@pytest.mark.full
@pytest.mark.skipif(not REAL.exists(), reason=f"{REAL} is not on this machine (the real outcome data, not copied)")
def test_real_file_reproduces_sklearn_auc_of_the_incumbent_decile() -> None:
    df = pd.read_csv(REAL)
    out = run_cli(
        "validate", str(REAL), "--outcome", "violent_reoffence_2y", "--score", "incumbent_violence_decile",
        "--group", "sex", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    expected = roc_auc_score(df["violent_reoffence_2y"], df["incumbent_violence_decile"])
    assert data["auc"] == pytest.approx(expected, abs=1e-12)
    assert round(expected, 3) == 0.719
    assert data["auc_ci"][0] < expected < data["auc_ci"][1]
    assert [r["level"] for r in data["levels"]] == [str(k) for k in range(1, 11)]


def test_min_cell_is_the_figures_own() -> None:
    from risk import local_validation
    from risk.storage.access import MIN_CELL

    assert local_validation.MIN_CELL == MIN_CELL


def test_hidden_cells_hide_small_ones_and_enough_others() -> None:
    from risk.local_validation import hidden_cells

    counts = {("a", "0"): 50, ("a", "1"): 3, ("a", "2"): 20, ("b", "0"): 40, ("b", "1"): 30, ("b", "2"): 60}
    hidden = hidden_cells(counts)
    assert ("a", "1") in hidden
    for dim in (0, 1):  # no row or column is left with exactly one hidden cell: its total would give it away
        for line in {k[dim] for k in counts}:
            assert sum(1 for k in hidden if k[dim] == line) != 1
    assert hidden_cells({("x", ""): 10, ("y", ""): 3, ("z", ""): 6}) == {("y", ""), ("z", "")}
    assert hidden_cells({("x", ""): 10, ("y", ""): 0}) == set()  # zero is no small cell
    assert hidden_cells({("x", ""): 10, ("y", ""): 8}, forced={("x", "")}) == {("x", ""), ("y", "")}


def small_groups(tmp_path: Path | None = None) -> pd.DataFrame:
    """north 302 (2 of them at score 3, the only ones there), south 300, east 3, west 7."""
    rng = np.random.default_rng(11)
    units = ["north"] * 300 + ["south"] * 300 + ["east"] * 3 + ["west"] * 7
    s = rng.integers(0, 3, len(units))
    y = rng.random(len(units)) < 0.15 + 0.2 * s
    frame = pd.DataFrame({"y": y.astype(int), "s": s, "unit": units})
    extra = pd.DataFrame({"y": [1, 0], "s": [3, 3], "unit": ["north", "north"]})
    return pd.concat([frame, extra], ignore_index=True).astype(str)


def test_small_groups_and_levels_are_hidden_and_say_so() -> None:
    df = small_groups()
    report = validate_frame(df, "y", score="s", groups=["unit"], n_boot=200)
    assert report.min_cell == 5
    by_level = {r.level: r for r in report.levels}
    assert by_level["3"].suppressed and by_level["3"].n is None and by_level["3"].events is None
    assert by_level["3"].observed_rate is None and by_level["3"].rate_ci is None
    hidden_levels = [r.level for r in report.levels if r.suppressed]
    assert len(hidden_levels) == 2  # the small one and one more, so the total gives neither away
    first = min(int(v) for v in hidden_levels)
    for r in report.levels:  # "at this level or above" would tell a hidden count after the first hidden level
        assert (r.flagged_n is None) == (int(r.level) > first)
    rows = {r.value: r for r in report.groups[0].rows}
    assert list(rows) == ["east", "north", "south", "west"]  # hidden groups are listed, never dropped
    for small in ("east", "west"):  # east has 3 people; west 7, hidden so that east's 3 cannot be worked out
        row = rows[small]
        assert row.suppressed and row.n is None and row.events is None and row.rate is None and row.auc is None
        assert row.levels == []
    assert rows["north"].n == 302 and rows["south"].n == 300 and not rows["north"].suppressed
    north_levels = {r.level: r for r in rows["north"].levels}
    assert north_levels["3"].suppressed and north_levels["3"].n is None
    assert not {d.value for d in report.groups[0].differences} & {"east", "west"}


def test_hidden_figures_in_the_json_and_the_table(tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    small_groups().to_csv(path, index=False)
    out = run_cli("validate", str(path), "--outcome", "y", "--score", "s", "--group", "unit", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    east = next(r for r in data["groups"][0]["rows"] if r["value"] == "east")
    assert east["suppressed"] is True and east["n"] is None and east["auc"] is None
    assert data["min_cell"] == 5
    assert next(r for r in data["levels"] if r["level"] == "3")["n"] is None
    text = run_cli("validate", str(path), "--outcome", "y", "--score", "s", "--group", "unit")
    assert text.returncode == 0, text.stderr
    assert "east: hidden" in text.stdout and "west: hidden" in text.stdout
    assert "hidden: fewer than 5 people" in text.stdout
    assert "n 3," not in text.stdout and "n 7," not in text.stdout


def few_events(events: int, n: int = 60, seed: int = 3) -> pd.DataFrame:
    """`n` people, `events` of them with the outcome, scores 0–9; a group `unit` where `rare` has 2 events of 20."""
    rng = np.random.default_rng(seed)
    y = np.zeros(n, dtype=int)
    y[rng.choice(n, events, replace=False)] = 1
    return pd.DataFrame({"y": y, "s": rng.integers(0, 10, n)}).astype(str)


@pytest.mark.parametrize(("events", "n"), [(4, 60), (56, 60), (2, 8)])
def test_the_roc_curve_of_a_file_with_too_few_with_or_without_the_outcome_is_not_given(events: int, n: int) -> None:
    from risk.local_validation import MIN_CELL, curve_hidden

    report = validate_frame(few_events(events, n), "y", score="s", n_boot=200)
    assert min(report.events, report.n - report.events) < MIN_CELL
    assert report.roc_suppressed and report.roc == [] and curve_hidden(np.array([1] * events + [0] * (n - events)))


def test_the_roc_curve_of_a_normal_file_is_given_and_five_of_each_is_enough() -> None:
    report = validate_frame(few_events(5, 60), "y", score="s", n_boot=200)
    assert not report.roc_suppressed and report.roc[0] == (0.0, 0.0) and report.roc[-1] == (1.0, 1.0)
    y, s = logistic_data(400, seed=6)
    assert not validate(y, s, outcome="y", score="s", n_boot=200).roc_suppressed


def test_a_groups_auc_over_too_few_with_the_outcome_is_not_given_nor_tested() -> None:
    df = few_events(30, 200)
    df["unit"] = ["big"] * 180 + ["rare"] * 20
    df.loc[180:, "y"] = ["1", "1"] + ["0"] * 18  # 'rare': 20 people, 2 with the outcome
    report = validate_frame(df, "y", score="s", groups=["unit"], n_boot=200)
    rows = {r.value: r for r in report.groups[0].rows}
    assert rows["rare"].auc is None and rows["rare"].auc_ci is None and rows["rare"].auc_suppressed
    assert rows["rare"].n == 20 and not rows["rare"].suppressed  # its count is no small cell: only the AUC goes
    assert rows["big"].auc is not None and not rows["big"].auc_suppressed
    assert not [d for d in report.groups[0].differences if d.value == "rare" and d.measure == "auc"]


def test_a_suppressed_curve_in_the_json_and_the_table(tmp_path: Path) -> None:
    path = tmp_path / "few.csv"
    few_events(3, 60).to_csv(path, index=False)
    out = run_cli("validate", str(path), "--outcome", "y", "--score", "s", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["roc_suppressed"] is True and data["roc"] == [] and data["min_cell"] == 5
    text = run_cli("validate", str(path), "--outcome", "y", "--score", "s")
    assert "ROC curve: hidden (fewer than 5 people with the outcome, or without it" in text.stdout
