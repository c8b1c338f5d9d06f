"""The pages of the signed-in user, so one page can send the user to another (st.switch_page).

Kept in the session, not in a module global: a Streamlit server runs every browser session's script in the same
process, so a shared dict would let one user's run replace another's pages halfway through a click.

Page modules are imported on a page's first run (`lazy`), so a first start imports only what the sign-in page
needs. Once that page is drawn, `warm_up` imports the other pages' modules and loads the checklists in a thread of
its own (issue 9): the user types a name and a password meanwhile, and the sign-in does not pay for them.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from ui import gc_policy

KEY = "nav.pages"
# Every page module `lazy` may import, the pages after sign-in first (the case list, the result, the form).
PAGE_MODULES = (
    "cases",
    "result",
    "intake",
    "conference",
    "figures",
    "admin",
    "guidance",
    "law",
    "training",
    "validation",
    "needs",
    "audit",
)
_log = logging.getLogger(__name__)


class Warming:
    """The warm-up of one server process: import every page module and load the data files they read, once, in a
    thread of its own.

    Imports are never run in two threads at once (two threads importing modules that import each other can fail
    with a deadlock error): a page's first run waits for the warm-up to end (`wait`, in `lazy`), and so does the
    demo's load, which imports the engine (ui/session.py). A module that fails to import is logged and left to
    the page's own import, which then shows the error as any page error."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self.modules_before: frozenset[str] = frozenset()  # what the process had imported when the warm-up began
        self.seconds: float | None = None

    @property
    def started(self) -> bool:
        return self._thread is not None

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def start(self) -> None:
        """Begin (once per process; later calls do nothing)."""
        with self._lock:
            if self._thread is not None:
                return
            self.modules_before = frozenset(sys.modules)
            self._thread = threading.Thread(target=self._run, name="samrisk-warm-up", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the warm-up has ended (True at once where it never started) or `timeout` seconds passed."""
        if self._thread is None or threading.current_thread() is self._thread:
            return True
        return self._done.wait(timeout)

    def _run(self) -> None:
        began = time.perf_counter()
        try:
            for module in PAGE_MODULES:
                try:
                    importlib.import_module(f"ui.pages.{module}")
                except Exception:  # the page's own import raises it again, where the user sees a message
                    _log.exception("warm-up: ui.pages.%s could not be imported", module)
            _load_data()
        finally:
            self.seconds = time.perf_counter() - began
            gc_policy.freeze_at_next_run()  # what it made stays for good: the collector need not walk it
            self._done.set()


def _load_data() -> None:
    """The files every page reads, parsed and validated once per process (each loader is cached)."""
    from risk.checklists import default_checklists
    from risk.followup import default_followup
    from risk.guidance import default_library
    from risk.rules import default_rules
    from risk.safety_plans import default_safety_plans
    from risk.training import default_training
    from ui.i18n import LANGUAGES, catalog

    loaders: tuple[Callable[[], object], ...] = (
        default_checklists,
        default_rules,
        default_followup,
        default_library,
        default_safety_plans,
        default_training,
    )
    for load in loaders:
        try:
            load()
        except Exception:  # a broken data file: the page that reads it says so
            _log.exception("warm-up: %s failed", getattr(load, "__name__", load))
    for lang in LANGUAGES:
        catalog(lang)
    with contextlib.suppress(ImportError):  # Streamlit's emoji catalogue (for a message's leading emoji): a large regex
        importlib.import_module("streamlit.emojis")


def skip_repl_check() -> None:
    """Under `streamlit run`: Streamlit's first element in a process checks whether it runs in a Python REPL, to
    warn that an app needs `streamlit run` (streamlit.delta_generator._maybe_print_use_warning). The check walks
    the whole call stack with inspect, reading every loaded module's path: 0.1-0.35 s of a first start, for a
    warning that cannot apply where a Streamlit runtime exists. Mark it as given (app.py, before the first
    element); a run without a runtime (`python app.py`) still gets the warning."""
    from streamlit import runtime

    delta_generator = sys.modules.get("streamlit.delta_generator")
    if runtime.exists() and hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True  # type: ignore[union-attr]


_warming = Warming()


def warming() -> Warming:
    """This process's warm-up."""
    return _warming


def warm_up() -> None:
    """At the end of a run whose page is drawn (app.py): start this process's warm-up if nobody did."""
    _warming.start()


def lazy(module: str, function: str = "page") -> Callable[[], None]:
    """The page function `function` of ui.pages.<module>, imported when the page first runs: a first start then
    imports only the sign-in page's modules, not every page's (plotly and pandas for the figures). Where the
    warm-up is importing, the page waits for it first (it is importing this module too)."""

    def run() -> None:
        _warming.wait()
        getattr(importlib.import_module(f"ui.pages.{module}"), function)()

    run.__name__ = run.__qualname__ = f"{module}_{function}"
    return run


def register(pages: dict[str, Any]) -> None:
    """The pages of this session's current run, by name (app.py, on every run)."""
    st.session_state[KEY] = dict(pages)


def page(name: str) -> Any | None:
    """This session's page `name`, or None when the signed-in user has no such page (e.g. st.page_link targets)."""
    return st.session_state.get(KEY, {}).get(name)


def go(name: str) -> None:
    page = st.session_state.get(KEY, {}).get(name)
    if page is not None:
        st.switch_page(page)
