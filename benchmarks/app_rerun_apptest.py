"""Server side only: one full-script rerun of the intake page after an answer, against a one-line app, in AppTest.

usage: python benchmarks/app_rerun_apptest.py [REPEATS]
AppTest knows no fragments, so this is the whole page rerun, without browser or network; the user-facing figure
is benchmarks/app_rerun.py (a real server and browser).
A signed-in police officer has a case with a victim, a suspect and a child open on the intake page (the police
short form of the domestic-violence checklist). Timed, with streamlit.testing.v1.AppTest in this process: setting
one item's radio and the rerun that follows (draft saved, live level computed, page drawn), against the same for
an app that is only `st.radio`. The answer alternates between yes and no, so every rerun is a real change (the
intake page saves a draft on each change). Median of REPEATS (default 15) after two warm-up runs.
AppTest's script runner never runs Streamlit's post-run garbage collection, so neither figure includes it (the
servers' figures: benchmarks/app_gc.py). Prints figures; not a test. Uses a fresh SQLite file in a temporary folder.
"""

from __future__ import annotations

import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ONE_LINE_APP = 'import streamlit as st\nst.radio("Fråga", ["yes", "no", "unknown"], index=None, key="q")\n'


def median_seconds(step: Callable[[str], object], repeats: int) -> float:
    answers = ["yes", "no"]
    for n in range(2):  # warm-up: imports, caches, first draft
        step(answers[n % 2])
    times = []
    for n in range(repeats):
        started = time.perf_counter()
        step(answers[n % 2])
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    folder = Path(tempfile.mkdtemp(prefix="samrisk-bench-"))
    os.environ["SAMRISK_DATABASE_URL"] = f"sqlite:///{folder / 'samrisk.sqlite3'}"
    os.environ.setdefault("SAMRISK_DEMO", "1")

    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    # AppTest formats widget values on this thread, outside a script run: format_func's st.session_state
    # look-up then warns "missing ScriptRunContext" once per widget. Harmless here; keep the output to figures.
    for name in ("scriptrunner_utils.script_run_context", "state.session_state_proxy"):
        logging.getLogger(f"streamlit.runtime.{name}").addFilter(lambda _: False)

    from benchmarks.app_rerun import bench_case
    from risk.storage import Store

    store = Store.open()
    officer, case, _ = bench_case(store)  # the demo accounts, as the app makes them on first start

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.session_state["user"] = officer
    app.session_state["last_seen"] = time.monotonic()  # signed in just now (the app's idle check)
    app.session_state["case_id"] = case
    app._page_hash = calc_hash("intake")  # the app's pages are callables: request the page as the browser does
    app.run()
    app._page_hash = ""
    if app.exception:
        raise SystemExit(f"the intake page failed: {app.exception[0].message}")
    item = "domestic_violence.v1.dv.escalation"  # the form's key also names the case and whom it is about
    keys = [r.key for r in app.radio if r.key and r.key.startswith(f"form.{case}") and r.key.endswith(item)]
    if len(keys) != 1:
        raise SystemExit(f"no radio for {item} on the page: is it still the intake page?")
    key = keys[0]

    def answer_intake(value: str) -> None:
        app.radio(key=key).set_value(value).run()

    one_line = AppTest.from_string(ONE_LINE_APP, default_timeout=60)
    one_line.run()

    def answer_one_line(value: str) -> None:
        one_line.radio(key="q").set_value(value).run()

    intake = median_seconds(answer_intake, repeats)
    if app.exception:
        raise SystemExit(f"the intake page failed: {app.exception[0].message}")
    assert store.get_draft(officer, case, "domestic_violence", "v1") is not None, "no draft was saved"
    baseline = median_seconds(answer_one_line, repeats)
    ratio = intake / baseline
    print(f"intake page, one answer and its rerun: {intake * 1000:8.1f} ms (median of {repeats})")
    print(f"one-line app (st.radio alone):        {baseline * 1000:8.1f} ms (median of {repeats})")
    print(f"ratio: {ratio:.2f} (full-script rerun without browser; the goal is measured by app_rerun.py)")
    store.close()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
