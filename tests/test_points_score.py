"""`risk learn`: an integer points score, cross-validated honestly, on data with a known answer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from risk.errors import InputError
from risk.points_score import Table, integer_points, learn_frame, proposal
from tests.conftest import run_cli

REAL = Path("/work/shared/data/broward_violent_reoffence.csv")


def known_model(n: int, seed: int) -> pd.DataFrame:
    """Outcome from a known logistic model: a, b (0/1) and c >= 50 matter; d, e and f are noise."""
    rng = np.random.default_rng(seed)
    a = rng.random(n) < 0.4
    b = rng.random(n) < 0.3
    c = rng.integers(0, 100, n)
    logit = -2.5 + 1.6 * a + 1.0 * b + 1.3 * (c >= 50)
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "a": a.astype(int).astype(str),
            "b": b.astype(int).astype(str),
            "c": c.astype(str),
            "d": rng.integers(0, 30, n).astype(str),
            "e": rng.integers(0, 2, n).astype(str),
            "f": rng.choice(["x", "y", "z"], n),
            "outcome": y.astype(int).astype(str),
        }
    )


def test_recovers_the_known_items_and_their_order_of_weight() -> None:
    result = learn_frame(known_model(5000, seed=0), "outcome", max_items=3, folds=3, seed=0)

    def c_cut(points: dict[str, int]) -> str:  # the cut points are deciles: c's is the one nearest 50
        (label,) = [k for k in points if k.startswith("c >= ")]
        assert 45 <= int(label.split()[-1]) <= 55
        return label

    c = c_cut(result.points)
    assert set(result.points) == {"a >= 1", "b >= 1", c}
    assert result.points["a >= 1"] > result.points["b >= 1"] > 0 and result.points[c] > 0
    assert all(-5 <= p <= 5 for p in result.points.values())
    for fold in result.fold_results:  # every fold found them too, from its own training rows
        assert set(fold.points) == {"a >= 1", "b >= 1", c_cut(fold.points)}
    assert result.cv_auc == pytest.approx(np.mean(result.cv_auc_folds))
    assert abs(result.cv_auc - result.lr_cv_auc) < 0.03
    # the estimated risk rises with the total
    risks = list(result.risk_by_total.values())
    assert risks == sorted(risks)


def test_cross_validation_is_honest_on_noise() -> None:
    """With an outcome unrelated to the columns, the training fit looks good but the cross-validated AUC is ~0.5."""
    rng = np.random.default_rng(1)
    n = 600
    df = pd.DataFrame({f"x{k}": rng.integers(0, 20, n).astype(str) for k in range(8)})
    df["outcome"] = (rng.random(n) < 0.3).astype(int).astype(str)
    result = learn_frame(df, "outcome", max_items=7, folds=5, seed=0)
    assert result.cv_auc < 0.56
    from sklearn.metrics import roc_auc_score

    table = Table(df, [f"x{k}" for k in range(8)])
    train_total = np.zeros(n)
    for label, p in result.points.items():
        column, _, value = label.split(" ")
        train_total += p * (table.numeric[column] >= float(value))
    assert roc_auc_score(df["outcome"] == "1", train_total) > result.cv_auc + 0.04  # what leakage would report


def test_cut_points_are_quantiles_of_the_training_rows() -> None:
    df = pd.DataFrame({"c": [str(v) for v in range(100)]})
    table = Table(df, ["c"], cuts=3)
    assert [f.value for f in table.candidates(np.arange(100))] == [25.0, 50.0, 75.0]
    assert [f.value for f in table.candidates(np.arange(50))] == [13.0, 25.0, 37.0]  # only the rows given
    assert [f.label for f in Table(df, ["c"], cuts=1).candidates(np.arange(100))] == ["c >= 50"]


def test_integer_points_are_bounded() -> None:
    rng = np.random.default_rng(2)
    x = (rng.random((500, 4)) < 0.5).astype(float)
    y = rng.random(500) < 1 / (1 + np.exp(-(x @ np.array([3.0, -2.0, 0.5, 0.1]) - 1)))
    for max_points in (1, 3, 10):
        points = integer_points(x, y, np.array([3.0, -2.0, 0.5, 0.1]), max_points)
        assert np.abs(points).max() <= max_points and points[0] > 0
        assert points[0] >= -points[1] >= 0 and points[0] >= points[2] >= 0


def test_checklist_items_and_a_proposal_for_review() -> None:
    rng = np.random.default_rng(3)
    n = 1500
    strangled = rng.random(n) < 0.3
    weapon = rng.random(n) < 0.2
    other = rng.random(n) < 0.5
    y = rng.random(n) < 0.05 + 0.4 * strangled + 0.25 * weapon
    yes = lambda v: np.where(v, "yes", "no")  # noqa: E731
    df = pd.DataFrame(
        {
            "dv.strangulation": yes(strangled),
            "dv.weapon_access": yes(weapon),
            "dv.jealousy_obsession": yes(other),
            "y": y.astype(int),
        }
    ).astype(str)
    result = learn_frame(df, "y", max_items=2, folds=3, seed=0, checklist="domestic_violence")
    assert set(result.points) == {"dv.strangulation", "dv.weapon_access"}
    assert result.current == "domestic_violence current weights" and result.current_cv_auc is not None
    proposed = proposal(result, "domestic_violence")
    assert proposed["status"].startswith("proposal")
    assert proposed["proposed_points"]["dv.jealousy_obsession"] == 0
    assert proposed["proposed_points"]["dv.strangulation"] > 0
    assert all(p >= 0 for p in proposed["proposed_points"].values())
    assert set(proposed["proposed_points"]) == set(proposed["current_points"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_items": 0}, "--max-items: give 1 to 50"),
        ({"max_items": 3, "folds": 1}, "--folds: give 2 to 20"),
        ({"max_items": 3, "exclude": ["nope"]}, "--exclude: no column 'nope' in the file"),
        ({"max_items": 3, "cuts": 0}, "--cuts: give 1 to 99 cut points per numeric column"),
    ],
)
def test_bad_options_are_named(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as e:
        learn_frame(known_model(100, seed=4), "outcome", **kwargs)  # type: ignore[arg-type]
    assert message in e.value.problems


def test_cli_json_and_proposal_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    n = 800
    s, w = rng.random(n) < 0.3, rng.random(n) < 0.3
    y = rng.random(n) < 0.05 + 0.5 * s + 0.2 * w
    path = tmp_path / "answers.csv"
    pd.DataFrame(
        {"dv.strangulation": np.where(s, "yes", "no"), "dv.weapon_access": np.where(w, "yes", "no"), "y": y.astype(int)}
    ).to_csv(path, index=False)
    target = tmp_path / "proposal.yaml"
    out = run_cli(
        "learn", str(path), "--outcome", "y", "--max-items", "2", "--folds", "3", "--seed", "1",
        "--checklist", "domestic_violence", "--propose", str(target), "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert 0.6 < data["cv_auc"] <= 1 and set(data["points"]) == {"dv.strangulation", "dv.weapon_access"}
    assert "review" in out.stderr
    text = target.read_text()
    assert text.startswith("# PROPOSAL")
    assert yaml.safe_load(text)["proposed_points"]["dv.strangulation"] > 0
    bad = run_cli("learn", str(path), "--outcome", "y", "--max-items", "2", "--propose", str(tmp_path / "p.yaml"))
    assert bad.returncode == 2 and bad.stdout == "" and "--propose: give --checklist ID too" in bad.stderr
    assert not (tmp_path / "p.yaml").exists()


@pytest.mark.full
@pytest.mark.skipif(not REAL.exists(), reason=f"{REAL} is not on this machine (the real outcome data, not copied)")
def test_real_file_seven_items_beat_the_incumbent() -> None:
    out = run_cli(
        "learn", str(REAL), "--outcome", "violent_reoffence_2y", "--score", "incumbent_violence_decile",
        "--max-items", "7", "--folds", "5", "--seed", "0", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["cv_auc"] >= 0.735
    assert data["current_cv_auc"] == pytest.approx(0.719, abs=0.005)
    assert data["lr_cv_auc"] == pytest.approx(0.739, abs=0.003)
    assert 0 < len(data["points"]) <= 7 and all(isinstance(p, int) for p in data["points"].values())
    assert not any(k.startswith("incumbent") for k in data["points"])
