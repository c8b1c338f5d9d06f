"""SQL statements per page: the case list, the conference page and the result page, for few and many cases.

usage: python benchmarks/app_statements.py [--base CHECKOUT] [--cases N]

Each page is run in AppTest (the whole app.py, signed in) on a fresh SQLite file with the synthetic demo, once to
warm up and once counted: every statement sent to the database during that run (an SQLAlchemy
before_cursor_execute listener on the Store's engine), the caller's resolution and the audit entries included.
Then N more police cases (default 60, each with a person and a saved assessment) are added and the pages are
counted again. With --base, another checkout (e.g. `git archive main | tar -x -C /tmp/base`) is counted the
same way in its own process and printed beside this one. Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGES = (("cases", "polis", None), ("conference", "polis", "DEMO-004"), ("result", "polis", "DEMO-001"))


def count_here(root: Path, extra_cases: int) -> dict[str, list[int]]:
    """In this process, the checkout `root`: {page: [statements with the demo, with extra_cases more]}."""
    sys.path.insert(0, str(root))
    os.chdir(root)
    os.environ["SAMRISK_DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'samrisk.sqlite3'}"
    os.environ["SAMRISK_DEMO"] = "1"
    for name in ("scriptrunner_utils.script_run_context", "state.session_state_proxy"):
        logging.getLogger(f"streamlit.runtime.{name}").addFilter(lambda _: False)
    from sqlalchemy import event
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    from ui.session import get_store

    store = get_store()  # the app's own Store (st.cache_resource): it prepares the demo's load
    from ui.session import demo_load

    loading = demo_load(store)
    if loading is not None:  # the app loads the demo in a thread after its first page; here, now, and waits
        loading.start()
        loading.wait(300)
    password = json.loads((root / "data" / "demo.json").read_text(encoding="utf-8"))["password"]
    sent: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))

    def statements(page: str, username: str, reference: str | None) -> int:
        user = store.authenticate(username, password)
        app = AppTest.from_file(str(root / "app.py"), default_timeout=300)
        app.session_state["user"] = user
        app.session_state["last_seen"] = time.monotonic()
        if reference is not None:
            app.session_state["case_id"] = next(
                c.id
                for c in store.list_cases(user, search=reference, page_size=100).items
                if c.reference.startswith(reference)
            )
        app._page_hash = calc_hash(page)
        app.run()  # warm-up: imports, caches
        if app.exception:
            raise SystemExit(f"{page}: {app.exception[0].message}")
        sent.clear()
        app.run()  # the same page again, as after a click on it
        return len(sent)

    counts = {page: [statements(page, user, ref)] for page, user, ref in PAGES}
    officer = store.authenticate("polis", password)
    for n in range(extra_cases):
        cid = store.create_case(officer, reference=f"BENCH-{n:04d}")
        store.add_person(officer, cid, {"id": "v1", "role": "victim", "age": 30 + n % 40, "gender": "female"})
        answers = {"dv.strangulation": "yes" if n % 2 else "no"}
        store.save_assessment(officer, cid, {"checklist": "domestic_violence", "subject": "v1", "answers": answers})
    for page, user, ref in PAGES:
        counts[page].append(statements(page, user, ref))
    return counts


def count_in(root: Path, extra_cases: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(root), "--cases", str(extra_cases)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"{root}: {done.stderr[-2000:]}")
    counted: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--base", type=Path, help="another checkout, counted beside this one")
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(count_here(args.child, args.cases)))
        return
    roots = {"this checkout": ROOT, **({"base": args.base.resolve()} if args.base else {})}
    counted = {name: count_in(root, args.cases) for name, root in roots.items()}
    print(f"SQL statements in one run of a page (demo: 4 cases; then {args.cases} more police cases):")
    print(f"{'page (user)':28}" + "".join(f"{name + ': demo':>22}{'+' + str(args.cases):>8}" for name in counted))
    for page, user, _ in PAGES:
        print(f"{page + ' (' + user + ')':28}" + "".join(f"{c[page][0]:>22}{c[page][1]:>8}" for c in counted.values()))


if __name__ == "__main__":
    main()
