"""The pages of the signed-in user, so one page can send the user to another (st.switch_page).

Kept in the session, not in a module global: a Streamlit server runs every browser session's script in the same
process, so a shared dict would let one user's run replace another's pages halfway through a click.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import streamlit as st

KEY = "nav.pages"


def lazy(module: str, function: str = "page") -> Callable[[], None]:
    """The page function `function` of ui.pages.<module>, imported when the page first runs: a first start then
    imports only the sign-in page's modules, not every page's (plotly and pandas for the figures)."""

    def run() -> None:
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
