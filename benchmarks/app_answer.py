"""What one answer on the intake form costs, in figures the machine's load does not distort, beside a one-line app.

usage: python benchmarks/app_answer.py [--answers A] [--root CHECKOUT] [--before CHECKOUT]

The timed journeys (benchmarks/app_journeys.py) say how long an answer takes on the browser's clock; on a busy
machine that clock mostly measures the load. This script counts instead, per answer (median over A answers,
default 12, toggling the first yes/no radio of the police intake form of a DEMO-001 case as app_journeys.py does):
- messages from the server (the websocket's frames: each delta, the script's start and end) and their bytes;
- DOM mutation records and nodes added in the page until 300 ms of quiet;
- the browser's main-thread time (Chrome's Performance.getMetrics: TaskDuration, ScriptDuration, LayoutDuration,
  RecalcStyleDuration) spent on the answer;
- React's commits and the components they rendered (a stand-in for React DevTools' hook counts them);
- the server process's CPU time (user + system, /proc) spent on the answer (a mean: /proc counts in 10 ms ticks).
The same for the one-line app (`st.radio` alone). With --before another checkout (e.g. `git archive main | tar -x
-C /tmp/base`) is measured in the same run and printed beside; --also adds more checkouts. Prints figures; not a test.

What it showed (main at 0fd9de7, a loaded machine, 12-16 answers): 17 messages (10 kB) an answer against the one-line
app's 5, about 10 React commits against 7 - but 1500-1800 components rendered against 130-160. Every commit that
follows a change of the app's state (the run's start, its deltas, its end) renders the whole page again, about 470
components (main area, sidebar, the navigation's links), whatever the fragment sent: an answer's browser cost
grows with the page's size, not with what its rerun sends. Sending less (one radio instead of the section's six)
cut the messages to 11 and the bytes to 4 kB but left the components rendered within the noise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.app_journeys import ONE_LINE_APP, serve, stop, wait_healthy  # noqa: E402
from tests.e2e.conftest import BROWSER_ARGS, CHROMIUM, PASSWORD  # noqa: E402

COUNT = """(() => {
  window.__commits = 0;
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true, isDisabled: false, renderers: new Map(), inject: () => 1, checkDCE: () => {},
    onCommitFiberRoot: (_, root) => { window.__commits += 1; window.__rendered += rendered(root.current.child); },
    onCommitFiberUnmount: () => {}, onPostCommitFiberRoot: () => {}, onScheduleFiberRoot: () => {},
  };
  // The components this commit rendered: a subtree React bailed out of keeps its children (not walked).
  const rendered = (fiber) => {
    let n = 0;
    for (let f = fiber; f; f = f.sibling) {
      if ((f.flags & 1) && f.alternate !== null && typeof f.type === "function") n += 1;
      if (f.child && !(f.alternate && f.alternate.child === f.child)) n += rendered(f.child);
    }
    return n;
  };
  window.__rendered = 0;
  window.__messages = 0; window.__bytes = 0; window.__records = 0; window.__added = 0; window.__last = 0;
  const Original = window.WebSocket;
  window.WebSocket = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        window.__messages += 1; window.__last = performance.now();
        window.__bytes += e.data.byteLength || e.data.size || e.data.length || 0;
      });
    }
  };
  new MutationObserver((records) => {
    window.__last = performance.now();
    window.__records += records.length;
    for (const r of records) window.__added += r.addedNodes.length;
  }).observe(document, {attributes: true, childList: true, subtree: true, characterData: true});
})();"""
RESET = """() => {
  window.__rendered = 0; window.__commits = 0; window.__messages = 0; window.__bytes = 0; window.__records = 0;
  window.__added = 0;
}"""
READ = (
    "() => [window.__messages, window.__bytes, window.__commits, window.__rendered, window.__records, window.__added]"
)
QUIET = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app && app.getAttribute("data-test-script-state") === "notRunning" && performance.now() - window.__last > 300;
}"""
METRICS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
FIELDS = (
    "messages",
    "kB",
    "React commits",
    "components rendered",
    "mutation records",
    "nodes added",
    *(f"{m} ms" for m in METRICS),
    "server CPU ms",
)


def cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def metrics(cdp: Any) -> dict[str, float]:
    got = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {name: got[name] * 1000 for name in METRICS}


def answers(page: Any, pid: int, count: int) -> list[list[float]]:
    """Toggle the first yes/no radio `count` times; per answer the figures named in FIELDS."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    radio = page.get_by_test_id("stMain").get_by_test_id("stRadio").filter(has_text="nej").first
    word, rows = "nej", []
    page.wait_for_function(QUIET, polling=50)
    for _ in range(count):
        word = "ja" if word == "nej" else "nej"
        page.evaluate(RESET)
        before, cpu = metrics(cdp), cpu_ms(pid)
        radio.get_by_text(word, exact=True).click()
        page.wait_for_timeout(50)
        page.wait_for_function(QUIET, polling=50)
        after, used = metrics(cdp), cpu_ms(pid) - cpu
        messages, size, commits, components, records, added = page.evaluate(READ)
        rows.append(
            [messages, size / 1000, commits, components, records, added, *(after[m] - before[m] for m in METRICS), used]
        )
    return rows


def counted_page(browser: Any, url: str) -> tuple[Any, Any]:
    """A new session (context) with the counters installed, its tab opened at `url`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    context.add_init_script(COUNT)
    page = context.new_page()
    page.goto(url)
    return context, page


def intake(browser: Any, url: str, pid: int, count: int) -> list[list[float]]:
    from playwright.sync_api import expect

    context, page = counted_page(browser, url)
    page.get_by_label("Användarnamn", exact=True).fill("polis")
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_label("Lösenord", exact=True).press("Enter")
    main = page.get_by_test_id("stMain")
    card = main.locator("[data-testid='stVerticalBlock'], [data-testid='stHorizontalBlock']").filter(
        has_text="DEMO-001", has=page.get_by_role("button", name="Öppna")
    )  # a row: a bordered horizontal block (or, in older checkouts, a vertical one around it)
    button = card.last.get_by_role("button", name="Öppna")
    expect(button).to_have_count(1, timeout=60_000)  # the list settled into rows (see app_journeys.py)
    button.click()
    page.locator("[data-testid='stMain'] h1", has_text="Resultat").wait_for()
    page.get_by_test_id("stSidebarNav").get_by_text("Intag", exact=True).click()
    page.locator("[data-testid='stMain'] h1", has_text="Intag").wait_for()
    rows = answers(page, pid, count)
    context.close()
    return rows


def one_line(browser: Any, url: str, pid: int, count: int) -> list[list[float]]:
    context, page = counted_page(browser, url)
    page.get_by_text("Fråga").wait_for()
    rows = answers(page, pid, count)
    context.close()
    return rows


def medians(rows: list[list[float]]) -> list[float]:
    """Each figure's median over the answers; the server's CPU time as a mean (/proc counts it in 10 ms ticks)."""
    columns = list(zip(*rows, strict=True))
    return [statistics.median(c) for c in columns[:-1]] + [statistics.fmean(columns[-1])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--answers", type=int, default=12)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--before", type=Path, help="another checkout, measured in the same run")
    parser.add_argument("--also", type=Path, action="append", default=[], help="more checkouts (by folder name)")
    parser.add_argument("--port", type=int, default=8641)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    roots = {"after": args.root.resolve()}
    if args.before:
        roots["before"] = args.before.resolve()
    for more in args.also:
        roots[more.name] = more.resolve()
    folder = Path(tempfile.mkdtemp(prefix="samrisk-answer-"))
    script = folder / "one_line.py"
    script.write_text(ONE_LINE_APP)
    servers: dict[str, Any] = {}
    ports: dict[str, int] = {}
    try:
        for n, (label, root) in enumerate(roots.items()):
            (folder / label).mkdir()
            ports[label] = args.port + n
            servers[label] = serve(root, root / "app.py", ports[label], folder / label)
        ports["one-line app"] = args.port + len(roots)
        servers["one-line app"] = serve(roots["after"], script, ports["one-line app"], folder)
        for label, server in servers.items():
            wait_healthy(server, ports[label])
        results: dict[str, list[list[float]]] = {label: [] for label in servers}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
            for _ in range(2):  # alternating, twice: the same load for each
                for label, server in servers.items():
                    run = one_line if label == "one-line app" else intake
                    url = f"http://127.0.0.1:{ports[label]}/"
                    results[label] += run(browser, url, server.pid, args.answers // 2)
            browser.close()
    finally:
        for server in servers.values():
            stop(server)
    print(f"per answer, median of {args.answers} ({', '.join(f'{k}: {v}' for k, v in roots.items())})")
    print(f"{'':22}" + "".join(f"{label:>14}" for label in results))
    table = {label: medians(rows) for label, rows in results.items()}
    for i, name in enumerate(FIELDS):
        print(f"{name:22}" + "".join(f"{table[label][i]:14.1f}" for label in results))


if __name__ == "__main__":
    main()
