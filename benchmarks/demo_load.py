"""How long loading the synthetic demo takes, with and without the generated cases, side by side.

usage: python benchmarks/demo_load.py [REPEATS]
Each run loads data/demo.json into a fresh SQLite file in a temporary folder, in a fresh process (so the checklists
are read from disk each time, as on a first start): once with only the hand-written cases (the baseline: what the
demo was before the generated cases) and once as shipped (with data/demo_generated.json). Prints the median of
REPEATS (default 3) of each and their ratio. Prints figures; not a test.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from risk.demo import load_demo
from risk.storage import Store
store = Store.open()
start = time.perf_counter()
load_demo(store, Path({path!r}))
print(time.perf_counter() - start)
"""


def load_seconds(demo_file: Path, folder: Path) -> float:
    env = {
        **os.environ,
        "SAMRISK_DATA_DIR": str(folder),
        "SAMRISK_DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "SAMRISK_AUDIT_ANCHOR": str(folder / "anchor.json"),
    }
    done = subprocess.run(
        [sys.executable, "-c", LOAD.format(root=str(ROOT), path=str(demo_file))],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def main(repeats: int = 3) -> None:
    shipped = json.loads((ROOT / "data" / "demo.json").read_text(encoding="utf-8"))
    figures: dict[str, list[float]] = {"hand-written cases only (baseline)": [], "as shipped, with generated": []}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            baseline = folder / "demo.json"
            baseline.write_text(json.dumps({k: v for k, v in shipped.items() if k != "generated"}), encoding="utf-8")
            (folder / "a").mkdir()
            (folder / "b").mkdir()
            figures["hand-written cases only (baseline)"].append(load_seconds(baseline, folder / "a"))
            figures["as shipped, with generated"].append(load_seconds(ROOT / "data" / "demo.json", folder / "b"))
    medians = {name: statistics.median(values) for name, values in figures.items()}
    for name, median in medians.items():
        print(f"{name:40s} median {median:6.2f} s   runs {', '.join(f'{v:.2f}' for v in figures[name])}")
    base, full = medians.values()
    print(f"{'ratio shipped / baseline':40s} {full / base:6.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
