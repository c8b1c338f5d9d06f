"""Score 1,000,000 domestic-violence assessments from CSV and compare with pandas reading and writing the same file.

Prints the times and the ratio (goal: at most 2.0, aim 1.2). Not a test: a figure to watch.
usage: python benchmarks/batch_score.py [ROWS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from risk.batch import score_frame
from risk.checklists import default_checklists


def make_csv(path: Path, rows: int) -> None:
    items = list(default_checklists()["domestic_violence"].items)
    rng = np.random.default_rng(0)
    values = rng.choice(
        np.array(["yes", "no", "unknown", ""], dtype=object), size=(rows, len(items)), p=[0.15, 0.6, 0.1, 0.15]
    )
    df = pd.DataFrame(values, columns=items)
    df.insert(0, "case_ref", [f"K-{n:07d}" for n in range(rows)])
    df.to_csv(path, index=False)


def best_of(runs: int, fn: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        make_csv(src, rows)
        read = {"dtype": str, "keep_default_na": False}

        def baseline() -> None:
            pd.read_csv(src, **read).to_csv(out, index=False)

        def scored() -> None:
            score_frame(pd.read_csv(src, **read), "domestic_violence").to_csv(out, index=False)

        frame = pd.read_csv(src, **read)

        def score_only() -> None:
            score_frame(frame, "domestic_violence")

        t_base = best_of(3, baseline)
        t_score = best_of(3, scored)
        t_only = best_of(3, score_only)
        size = src.stat().st_size / 1e6
    print(f"rows: {rows:,}  file: {size:.0f} MB")
    print(f"pandas read + write:          {t_base:6.2f} s")
    print(f"read + score + write:         {t_score:6.2f} s   (scoring alone {t_only:.2f} s)")
    print(f"ratio: {t_score / t_base:.2f}  (goal <= 2.0, aim 1.2)")


if __name__ == "__main__":
    main()
