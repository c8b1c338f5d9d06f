"""Every click of three journeys, timed as a user meets it, side by side with a one-line Streamlit app.

usage: python benchmarks/app_journeys.py [--repeats N] [--starts K] [--root CHECKOUT] [--before CHECKOUT]
                                        [--journeys police,emergency,conference] [--answers A]

Real servers (`streamlit run`, a fresh SQLite file with the synthetic demo for the app), headless Debian Chromium
driven by playwright. Both servers run from the same checkout folder with the same command-line flags, so they
share its .streamlit/config.toml: a cost of the server settings (e.g. runner.postScriptGC) slows both alike.

- start-up: from `streamlit run` to the first page painted in the browser (the app: the sign-in form; the
  one-line app: its radio). K fresh starts (default 3), each on a new database (the demo loads on first start).
- journeys, each in a new session (cookies cleared, a new tab) of one browser whose cache stays warm, as on a
  user's own device; N times (default 5):
  police officer (polis): sign in, open DEMO-001, intake page, answers, result page, case list;
  emergency department (vard): sign in, open DEMO-002, triage page, answers, result page;
  case conference (samordnare): sign in, choose DEMO-004, case list, open DEMO-004 again.
- one-line app (`st.radio` alone): answers, the baseline of an answer's rerun.

A step is timed by the browser's clock: from just before the click (or Enter) to the frame painted after the
last change it caused (the last message from the server or change of the page, before 300 ms of quiet), once
the script is no longer running and the element the step must show is visible. Fragment reruns (an answer
reruns only its section) count the same way: the page painted, not just the last message.
Goals (issue 9): every step's median under 300 ms; an answer's rerun at most 1.5x the one-line app's.

Selectors (kept to labels, roles and testids; change them here when a page's words change):
  sign-in fields "Användarnamn", "Lösenord" (Enter submits); signed in = button "Logga ut";
  pages by their h1 heading: "Ärenden", "Resultat", "Intag", "Triage", "Ärendemöte";
  the menu: stSidebarNav links by page title; a case: the innermost stVerticalBlock or stHorizontalBlock of
  stMain holding its reference and a button "Öppna"; the conference's case: combobox "Ärende", option starting
  with DEMO-004;
  an answer: the first stRadio in stMain with the options "ja" and "nej" (toggled, so every rerun is a change).
Narrower runs: --journeys names the journeys to run (default all three), --starts 0 leaves out the fresh starts,
--answers A answers A items per form (default 3; the one-line app answers three times as many), e.g. the intake
form alone: `--starts 0 --journeys police,emergency --answers 6`.
The --root option measures another checkout (e.g. `git archive main | tar -x -C /tmp/base`) with this script.
--before CHECKOUT measures that checkout too, in the same run: its starts and journeys alternate with the measured
checkout's (the same load on the machine for both), and the figures are printed side by side with the ratio
after/before. Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import BROWSER_ARGS, CHROMIUM, PASSWORD  # noqa: E402 - the e2e tests' Chromium and flags

GOAL_MS = 300.0
GOAL_RATIO = 1.5
ONE_LINE_APP = 'import streamlit as st\nst.radio("Fråga", ["ja", "nej", "vet ej"], index=None, key="q")\n'
ANSWERS_PER_FORM = 3
QUIET_MS = 300  # a step is over when neither the server nor the page has changed anything for this long
# Installed before any page script: the browser's clock stamps every message from the server and every change
# of the page, and the frame that follows it (the change painted).
WATCH = """(() => {
  window.__last = 0;
  window.__painted = 0;
  const changed = () => {
    const at = performance.now();
    window.__last = at;
    requestAnimationFrame(() => { if (window.__last === at) window.__painted = performance.now(); });
  };
  const Original = window.WebSocket;
  window.WebSocket = class extends Original {
    constructor(...args) { super(...args); this.addEventListener("message", changed); }
  };
  new MutationObserver(changed).observe(document, {attributes: true, childList: true, subtree: true,
                                                   characterData: true});
})();"""
MARK = "() => { window.__clicked = performance.now(); window.__last = 0; window.__painted = 0; }"
# `CHECK` is a JS expression that is true when what the step must show is visible.
PAINTED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (window.__last < window.__clicked || window.__painted < window.__last) return false;
  if (performance.now() - window.__last < QUIET) return false;
  const visible = (css, text) => [...document.querySelectorAll(css)].some(
    (e) => e.offsetParent !== null && (text === undefined || e.innerText.trim() === text));
  return CHECK;
}""".replace("QUIET", str(QUIET_MS))
CHECKED = """[...document.querySelectorAll("[data-testid='stMain'] [data-testid='stRadio'] label")].some(
    (l) => l.querySelector("input:checked") && l.innerText.trim() === WORD)"""


def heading(text: str) -> str:
    return f'visible("[data-testid=\'stMain\'] h1", "{text}")'


class Journey:
    """One browser session: each step's milliseconds go into `times` under the step's name."""

    def __init__(self, page: Any, times: dict[str, list[float]], prefix: str) -> None:
        self.page, self.times, self.prefix = page, times, prefix
        self.word = "nej"

    def step(self, name: str, act: Callable[[], object], check: str) -> None:
        self.page.evaluate(MARK)
        act()
        self.page.wait_for_function(PAINTED.replace("CHECK", check), polling=50, timeout=60_000)
        self.times[f"{self.prefix}: {name}"].append(self.page.evaluate("window.__painted - window.__clicked"))

    def sign_in(self, url: str, username: str, first_page: str) -> None:
        self.page.goto(url)
        self.page.get_by_label("Användarnamn", exact=True).fill(username)
        self.page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
        self.step(
            "sign in",
            lambda: self.page.get_by_label("Lösenord", exact=True).press("Enter"),
            f'{heading(first_page)} && visible("[data-testid=\'stSidebar\'] button", "Logga ut")',
        )

    def menu(self, title: str, page_heading: str | None = None) -> None:
        nav = self.page.get_by_test_id("stSidebarNav")
        self.step(f"menu {title}", lambda: nav.get_by_text(title, exact=True).click(), heading(page_heading or title))

    def open_case(self, reference: str, page_heading: str) -> None:
        main = self.page.get_by_test_id("stMain")
        card = (  # a row: a bordered horizontal block (or, in older checkouts, a vertical one around it)
            main.locator("[data-testid='stVerticalBlock'], [data-testid='stHorizontalBlock']")
            .filter(has_text=reference, has=self.page.get_by_role("button", name="Öppna"))
            .last
        )
        button = card.get_by_role("button", name="Öppna")
        # untimed: until the list has settled into rows, the innermost block holding the reference is the whole list
        from playwright.sync_api import expect

        expect(button).to_have_count(1, timeout=60_000)
        self.step(f"open {reference}", button.click, heading(page_heading))

    def answers(self, count: int) -> None:
        radio = self.page.get_by_test_id("stMain").get_by_test_id("stRadio").filter(has_text="nej").first
        for _ in range(count):
            self.word = "ja" if self.word == "nej" else "nej"
            option = radio.get_by_text(self.word, exact=True)
            self.step("answer", option.click, CHECKED.replace("WORD", f'"{self.word}"'))


def police(page: Any, url: str, times: dict[str, list[float]], answers: int = ANSWERS_PER_FORM) -> None:
    j = Journey(page, times, "police")
    j.sign_in(url, "polis", "Ärenden")
    j.open_case("DEMO-001", "Resultat")
    j.menu("Intag")
    j.answers(answers)
    j.menu("Resultat")
    j.menu("Ärenden")


def emergency(page: Any, url: str, times: dict[str, list[float]], answers: int = ANSWERS_PER_FORM) -> None:
    j = Journey(page, times, "emergency dept")
    j.sign_in(url, "vard", "Ärenden")
    j.open_case("DEMO-002", "Resultat")
    j.menu("Triage")
    j.answers(answers)
    j.menu("Resultat")


def conference(page: Any, url: str, times: dict[str, list[float]], answers: int = 0) -> None:
    j = Journey(page, times, "conference")
    j.sign_in(url, "samordnare", "Ärendemöte")
    box = page.get_by_role("combobox", name="Ärende", exact=True)
    box.click()
    j.step(
        "choose DEMO-004",
        lambda: page.get_by_role("option").filter(has_text="DEMO-004").first.click(),
        "visible(\"[data-testid='stMain'] h2, [data-testid='stMain'] h3\", "
        '"Myndigheternas bedömningar sida vid sida")',
    )
    j.menu("Ärenden")
    j.open_case("DEMO-004", "Ärendemöte")


def one_line(page: Any, url: str, times: dict[str, list[float]], answers: int = ANSWERS_PER_FORM) -> None:
    page.goto(url)
    page.get_by_text("Fråga").wait_for()
    Journey(page, times, "one-line app").answers(count=3 * answers)


def serve(root: Path, script: Path, port: int, folder: Path, *flags: str) -> subprocess.Popen[bytes]:
    """`streamlit run` from the checkout `root` (its .streamlit/config.toml) on a fresh database in `folder`;
    `flags`: more settings for this server (e.g. "--runner.postScriptGC", "true")."""
    env = {**os.environ, "SAMRISK_DATABASE_URL": f"sqlite:///{folder / 'samrisk.sqlite3'}", "SAMRISK_DEMO": "1"}
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        *flags,
    ]  # fmt: skip
    with (folder / f"server-{port}.log").open("w") as log:
        return subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(server: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server on {port} did not start") from None
            time.sleep(0.05)


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=15)


# Installed before the first page loads: the page's own clock stamps the frame painted after the first change of
# the page that shows READY (a CSS selector) once the first run has finished. Playwright's waits poll at growing
# intervals (up to half a second apart), so a start-up read off the return of a wait could be late by that much.
FIRST_PAINT = """(() => {
  window.__ready = 0;
  const check = () => {
    if (window.__ready) return;
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return;
    if (![...document.querySelectorAll(READY)].some((e) => e.offsetParent !== null)) return;
    window.__ready = -1;
    requestAnimationFrame(() => { window.__ready = performance.now(); });
  };
  new MutationObserver(check).observe(document, {attributes: true, childList: true, subtree: true});
})();"""


def start_up(browser: Any, root: Path, script: Path, port: int, ready: str) -> float:
    """Milliseconds from `streamlit run` to the frame painted with `ready` (a CSS selector) visible after a finished
    first run, on the machine's wall clock (the page's origin time plus its own clock)."""
    folder = Path(tempfile.mkdtemp(prefix="samrisk-journeys-"))
    began = time.time() * 1000
    server = serve(root, script, port, folder)
    try:
        wait_healthy(server, port)
        page = browser.new_page(locale="sv-SE")
        page.add_init_script(FIRST_PAINT.replace("READY", json.dumps(ready)))
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_function("() => window.__ready > 0", polling=50, timeout=120_000)
        painted = float(page.evaluate("performance.timeOrigin + window.__ready"))
        page.close()
        return painted - began
    finally:
        stop(server)


def report(times: dict[str, list[float]], baseline: float) -> None:
    print(f"{'step':44} {'median':>8} {'min':>7} {'max':>7}  {'n':>3}  {'x one-line answer':>17}")
    for name, values in times.items():
        median = statistics.median(values)
        flag = "" if median < GOAL_MS else "  over 300 ms"
        print(
            f"{name:44} {median:8.1f} {min(values):7.1f} {max(values):7.1f}  {len(values):3}  "
            f"{median / baseline:17.2f}{flag}"
        )


JOURNEYS: dict[str, Callable[[Any, str, dict[str, list[float]], int], None]] = {
    "police": police,
    "emergency": emergency,
    "conference": conference,
}


def measure(
    roots: dict[str, Path],
    repeats: int,
    starts_wanted: int,
    port: int,
    journeys: list[str] | None = None,
    answers: int = ANSWERS_PER_FORM,
) -> tuple[dict[str, dict[str, list[float]]], dict[str, dict[str, list[float]]]]:
    """Start-ups and journeys of each checkout in `roots` (by label) and of the one-line app, alternating.
    Returns (start-ups, steps), each by label (the one-line app's under "one-line app")."""
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="samrisk-journeys-"))
    one_line_script = folder / "one_line.py"
    one_line_script.write_text(ONE_LINE_APP)
    first = next(iter(roots.values()))  # the one-line app runs from the first checkout (its config.toml)
    ports = {label: port + 2 * i for i, label in enumerate(roots)}
    one_port = port + 1
    starts: dict[str, dict[str, list[float]]] = {label: defaultdict(list) for label in [*roots, "one-line app"]}
    times: dict[str, dict[str, list[float]]] = {label: defaultdict(list) for label in [*roots, "one-line app"]}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
        for _ in range(starts_wanted):
            for label, root in roots.items():
                starts[label]["app: first page (sign-in form)"].append(
                    start_up(browser, root, root / "app.py", ports[label], "input[aria-label='Användarnamn']")
                )
            starts["one-line app"]["one-line app: first page"].append(
                start_up(browser, first, one_line_script, one_port, "[data-testid='stRadio']")
            )
        for label in roots:
            (folder / label).mkdir()
        servers = [serve(root, root / "app.py", ports[label], folder / label) for label, root in roots.items()]
        servers.append(serve(first, one_line_script, one_port, folder))
        try:
            for server, at in zip(servers, [*ports.values(), one_port], strict=True):
                wait_healthy(server, at)
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
            context.add_init_script(WATCH)
            chosen = [JOURNEYS[name] for name in journeys or JOURNEYS]
            runs = [(label, journey, ports[label]) for label in roots for journey in chosen]
            runs.append(("one-line app", one_line, one_port))
            for _ in range(repeats):
                for label, journey, at in runs:
                    context.clear_cookies()  # a new session on the same device: its browser cache is warm
                    page = context.new_page()
                    page.set_default_timeout(60_000)
                    journey(page, f"http://127.0.0.1:{at}/", times[label], answers)
                    page.close()
            context.close()
        finally:
            for server in servers:
                stop(server)
        browser.close()
    return starts, times


def summary(label: str, times: dict[str, list[float]], baseline: float) -> tuple[float, float, int]:
    """An answer's median, its ratio to the one-line app's, and the number of steps over the goal."""
    answers = [v for k, vs in times.items() if k.endswith(": answer") for v in vs]
    median = statistics.median(answers)
    return median, median / baseline, sum(statistics.median(v) >= GOAL_MS for v in times.values())


def side_by_side(
    starts: dict[str, dict[str, list[float]]], times: dict[str, dict[str, list[float]]], baseline: float
) -> None:
    """Before and after in one table: medians, the ratio after/before, and each against the one-line app."""
    print(f"{'median ms':44} {'before':>8} {'after':>8}  {'after/before':>12}")
    for name in starts["after"]:
        b, a = statistics.median(starts["before"][name]), statistics.median(starts["after"][name])
        print(f"{'start-up, ' + name:44} {b:8.0f} {a:8.0f}  {a / b:12.2f}")
    if starts["one-line app"]:
        one = statistics.median(starts["one-line app"]["one-line app: first page"])
        print(f"{'start-up, one-line app: first page':44} {one:8.0f} {one:8.0f}")
    for name, values in times["after"].items():
        b, a = statistics.median(times["before"][name]), statistics.median(values)
        flag = "" if a < GOAL_MS else "  over 300 ms"
        print(f"{name:44} {b:8.1f} {a:8.1f}  {a / b:12.2f}{flag}")
    print(f"{'one-line app: answer':44} {baseline:8.1f} {baseline:8.1f}")
    for label in ("before", "after"):
        median, ratio, slow = summary(label, times[label], baseline)
        print(
            f"{label}: an answer's rerun {median:.1f} ms = {ratio:.2f}x the one-line app's {baseline:.1f} ms "
            f"(goal <= {GOAL_RATIO:g}x: {'met' if ratio <= GOAL_RATIO else 'NOT met'}); steps with a median "
            f"over {GOAL_MS:g} ms: {slow} of {len(times[label])}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose app.py is measured")
    parser.add_argument("--before", type=Path, help="another checkout measured in the same run, side by side")
    parser.add_argument("--port", type=int, default=8621, help="the app's port; the one-line app's is the next")
    parser.add_argument("--journeys", default=",".join(JOURNEYS), help="which journeys, comma-separated")
    parser.add_argument("--answers", type=int, default=ANSWERS_PER_FORM, help="answers per form")
    args = parser.parse_args()
    journeys = [name.strip() for name in args.journeys.split(",") if name.strip()]
    unknown = [name for name in journeys if name not in JOURNEYS]
    if unknown or not journeys:
        parser.error(f"--journeys: {', '.join(unknown) or 'none given'}; choose from {', '.join(JOURNEYS)}")
    root = args.root.resolve()
    roots = {"after": root, "before": args.before.resolve()} if args.before else {"app": root}
    starts, times = measure(roots, args.repeats, args.starts, args.port, journeys, max(args.answers, 1))
    baseline = statistics.median(times["one-line app"]["one-line app: answer"])
    if args.before:
        print(f"checkouts: before {roots['before']}, after {root}; {args.starts} fresh starts, {args.repeats} journeys")
        side_by_side(starts, times, baseline)
        return
    print(f"checkout: {root}")
    if args.starts > 0:
        print(f"start-up, {args.starts} fresh starts (ms):")
        both = {**starts["app"], **starts["one-line app"]}
        app_start, one_start = (statistics.median(v) for v in both.values())
        for name, values in both.items():
            low, high = min(values), max(values)
            print(f"  {name:42} median {statistics.median(values):8.0f}  (min {low:.0f}, max {high:.0f})")
        print(f"  ratio app / one-line app: {app_start / one_start:.2f}")
    print(f"\nsteps, {args.repeats} journeys each (ms, browser clock, click to painted):")
    report({**times["app"], **times["one-line app"]}, baseline)
    median, ratio, slow = summary("app", times["app"], baseline)
    print(
        f"\nan answer's rerun: median {median:.1f} ms = {ratio:.2f}x the one-line app's "
        f"{baseline:.1f} ms (goal <= {GOAL_RATIO:g}x: {'met' if ratio <= GOAL_RATIO else 'NOT met'}); "
        f"steps with a median over {GOAL_MS:g} ms: {slow} of {len(times['app']) + 1}"
    )


if __name__ == "__main__":
    main()
