"""Per-browser-session state: the store connection, the signed-in user, the language, the open case.

The Store (a connection pool) is shared by all sessions through st.cache_resource; case data is never
cached: every page reads it through the Store, which checks access and writes the audit trail. The signed-in
user is re-checked against the database on every run, and signed out after SAMRISK_IDLE_MINUTES without one.
"""

from __future__ import annotations

import os
import time
from typing import Any

import streamlit as st

from risk.demo import demo_refusal, demo_wanted, load_demo
from risk.errors import InputError
from risk.storage import AuthError, Store, UserInfo
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES
from ui.i18n import t as translate

IDLE_ENV = "SAMRISK_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 30
CLIENT_HEADER_ENV = "SAMRISK_CLIENT_ADDRESS_HEADER"  # e.g. X-Forwarded-For, only behind a proxy that sets it


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """One Store per server process. The synthetic demo only where it is wanted and allowed (risk/demo.py)."""
    store = Store.open()
    if demo_wanted() and demo_refusal(store) is None:
        load_demo(store)
    return store


def store_or_stop() -> Store:
    """The Store, or a message naming the setting to fix (a missing secret key, a bad URL) and a stopped page."""
    try:
        return get_store()
    except InputError as e:
        for problem in e.problems:
            st.error(t("pages.login.start_refused", problem=problem))
        st.stop()
        raise  # st.stop() does not return


def idle_minutes() -> float:
    """SAMRISK_IDLE_MINUTES, the deployment's idle timeout (default 30); a bad value falls back to the default."""
    try:
        minutes = float(os.environ.get(IDLE_ENV, DEFAULT_IDLE_MINUTES))
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    return minutes if minutes > 0 else DEFAULT_IDLE_MINUTES


def client_address() -> str | None:
    """The browser's address for the per-client sign-in limit: the header a trusted proxy sets, if configured."""
    header = os.environ.get(CLIENT_HEADER_ENV)
    if header:
        value = st.context.headers.get(header)
        if isinstance(value, str) and value.strip():
            return value.split(",")[-1].strip()  # the entry the (last, trusted) proxy added
    address = st.context.ip_address  # None on localhost
    return address if isinstance(address, str) else None


def sign_in(signed_in: UserInfo) -> None:
    st.session_state["user"] = signed_in
    st.session_state["last_seen"] = time.monotonic()


def check_session(store: Store) -> None:
    """On every run: sign out after the idle time, or when the Store refuses the session (disabled, expired)."""
    current = user()
    if current is None:
        return
    idle = idle_minutes()
    last_seen = st.session_state.get("last_seen")
    if not isinstance(last_seen, float) or time.monotonic() - last_seen > idle * 60:
        end_session(t("pages.login.idle_signed_out", minutes=f"{idle:g}"))
        return
    try:
        st.session_state["user"] = store.resolve_user(current)  # role and agency as the database has them now
    except AuthError:
        end_session(t("pages.login.session_ended"))
        return
    st.session_state["last_seen"] = time.monotonic()


def end_session(why: str) -> None:
    """Sign out and say why on the sign-in page."""
    sign_out()
    st.session_state["signed_out_because"] = why


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
