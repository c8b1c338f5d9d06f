"""What Streamlit's full garbage collection after every script run costs a click, with and without it, in one run.

usage: python benchmarks/app_gc.py [REPEATS]

Four real servers from this checkout, headless Chromium (the machinery of benchmarks/app_journeys.py): the app
and the one-line app (`st.radio` alone), each once with runner.postScriptGC true (Streamlit's default: a full
gc.collect after every run) and once false (.streamlit/config.toml; ui/gc_policy.py freezes what start-up made).
In the app a police officer answers on the intake page of DEMO-001; in the one-line app the radio is answered.
Each answer: click to page painted after its rerun (browser clock). Medians of REPEATS (default 15) answers;
each app is compared with the one-line app under the same setting, so neither ratio is flattered by a cost
that also slows its baseline. Prints figures; not a test.
"""

from __future__ import annotations

import statistics
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
            for name, script, port, _ in setups:
                context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
                context.add_init_script(WATCH)
                page = context.new_page()
                page.set_default_timeout(60_000)
                steps: dict[str, list[float]] = defaultdict(list)
                journey = Journey(page, steps, name)
                if script.name == "app.py":
                    journey.sign_in(f"http://127.0.0.1:{port}/", "polis", "Ärenden")
                    journey.open_case("DEMO-001", "Resultat")
                    journey.menu("Intag")
                else:
                    page.goto(f"http://127.0.0.1:{port}/")
                    page.get_by_text("Fråga").wait_for()
                journey.answers(count=2)  # warm-up
                steps.clear()
                journey.answers(count=repeats)
                times[name] = steps[f"{name}: answer"]
                context.close()
            browser.close()
    finally:
        for server in servers:
            stop(server)
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


if __name__ == "__main__":
    main()
