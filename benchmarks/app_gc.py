"""What Streamlit's full garbage collection after every script run costs a click, with and without it, in one run.

usage: python benchmarks/app_gc.py [REPEATS]

Four real servers from this checkout, headless Chromium (the machinery of benchmarks/app_journeys.py): the app
and the one-line app (`st.radio` alone), each once with runner.postScriptGC true (Streamlit's default: a full
gc.collect after every run) and once false (.streamlit/config.toml; ui/gc_policy.py freezes what start-up made).
In the app a police officer answers on the intake page of DEMO-001; in the one-line app the radio is answered.
Each answer: click to page painted after its rerun (browser clock). Medians of REPEATS (default 15) answers;
the four are answered in turns, so the machine's load falls on all alike. Each app is compared with the one-line
app under the same setting, so neither ratio is flattered by a cost that also slows its baseline. Last, the
cost of one full collection itself, in CPU time (the clock of a shared machine is noisy): a process holding
the one-line app, one holding the app's pages, Store and rules, and the same after gc.freeze().
Prints figures; not a test.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.app_journeys import (  # noqa: E402
    BROWSER_ARGS,
    CHROMIUM,
    ONE_LINE_APP,
    WATCH,
    Journey,
    serve,
    stop,
    wait_healthy,
)


def main() -> None:
    from playwright.sync_api import sync_playwright

    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    folder = Path(tempfile.mkdtemp(prefix="samrisk-gc-"))
    one_line = folder / "one_line.py"
    one_line.write_text(ONE_LINE_APP)
    setups = [  # (name, script, port, postScriptGC)
        ("app, GC after every run", ROOT / "app.py", 8641, "true"),
        ("app, no GC after the run", ROOT / "app.py", 8642, "false"),
        ("one-line app, GC after every run", one_line, 8643, "true"),
        ("one-line app, no GC after the run", one_line, 8644, "false"),
    ]
    servers = []
    for name, script, port, gc in setups:
        own = folder / name.replace(" ", "_").replace(",", "")
        own.mkdir()
        servers.append(serve(ROOT, script, port, own, "--runner.postScriptGC", gc))
    times: dict[str, list[float]] = defaultdict(list)
    try:
        for server, (_, _, port, _) in zip(servers, setups, strict=True):
            wait_healthy(server, port)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
            journeys = []
            for name, script, port, _ in setups:
                context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
                context.add_init_script(WATCH)
                page = context.new_page()
                page.set_default_timeout(60_000)
                journey = Journey(page, times, name)
                if script.name == "app.py":
                    journey.sign_in(f"http://127.0.0.1:{port}/", "polis", "Ärenden")
                    journey.open_case("DEMO-001", "Resultat")
                    journey.menu("Intag")
                else:
                    page.goto(f"http://127.0.0.1:{port}/")
                    page.get_by_text("Fråga").wait_for()
                journey.answers(count=2)  # warm-up
                journeys.append(journey)
            times.clear()
            for _ in range(repeats):  # in turns, so that the machine's load falls on all four alike
                for journey in journeys:
                    journey.answers(count=1)
            browser.close()
    finally:
        for server in servers:
            stop(server)
    times = {name: times[f"{name}: answer"] for name, _, _, _ in setups}
    medians = {name: statistics.median(v) for name, v in times.items()}
    print(f"an answer's rerun, click to painted (ms, median of {repeats}):")
    for name, values in times.items():
        print(f"  {name:36} {medians[name]:7.1f}  (min {min(values):.1f}, max {max(values):.1f})")
    for gc in ("GC after every run", "no GC after the run"):
        app, base = medians[f"app, {gc}"], medians[f"one-line app, {gc}"]
        print(f"  ratio app / one-line app, {gc + ':':22} {app / base:.2f}")
    saved = medians["app, GC after every run"] - medians["app, no GC after the run"]
    print(
        f"  the app's answer without the post-run GC: {saved:.1f} ms quicker "
        f"({medians['app, GC after every run'] / medians['app, no GC after the run']:.2f}x)"
    )
    print("one full collection, gc.collect(2), in a server process (CPU ms, median of 15):")
    for name, cost in collection_costs().items():
        print(f"  {name:60} {cost:7.1f}")


COLLECT = """
import gc, json, logging, os, statistics, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {root!r})
os.environ["SAMRISK_DATABASE_URL"] = "sqlite:///" + str(Path(tempfile.mkdtemp()) / "db.sqlite3")
os.environ["SAMRISK_DEMO"] = "1"
logging.disable(logging.WARNING)
from streamlit.testing.v1 import AppTest
def cost():
    times = []
    for _ in range(15):
        began = time.process_time()
        gc.collect(2)
        times.append((time.process_time() - began) * 1000)
    return statistics.median(times)
out = {{}}
AppTest.from_string({one_line!r}, default_timeout=60).run()
out["one-line app (streamlit imported, one run)"] = cost()
if {app!r}:
    from ui.session import get_store
    from ui.pages import cases, conference, intake, result
    from risk.rules import default_rules
    get_store(); default_rules()
    out["the app (its pages, the Store, the rules loaded)"] = cost()
    gc.freeze()
    out["the app after gc.freeze() (what ui/gc_policy.py does)"] = cost()
print(json.dumps(out))
"""


def collection_costs() -> dict[str, float]:
    """What Streamlit's post-run gc.collect(2) costs, measured in fresh processes (CPU time, not the clock)."""
    costs: dict[str, float] = {}
    for app in (False, True):
        code = COLLECT.format(root=str(ROOT), one_line=ONE_LINE_APP, app=app)
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise SystemExit(done.stderr[-2000:])
        costs.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return costs


if __name__ == "__main__":
    main()
