"""How long one rerun of the intake page takes after an answer, against a one-line Streamlit app.

usage: python benchmarks/app_rerun.py [REPEATS]
Measured as a user meets it: two real Streamlit servers (the app on a fresh SQLite file with the synthetic
demo, and an app that is only `st.radio`), headless Debian Chromium driven by playwright. A signed-in police
officer has a case with a victim, a suspect and a child open on the intake page (the police short form of the
domestic-violence checklist). Timed by the browser's clock: from the click on an answer until the last
websocket message of the rerun it caused was handled by the page (the rerun, the draft saved, the live level
drawn). Answers alternate ja/nej, so every rerun is a real change. Median of REPEATS (default 15) after two
warm-ups. Goal: the ratio stays below 3.
Both servers start from this checkout (cwd) with the same flags, so both run under its .streamlit/config.toml:
with Streamlit's default runner.postScriptGC the one-line app also paid a full collection per click, which
inflated the baseline; now neither does (benchmarks/app_gc.py measures both settings side by side).
The server-side full-script figure (AppTest, no fragments) is benchmarks/app_rerun_apptest.py.
Prints figures; not a test.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import BROWSER_ARGS, CHROMIUM  # noqa: E402 - the same Chromium and flags as the e2e tests

GOAL = 3.0
ONE_LINE_APP = 'import streamlit as st\nst.radio("Fråga", ["ja", "nej", "vet ej"], index=None, key="q")\n'
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Installed before the app loads: the browser's own clock stamps every message from the Streamlit server.
STAMP_FRAMES = """(() => {
  const Original = window.WebSocket;
  window.__frames = [];
  class Stamped extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", () => window.__frames.push(performance.now()));
    }
  }
  window.WebSocket = Stamped;
})();"""
CLICK = """([question, word]) => {
  const radios = [...document.querySelectorAll("[data-testid='stRadio']")];
  const item = radios.find((r) => r.innerText.includes(question));
  window.__frames = [];
  window.__clicked = performance.now();
  [...item.querySelectorAll("label")].find((l) => l.innerText.trim() === word).click();
}"""
SINCE_LAST = """() => {
  const last = window.__frames.at(-1);
  return [last === undefined ? null : last - window.__clicked, performance.now() - (last ?? performance.now())];
}"""
QUIET_MS = 400  # a rerun is over when the server has sent nothing more for this long


def rerun_ms(page: Any, question: str, word: str) -> float:
    """Click an answer; milliseconds (browser clock) until the last message of the rerun it caused arrived."""
    page.evaluate(CLICK, [question, word])
    for _ in range(600):
        page.wait_for_timeout(50)
        elapsed, quiet = page.evaluate(SINCE_LAST)
        if elapsed is not None and quiet > QUIET_MS:
            return float(elapsed)
    raise SystemExit("no rerun seen within 30 s")


def serve(script: Path, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server on {port} did not start:\n{log.read_text()}") from None
            time.sleep(0.25)


def timed(page: Any, question: str, repeats: int) -> list[float]:
    words = ["ja", "nej"]
    for n in range(2):  # warm-up
        rerun_ms(page, question, words[n % 2])
    return sorted(rerun_ms(page, question, words[n % 2]) for n in range(repeats))


def bench_case(store: Any) -> tuple[Any, int, str]:
    """The demo accounts and one police case with a victim, a suspect and a child: (officer, case id, password)."""
    from risk.demo import load_demo

    load_demo(store)
    password = json.loads((ROOT / "data" / "demo.json").read_text(encoding="utf-8"))["password"]
    officer = store.authenticate("polis", password)
    case = store.create_case(officer, reference="BENCH-1", context="police_intake")
    for person in (
        {"id": "v1", "role": "victim", "age": 31, "gender": "female"},
        {"id": "s1", "role": "suspect", "age": 35, "gender": "male"},
        {"id": "c1", "role": "child", "age": 4},
    ):
        store.add_person(officer, case, person)
    return officer, case, password


def prepare(folder: Path) -> tuple[str, str]:
    """A fresh database holding the bench case; returns (reference, password)."""
    os.environ["SAMRISK_DATABASE_URL"] = f"sqlite:///{folder / 'samrisk.sqlite3'}"
    from risk.storage import Store

    store = Store.open()
    _, _, password = bench_case(store)
    store.close()
    return "BENCH-1", password


def main() -> None:
    from playwright.sync_api import sync_playwright

    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    folder = Path(tempfile.mkdtemp(prefix="samrisk-bench-"))
    reference, password = prepare(folder)
    one_line = folder / "one_line.py"
    one_line.write_text(ONE_LINE_APP)
    env = {**os.environ, "SAMRISK_DEMO": "1"}
    servers = [serve(ROOT / "app.py", 8611, env, folder / "app.log"), serve(one_line, 8612, env, folder / "one.log")]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="sv-SE")
            page.add_init_script(STAMP_FRAMES)
            page.set_default_timeout(60_000)
            page.goto("http://127.0.0.1:8611/")
            page.wait_for_selector(IDLE)
            page.get_by_label("Användarnamn", exact=True).fill("polis")
            page.get_by_label("Lösenord", exact=True).fill(password)
            page.get_by_label("Lösenord", exact=True).press("Enter")
            page.get_by_role("button", name="Logga ut").wait_for()
            page.wait_for_selector(IDLE)
            page.get_by_test_id("stMain").get_by_role("button", name="Öppna").first.click()  # newest case first
            page.get_by_role("heading", name="Resultat", exact=True).wait_for()
            page.get_by_test_id("stSidebarNav").get_by_text("Intag", exact=True).click()
            page.get_by_test_id("stMain").get_by_text("Har våldet eller hoten blivit vanligare").wait_for()
            page.wait_for_selector(IDLE)
            assert reference in page.get_by_test_id("stMain").inner_text()
            intake = timed(page, "Har våldet eller hoten blivit vanligare", repeats)
            page.goto("http://127.0.0.1:8612/")
            page.wait_for_selector(IDLE)
            page.get_by_text("Fråga").wait_for()
            baseline = timed(page, "Fråga", repeats)
            browser.close()
    finally:
        for s in servers:
            s.terminate()
            s.wait(timeout=15)
    ratio = statistics.median(intake) / statistics.median(baseline)
    for name, times in (("intake page, one answer and its rerun", intake), ("one-line app (st.radio alone)", baseline)):
        print(
            f"{name + ' (browser):':48} median {statistics.median(times):6.1f} ms  "
            f"(min {times[0]:.1f}, max {times[-1]:.1f}, n={repeats})"
        )
    print(f"ratio: {ratio:.2f} (goal below {GOAL:g}: {'met' if ratio < GOAL else 'NOT met'})")


if __name__ == "__main__":
    main()
