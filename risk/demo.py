"""The synthetic demo (data/demo.json): accounts with a published password and made-up cases, opt-in only.

Every demo case is marked synthetic and its reference starts with DEMO; nothing here is real. Besides the
hand-written cases, `generated` in demo.json names a file of made-up cases drawn from a seed (risk/demo_cases.py),
so that a supervisor sees figures. Because every demo
account, admin included, has the same published password, the demo is loaded only when asked for
(`SAMRISK_DEMO=1`, `python -m risk demo load`, or the default SQLite file of a development checkout), never into a
server database or with SAMRISK_PRODUCTION set, and the database is marked so the sign-in page may show the password.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from risk.errors import InputError
from risk.storage import Store, UserInfo
from risk.storage.identity import PRODUCTION_ENV, production

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo.json"
DEMO_ENV = "SAMRISK_DEMO"
_log = logging.getLogger(__name__)


def demo_refusal(store: Store) -> str | None:
    """Why the demo may not go into this database, or None."""
    if production():
        return f"demo: refused because {PRODUCTION_ENV} is set; demo accounts have a published password"
    if store.engine.dialect.name != "sqlite":
        return (
            f"demo: refused on a {store.engine.dialect.name} database, which counts as production; "
            "load the demo only into a SQLite file"
        )
    return None


def demo_wanted() -> bool:
    """The app's choice: SAMRISK_DEMO=1 asks for the demo, 0 refuses it; unset, only the default SQLite file of a
    development checkout gets it (no SAMRISK_DATABASE_URL and no SAMRISK_PRODUCTION): the README's first command."""
    setting = os.environ.get(DEMO_ENV, "").strip()
    if setting:
        return setting == "1"
    return not os.environ.get("SAMRISK_DATABASE_URL") and not production()


def load_demo(store: Store, path: Path = DEMO_FILE) -> dict[str, UserInfo]:
    """Add the demo accounts and cases unless the store already has users, as the system actor `demo`, and mark
    the database as a demo. Returns the accounts by name (a session for those the demo acted as); InputError where
    the demo is refused."""
    begun = _begin(store, path)
    return _fill(store, *begun, path) if begun is not None else {}


def _begin(store: Store, path: Path) -> tuple[UserInfo, dict[str, Any]] | None:
    """The quick first part of a load: refuse, or stop where the store already has users, else mark the database
    as a demo (first: even a half-loaded demo has accounts with the published password). Returns the system
    actor and the demo file's content for `_fill`, or None when there is nothing to load."""
    refusal = demo_refusal(store)
    if refusal:
        raise InputError([refusal])
    demo: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    system = store.system_actor("demo")
    if store.list_users(system):
        return None
    store.mark_demo(system)
    return system, demo


def _fill(store: Store, system: UserInfo, demo: dict[str, Any], path: Path) -> dict[str, UserInfo]:
    """The slow part of a load: the accounts (a deliberately slow password hash each) and the cases."""
    accounts = {
        a["username"]: store.add_user(
            a["username"], demo["password"], a["agency"], a["role"], by=system, published_password=True
        )
        for a in demo["accounts"]
    }
    generated = path.parent / demo["generated"] if demo.get("generated") else None
    made = json.loads(generated.read_text(encoding="utf-8"))["cases"] if generated else []
    cases = [*made, *demo["cases"]]  # the hand-written cases last: they come first in the case list
    # sign in only the accounts the demo acts as: each sign-in is a deliberately slow password check
    users = {name: store.authenticate(name, demo["password"], "demo") for name in sorted(_actors(cases))}
    today = store.clock().date()
    for c in cases:
        _add_case(store, c, users, today)
    return {**accounts, **users}


def _add_case(store: Store, c: dict[str, Any], users: dict[str, UserInfo], today: date) -> None:
    owner = users[c["by"]]
    cid = store.create_case(owner, reference=c["reference"], context=c["context"], synthetic=True)
    for agency in c.get("agencies", []):
        store.add_agency(owner, cid, agency)
    for p in c["persons"]:
        store.add_person(owner, cid, p)
    for consent in c.get("consents", []):
        store.record_consent(users[consent["by"]], cid, consent["person"], consent["to_share_with"])
    for a in c.get("assessments", []):
        days = a.get("reassess_in_days")
        assessment = {k: a[k] for k in ("checklist", "subject", "about", "answers") if k in a}
        store.save_assessment(
            users[a["by"]], cid, assessment, reassess_by=today + timedelta(days=days) if days is not None else None
        )
    for r in c.get("concern_reports", []):
        store.report_concern(users[r["by"]], cid, r["child"])
    for share in c.get("conference_shares", []):
        store.share_with_conference(users[share["by"]], cid, share["checklist"], share["subject"], share["basis"])
    for act in c.get("actions", []):
        store.add_action(
            users[act["by"]],
            cid,
            act["step_id"],
            act["owner_agency"],
            act["responsible"],
            today + timedelta(days=act["due_in_days"]),
            act["status"],
        )


class DemoLoad:
    """The demo loaded in a thread of its own, so that a first start paints its sign-in page at once instead of
    after the seconds the accounts' password hashes and the cases take (issue 9).

    `prepare` does the quick part before it returns: the refusal, the check for existing users and the demo mark
    (the sign-in page may show the published password from its first run). `start` runs the rest, the accounts
    and cases, in a thread (the app starts it when its first page is drawn, so the two do not share the
    processor). A sign-in must `wait` first (which starts the thread if nobody did): until then the accounts do
    not exist. A failure is logged and kept in `error`. `after`: what the thread waits for before it loads (the
    app's warm-up, which imports the modules the load uses: two threads never import at once); `then`: what it
    does when the load has ended, failed or not (the app: freeze what the load left, ui/gc_policy.py)."""

    def __init__(
        self,
        store: Store,
        system: UserInfo,
        demo: dict[str, Any],
        path: Path,
        after: Callable[[], object] | None = None,
        then: Callable[[], object] | None = None,
    ) -> None:
        self.error: BaseException | None = None
        self._after, self._then = after, then
        self._done = threading.Event()
        self._started = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._run, args=(store, system, demo, path), name="samrisk-demo-load", daemon=True
        )

    @classmethod
    def prepare(
        cls,
        store: Store,
        path: Path = DEMO_FILE,
        after: Callable[[], object] | None = None,
        then: Callable[[], object] | None = None,
    ) -> DemoLoad | None:
        """Mark `store` as a demo and make the load of its accounts and cases; None when it already has users.
        InputError where the demo is refused."""
        begun = _begin(store, path)
        return cls(store, *begun, path, after=after, then=then) if begun is not None else None

    def start(self) -> None:
        """Load the accounts and cases in the thread (once; later calls do nothing)."""
        with self._lock:
            if not self._started:
                self._started = True
                self._thread.start()

    def _run(self, store: Store, system: UserInfo, demo: dict[str, Any], path: Path) -> None:
        try:
            if self._after is not None:
                self._after()
            _fill(store, system, demo, path)
        except Exception as e:  # kept for the sign-in page and logged; the thread ends here
            self.error = e
            _log.exception("the synthetic demo could not be loaded")
        finally:
            if self._then is not None:
                self._then()
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Start the load if nobody did and block until it has ended (True) or `timeout` seconds have passed."""
        self.start()
        return self._done.wait(timeout)


def _actors(cases: list[dict[str, Any]]) -> set[str]:
    """The accounts named as `by` anywhere in the cases."""
    found: set[str] = set()
    for c in cases:
        found.add(c["by"])
        for part in ("assessments", "consents", "concern_reports", "conference_shares", "actions"):
            found |= {x["by"] for x in c.get(part, [])}
    return found
