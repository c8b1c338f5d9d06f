"""Per-browser-session state: the store connection, the signed-in user, the language, the open case.

The Store (a connection pool) is shared by all sessions through st.cache_resource; case data is never
cached: every page reads it through the Store, which checks access and writes the audit trail.
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from risk.demo import load_demo
from risk.storage import Store, UserInfo
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES
from ui.i18n import t as translate


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """One Store per server process. An empty database gets the synthetic demo unless SAMRISK_DEMO=0."""
    store = Store.open()
    if os.environ.get("SAMRISK_DEMO", "1") != "0":
        load_demo(store)
    return store


def lang() -> str:
    value = st.session_state.get("lang", DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **fmt: Any) -> str:
    return translate(key, lang(), **fmt)


def user() -> UserInfo | None:
    value = st.session_state.get("user")
    return value if isinstance(value, UserInfo) else None


def require_user() -> UserInfo:
    u = user()
    if u is None:
        st.stop()
    assert u is not None
    return u


def sign_out() -> None:
    for key in list(st.session_state):
        if key != "lang":
            del st.session_state[key]


def open_case(case_id: int) -> None:
    st.session_state["case_id"] = case_id
    st.session_state.pop("target", None)


def case_id() -> int | None:
    value = st.session_state.get("case_id")
    return int(value) if value is not None else None


def set_target(checklist: str, subject: str, about: str | None = None) -> None:
    """The assessment the intake page works on next."""
    st.session_state["target"] = {"checklist": checklist, "subject": subject, "about": about}


def target() -> dict[str, Any] | None:
    value = st.session_state.get("target")
    return value if isinstance(value, dict) else None


def flash(text: str) -> None:
    """A confirmation to show on the next run: a page that saves and then calls st.rerun() would lose it."""
    st.session_state["flash"] = text


def show_flash() -> None:
    text = st.session_state.pop("flash", None)
    if text:
        st.success(text)
