"""Time and peak memory of `python -m risk assess` / `score` on 1 MB inputs of hostile shape.

Each input runs in a fresh process, beside a baseline that only parses the same file (json.loads or
pandas.read_csv), so the figures say what Samrisk adds. Not a test: figures to watch.
usage: python benchmarks/hostile_input.py [--root DIR] [--timeout SECONDS]
  --root: the source tree to run (default: this one), e.g. an older checkout for before/after figures
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE = 1_000_000
ROOT = Path(__file__).resolve().parent.parent
ITEM = "dv.strangulation"


def case_files(folder: Path) -> dict[str, Path]:
    """1 MB case files: many persons and assessments, deep nesting, long texts, many unknown answers."""
    out: dict[str, Path] = {}

    def write(name: str, text: str) -> None:
        out[name] = folder / f"{name}.json"
        out[name].write_text(text)

    small = {"context": "police_intake", "persons": [{"id": "v", "role": "victim"}]}
    write("case: small (start-up)", json.dumps(small))
    n = SIZE // 70
    persons = [{"id": f"p{i}", "role": "victim", "age": 30} for i in range(n)]
    assessments = [
        {"checklist": "domestic_violence", "subject": f"p{i}", "answers": {ITEM: "yes"}} for i in range(n // 4)
    ]
    many = {"context": "police_intake", "persons": persons, "assessments": assessments}
    write("case: many persons", json.dumps(many))
    write("case: deep nesting", '{"context": "police_intake", "id": ' + "[" * (SIZE // 2) + "]" * (SIZE // 2) + "}")
    answers = {f"dv.x{i}": "yes" for i in range(SIZE // 20)}
    write(
        "case: many bad answers",
        json.dumps(
            {
                "context": "police_intake",
                "persons": [{"id": "v", "role": "victim"}],
                "assessments": [{"checklist": "domestic_violence", "subject": "v", "answers": answers}],
            }
        ),
    )
    write("case: long text", json.dumps({"context": "police_intake", "note": "x" * SIZE, "persons": []}))
    return out


def csv_files(folder: Path) -> dict[str, Path]:
    """1 MB CSVs: many columns, one repeated column name, long cells, many rows of formula cells."""
    out: dict[str, Path] = {}

    def write(name: str, text: str) -> None:
        out[name] = folder / f"{name}.csv"
        out[name].write_text(text)

    write("csv: 3 rows (start-up)", f"note,{ITEM}\na,yes\nb,no\nc,\n")
    n = SIZE // 14
    write("csv: many columns", ",".join(f"c{i}" for i in range(n)) + "," + ITEM + "\n" + "x," * n + "yes\n")
    write("csv: one name repeated", ",".join("a" for _ in range(SIZE // 2)) + "\n")
    wide = 1999
    row = ",".join(["=x"] * wide) + ",yes\n"
    header = ",".join(f"c{i}" for i in range(wide)) + "," + ITEM + "\n"
    write("csv: 2,000 formula columns", header + row * (SIZE // len(row)))
    write("csv: long cells", f"note,{ITEM}\n" + ("y" * (SIZE // 10) + ",yes\n") * 10)
    write("csv: many formula rows", f"note,{ITEM}\n" + "=1+1,yes\n" * (SIZE // 10))
    return out


def measure(cmd: list[str], timeout: float, env: dict[str, str], cwd: str) -> tuple[str, str, str]:
    """Wall time, peak resident memory and exit status of one process (its own rusage, via wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return f">{timeout:.0f} s", "-", "killed"
        time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    return f"{seconds:.2f} s", f"{usage.ru_maxrss / 1024:.0f} MB", str(proc.returncode)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=str(ROOT))
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": args.root}
    py = sys.executable
    baseline_json = "import json,sys; json.loads(open(sys.argv[1],'rb').read())"
    baseline_csv = "import pandas as pd,sys; pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)"
    print(f"source: {args.root}")
    print(f"{'input (about 1 MB)':26} {'baseline parse':>22}   {'samrisk':>22}  exit")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        runs = [(name, baseline_json, [py, "-m", "risk", "assess", str(p)]) for name, p in case_files(folder).items()]
        runs += [
            (name, baseline_csv, [py, "-m", "risk", "score", str(p), "--checklist", "domestic_violence"])
            for name, p in csv_files(folder).items()
        ]
        for name, baseline, cmd in runs:
            path = cmd[4]
            b_time, b_mem, _ = measure([py, "-c", baseline, path], args.timeout, env, args.root)
            s_time, s_mem, code = measure(cmd, args.timeout, env, args.root)
            print(f"{name:26} {b_time:>10} {b_mem:>10}   {s_time:>10} {s_mem:>10}  {code}", flush=True)


if __name__ == "__main__":
    main()
