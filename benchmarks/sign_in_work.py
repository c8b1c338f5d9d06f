"""The work of the sign-in step, in figures that other load on the machine does not distort, side by side.

usage: python benchmarks/sign_in_work.py [--repeats N] [--root CHECKOUT] [--before CHECKOUT]

The journeys benchmark (app_journeys.py) times the sign-in click to the first page painted; on a machine shared
with other work its milliseconds move by a third from run to run. This script signs in the journeys' three
accounts N times (default 6) on real servers (a fresh SQLite file with the demo each, headless Debian Chromium;
the checkouts alternate) and counts per sign-in, medians:
- server CPU ms: user+system CPU of the server process from the click to the page painted (/proc);
- browser CPU ms: CPU of Chromium's renderer and browser processes over the same span (DevTools
  SystemInfo.getProcessInfo; 10 ms steps);
- messages: websocket messages from the server; nodes: elements under stMain when painted;
- files: frontend files the browser requested after the click (code it had not loaded yet).
Also the click-to-painted milliseconds (as app_journeys.py measures them; load-dependent). Prints figures; not a
test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.app_journeys import MARK, PAINTED, WATCH, heading, serve, stop, wait_healthy  # noqa: E402
from tests.e2e.conftest import BROWSER_ARGS, CHROMIUM, PASSWORD  # noqa: E402

ACCOUNTS = {"polis": "Ärenden", "vard": "Ärenden", "samordnare": "Ärendemöte"}  # and the page each lands on
COUNT = """(() => { window.__messages = 0; const Original = window.WebSocket;
  window.WebSocket = class extends Original {
    constructor(...args) { super(...args); this.addEventListener("message", () => { window.__messages += 1; }); }
  };
})();"""
FIGURES = ("server CPU ms", "browser CPU ms", "messages", "nodes", "files", "click to painted ms")


def server_cpu_ms(pid: int) -> float:
    """User and system CPU of a process, all threads (Linux /proc; clock ticks of 10 ms)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 10.0


def sign_in(context: Any, browser_cdp: Any, url: str, pid: int, username: str) -> dict[str, float]:
    """One sign-in in a new tab of `context` (cookies cleared), its figures."""

    def browser_cpu() -> float:
        info = browser_cdp.send("SystemInfo.getProcessInfo")["processInfo"]
        return 1000 * sum(p["cpuTime"] for p in info if p["type"] in ("renderer", "browser"))

    context.clear_cookies()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.get_by_label("Användarnamn", exact=True).fill(username)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.wait_for_timeout(1000)  # what the sign-in page loads ahead is loaded (a user types for longer)
    files: list[str] = []
    page.on("request", lambda request: files.append(request.url))
    page.evaluate(MARK)
    page.evaluate("window.__messages = 0")
    server0, browser0 = server_cpu_ms(pid), browser_cpu()
    page.get_by_label("Lösenord", exact=True).press("Enter")
    check = f'{heading(ACCOUNTS[username])} && visible("[data-testid=\'stSidebar\'] button", "Logga ut")'
    page.wait_for_function(PAINTED.replace("CHECK", check), polling=50, timeout=60_000)
    figures = {
        "server CPU ms": server_cpu_ms(pid) - server0,
        "browser CPU ms": browser_cpu() - browser0,
        "messages": float(page.evaluate("window.__messages")),
        "nodes": float(page.evaluate("document.querySelectorAll(\"[data-testid='stMain'] *\").length")),
        "files": float(sum("/static/" in f for f in files)),
        "click to painted ms": float(page.evaluate("window.__painted - window.__clicked")),
    }
    page.close()
    return figures


def measure(roots: dict[str, Path], repeats: int, port: int) -> dict[str, dict[str, dict[str, list[float]]]]:
    """By checkout label, by account, by figure: one value per sign-in."""
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="samrisk-sign-in-"))
    ports = {label: port + i for i, label in enumerate(roots)}
    found: dict[str, dict[str, dict[str, list[float]]]] = {
        label: defaultdict(lambda: defaultdict(list)) for label in roots
    }
    for label in roots:
        (folder / label).mkdir()
    servers = {label: serve(root, root / "app.py", ports[label], folder / label) for label, root in roots.items()}
    try:
        for label, server in servers.items():
            wait_healthy(server, ports[label])
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
            browser_cdp = browser.new_browser_cdp_session()
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
            context.add_init_script(WATCH)
            context.add_init_script(COUNT)
            for label in roots:  # a first sign-in each: the demo's load and the server's warm-up, not counted
                sign_in(context, browser_cdp, f"http://127.0.0.1:{ports[label]}/", servers[label].pid, "polis")
            for _ in range(repeats):
                for username in ACCOUNTS:
                    for label in roots:
                        url = f"http://127.0.0.1:{ports[label]}/"
                        figures = sign_in(context, browser_cdp, url, servers[label].pid, username)
                        for name, value in figures.items():
                            found[label][username][name].append(value)
            browser.close()
    finally:
        for server in servers.values():
            stop(server)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose app.py is measured")
    parser.add_argument("--before", type=Path, help="another checkout measured in the same run, side by side")
    parser.add_argument("--port", type=int, default=8661)
    args = parser.parse_args()
    roots = {"after": args.root.resolve()}
    if args.before:
        roots = {"before": args.before.resolve(), **roots}
    found = measure(roots, args.repeats, args.port)
    print(f"checkouts: {', '.join(f'{label} {root}' for label, root in roots.items())}; {args.repeats} sign-ins each")
    heads = "".join(f" {label:>9}" for label in roots)
    print(f"{'median per sign-in':36}{heads}" + ("   after/before" if len(roots) > 1 else ""))
    for username in ACCOUNTS:
        for name in FIGURES:
            medians = [statistics.median(found[label][username][name]) for label in roots]
            ratio = f"   {medians[-1] / medians[0]:12.2f}" if len(medians) > 1 and medians[0] else ""
            print(f"{username + ': ' + name:36}" + "".join(f" {m:9.1f}" for m in medians) + ratio)


if __name__ == "__main__":
    main()
