"""`python -m risk score` on 1,000,000 domestic-violence assessments, beside the floors of reading and writing the file.

Each command runs in a fresh process (start-up included, as a user runs it), RUNS times; the medians of the wall
time and of the CPU time (user + system, all threads) are printed with the peak memory (maximum resident set size)
of each, against the size of the file. On a machine busy with other work the wall times swing by 2 x from run to
run; the CPU times much less, so their ratio is printed too:

- pandas floor: pandas reads the CSV (every cell a string) and writes it back;
- pyarrow floor: pyarrow reads the CSV (every cell a string) and writes it back, with score's parse options
  (quoted line breaks allowed, blank lines skipped); the column names come from the first line, as score gets
  them (an extra pyarrow pass to learn them cost the floor 0.1-0.2 s and flattered score);
- pyarrow shaped: the pyarrow floor written in the shape of score's output (unquoted, CRLF, four more columns):
  pyarrow's own writer quotes every text cell, 183 MB where score writes 137 MB;
- Samrisk score: `python -m risk score FILE --checklist domestic_violence -o OUT`;
- pandas path: what `score` did before it read and wrote with pyarrow (and still does for a file pyarrow cannot
  read as pandas would), for comparison.

Goal (issue 11): score at most 1.5 x the pyarrow floor, peak memory at most 2 x the file size.
Not a test: a figure to watch. usage: python benchmarks/batch_score.py [ROWS] [RUNS] [--before CHECKOUT] [--quick]
--quick leaves out the two pandas commands (the slowest, and not the goal's). --before CHECKOUT runs that
checkout's `score` too ("score before"), interleaved with the rest, and checks that it writes the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This process stays small (no pandas): a child's peak memory counts from the size of its parent at fork.
MAKE_CSV = """
import sys
import numpy as np, pandas as pd
from risk.checklists import default_checklists
items = list(default_checklists()["domestic_violence"].items)
rows = int(sys.argv[2])
rng = np.random.default_rng(0)
values = rng.choice(
    np.array(["yes", "no", "unknown", ""], dtype=object), size=(rows, len(items)), p=[0.15, 0.6, 0.1, 0.15]
)
df = pd.DataFrame(values, columns=items)
df.insert(0, "case_ref", [f"K-{n:07d}" for n in range(rows)])
df.to_csv(sys.argv[1], index=False)
"""
START_UP = """
from risk.batch_arrow import score_csv
from risk.plain_checklist import load_plain
load_plain("domestic_violence")
"""  # what `score` loads before the data (the checklist's plain form, no pydantic models)
PANDAS_FLOOR = """
import sys, pandas as pd
pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False).to_csv(sys.argv[2], index=False, lineterminator="\\r\\n")
"""
READ = """
import csv, sys, pyarrow as pa, pyarrow.csv as c
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    names = next(csv.reader(f))
t = c.read_csv(
    sys.argv[1],
    parse_options=c.ParseOptions(newlines_in_values=True, ignore_empty_lines=True),
    convert_options=c.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
)
"""
PYARROW_FLOOR = READ + "c.write_csv(t, sys.argv[2])\n"
# The same read, written in the shape of score's output: no quotes (this file needs none), CRLF line ends, and four
# more columns (copies of answer columns: ~11 bytes a row where score adds ~20), so 129 MB written where score writes
# 137 MB (the floor above quotes every cell: 183 MB).
PYARROW_SHAPED = f"""{READ}
for n, name in enumerate(["score", "score_max", "completeness", "level"]):
    t = t.append_column(name, t.column(n + 1))
c.write_csv(t, sys.argv[2], c.WriteOptions(quoting_style="none", eol="\\r\\n"))
"""
PANDAS_PATH = """
import sys
from risk.batch import ADDED, neutralise_formulas, read_answers_csv, score_frame
from risk.checklists import default_checklists
df, sep = read_answers_csv(sys.argv[1], "domestic_violence")
out = neutralise_formulas(score_frame(df, "domestic_violence"),
                          keep={*default_checklists()["domestic_violence"].items, *ADDED})
out.to_csv(sys.argv[2], index=False, sep=sep, lineterminator="\\r\\n")
"""


def run(argv: list[str], cwd: Path = ROOT) -> tuple[float, float, int]:
    """Wall time and CPU time (user + system, every thread) in seconds and peak resident memory in bytes of
    one command in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[:3]} failed with status {proc.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024  # Linux reports kilobytes


def main() -> None:
    args = sys.argv[1:]
    if {"-h", "--help"} & set(args):
        print(__doc__)
        return
    before: Path | None = None
    quick = "--quick" in args
    args = [a for a in args if a != "--quick"]
    if "--before" in args:
        at = args.index("--before")
        before = Path(args[at + 1]).resolve()
        del args[at : at + 2]
    rows = int(args[0]) if args else 1_000_000
    runs = max(3, int(args[1]) if len(args) > 1 else 3)
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        subprocess.run([py, "-c", MAKE_CSV, str(src), str(rows)], cwd=ROOT, check=True)
        size = src.stat().st_size
        commands = {
            "start-up only": [py, "-c", START_UP],
            "pandas floor": [py, "-c", PANDAS_FLOOR, str(src), str(out)],
            "pyarrow floor": [py, "-c", PYARROW_FLOOR, str(src), str(out)],
            "pyarrow shaped": [py, "-c", PYARROW_SHAPED, str(src), str(out)],
            "Samrisk score": [py, "-m", "risk", "score", str(src), "--checklist", "domestic_violence", "-o", str(out)],
            "pandas path": [py, "-c", PANDAS_PATH, str(src), str(out)],
        }
        if quick:
            del commands["pandas floor"], commands["pandas path"]
        score = commands["Samrisk score"]
        if before is not None:
            commands["score before"] = [*score[:-1], str(out) + ".before"]
        digests: dict[str, set[str]] = {"Samrisk score": set(), "score before": set()}
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        memory: dict[str, list[int]] = {name: [] for name in commands}
        for _ in range(runs):  # interleaved, so a busy moment falls on every command alike
            for name, argv in commands.items():
                t, c, m = run(argv, cwd=before if name == "score before" and before is not None else ROOT)
                if name in digests:
                    digests[name].add(hashlib.sha256(Path(argv[-1]).read_bytes()).hexdigest())
                times[name].append(t)
                cpu[name].append(c)
                memory[name].append(m)
    load = os.getloadavg()
    print(f"rows: {rows:,}  file: {size / 1e6:.0f} MB  runs: {runs}  load average: {load[0]:.1f} {load[1]:.1f}")
    med = {name: statistics.median(v) for name, v in times.items()}
    for name in commands:
        peak = max(memory[name])
        print(
            f"{name + ':':16} median {med[name]:6.2f} s  (runs {', '.join(f'{t:.2f}' for t in times[name])})"
            f"  cpu {statistics.median(cpu[name]):6.2f} s  peak memory {peak / 1e6:5.0f} MB = {peak / size:.2f} x file"
        )
    print(f"Samrisk score / pyarrow floor: {med['Samrisk score'] / med['pyarrow floor']:.2f}  (goal <= 1.5)")
    if before is not None:
        same = digests["Samrisk score"] == digests["score before"] and len(digests["Samrisk score"]) == 1
        print(
            f"score before / pyarrow floor:  {med['score before'] / med['pyarrow floor']:.2f}  "
            f"(after / before: wall {med['Samrisk score'] / med['score before']:.2f}, cpu "
            f"{statistics.median(cpu['Samrisk score']) / statistics.median(cpu['score before']):.2f}; "
            f"output {'the same bytes' if same else 'DIFFERS'})"
        )
    print(f"Samrisk score / shaped:        {med['Samrisk score'] / med['pyarrow shaped']:.2f}  (in score's shape)")
    cpu_ratio = statistics.median(cpu["Samrisk score"]) / statistics.median(cpu["pyarrow floor"])
    print(f"CPU time, score / pyarrow floor: {cpu_ratio:.2f}  (steadier on a busy machine)")
    if not quick:
        print(f"Samrisk score / pandas floor:  {med['Samrisk score'] / med['pandas floor']:.2f}")
        print(f"pandas path / pyarrow floor:   {med['pandas path'] / med['pyarrow floor']:.2f}  (before)")
    peak, base = max(memory["Samrisk score"]), max(memory["start-up only"])
    print(f"peak memory / file size:       {peak / size:.2f}  (goal <= 2.0)")
    print(f"(peak - start-up) / file size: {(peak - base) / size:.2f}  (the data alone; start-up {base / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
