"""Per-browser-session state: the store connection, the signed-in user, the language, the open case.

The Store (a connection pool) is shared by all sessions through st.cache_resource; case data is never
cached: every page reads it through the Store, which checks access and writes the audit trail. The signed-in
user is re-checked against the database on every run, and signed out after SAMRISK_IDLE_MINUTES without one.
"""

from __future__ import annotations

import os
import re
import secrets
import time
import weakref
from datetime import timedelta
from typing import Any, NoReturn

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from risk.demo import DemoLoad, demo_refusal, demo_wanted
from risk.errors import SamriskError
from risk.storage import AuthError, Store, UserInfo
from risk.storage.identity import session_lifetime
from ui import gc_policy, nav
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES
from ui.i18n import t as translate

IDLE_ENV = "SAMRISK_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 30
CLIENT_HEADER_ENV = "SAMRISK_CLIENT_ADDRESS_HEADER"  # e.g. X-Forwarded-For, only behind a proxy that sets it
COOKIE_NAME = "samrisk_session"
TOUCH_SECONDS = 60  # the browser session's last activity is written at most once a minute
_COOKIE_CHARS = re.compile(r"^[A-Za-z0-9_.-]{0,200}$")
_demo_loads: weakref.WeakKeyDictionary[Store, DemoLoad] = weakref.WeakKeyDictionary()


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """One Store per server process. The synthetic demo only where it is wanted and allowed (risk/demo.py): the
    database is marked here; its accounts and cases load in a thread of their own once the first page is drawn
    (start_demo_load), so a first start paints the sign-in page at once."""
    store = Store.open()
    if demo_wanted() and demo_refusal(store) is None:
        # loads after the warm-up; what it leaves (SQLAlchemy's statement caches) is frozen at the next run
        loading = DemoLoad.prepare(store, after=nav.warming().wait, then=gc_policy.freeze_at_next_run)
        if loading is not None:
            _demo_loads[store] = loading
    return store


def start_demo_load() -> None:
    """At the end of a run (app.py), once its page is drawn: start the process's warm-up (ui/nav.py: the pages'
    modules and data files, in a thread) and the demo's load if this process prepared one (its thread waits for
    the warm-up's imports). Both once per process."""
    nav.warm_up()
    loading = _demo_loads.get(get_store())
    if loading is not None:
        loading.start()


def demo_load(store: Store) -> DemoLoad | None:
    """The demo load this process started on `store`, running or ended; None where none was started."""
    return _demo_loads.get(store)


def wait_for_demo(store: Store) -> None:
    """Before a sign-in on a first start: wait (with a spinner) until the demo's load has ended, so its accounts
    exist (a failed load is said on the sign-in page, see demo_load)."""
    loading = _demo_loads.get(store)
    if loading is not None and not loading.done:
        with st.spinner(t("start.demo_loading")):
            loading.wait()


def store_or_stop() -> Store:
    """The Store, or a message naming the setting to fix (a missing secret key, a bad URL) and a stopped page.

    Each problem in the page's language (ui/problems.py): an administrator reading the Swedish view gets no English;
    a problem without a text of its own is the generic message with a reference, its English in the log."""
    try:
        return get_store()
    except SamriskError as e:  # InputError, and AuditKeyError: a missing or short audit key
        from ui.problems import problem_texts  # imports ui.session: not at the top

        for text in problem_texts(e, lang()):
            st.error(t("pages.login.start_refused", problem=text), icon="")  # "": no emoji search
        st.stop()
        raise  # st.stop() does not return
    except SQLAlchemyError:  # the database server is down or refuses: what to check, the details in the log only
        from ui.errors import log, reference  # imports ui.session: not at the top

        ref = reference()
        log.exception("the database could not be reached at start [%s]", ref)
        st.error(t("start.database_unreachable", ref=ref), icon="")
        st.stop()
        raise


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
    """Signed in by password or identity provider: also a browser session, so a refresh keeps the user signed in."""
    st.session_state["user"] = signed_in
    st.session_state["last_seen"] = time.monotonic()
    cookie = get_store().start_browser_session(signed_in)
    st.session_state["cookie"] = cookie
    st.session_state["cookie_touched"] = time.monotonic()
    st.session_state["cookie_write"] = cookie


def browser_cookie() -> str | None:
    """The session cookie the browser sent when this Streamlit session connected (a refresh sends it again)."""
    value = st.context.cookies.get(COOKIE_NAME)
    return value if isinstance(value, str) and value else None


def resume_from_cookie(store: Store) -> None:
    """After a refresh: sign in again from the browser's cookie if the Store accepts it (risk/storage/sessions.py).
    A refused cookie is removed from the browser and not tried again in this session."""
    cookie = browser_cookie()
    if cookie is None or cookie == st.session_state.get("cookie_spent"):
        return
    try:
        resumed = store.resume_browser_session(cookie, timedelta(minutes=idle_minutes()), client=client_address())
    except AuthError as e:
        st.session_state["cookie_spent"] = cookie
        st.session_state["cookie_write"] = ""  # delete it in the browser
        if e.reason == "idle":
            st.session_state["signed_out_because"] = t("pages.login.idle_signed_out", minutes=f"{idle_minutes():g}")
        elif e.reason == "disabled":
            st.session_state["signed_out_because"] = t("pages.login.refused_disabled")
        return
    st.session_state["user"] = resumed
    st.session_state["last_seen"] = time.monotonic()
    st.session_state["cookie"] = cookie
    st.session_state["cookie_touched"] = time.monotonic()


def cookie_script(value: str, max_age: int) -> str:
    """The script that sets (or, with an empty value, deletes) the session cookie in the browser.

    Streamlit 1.67 has no server-side way for a script to set a cookie (st.context.cookies is read-only), so the
    page sets it: SameSite=Strict, Secure on HTTPS, Path=/. It cannot be HttpOnly; it holds only a random secret
    that the server checks on every use (docs/security.md)."""
    if not _COOKIE_CHARS.match(value):
        raise ValueError("a session cookie holds only URL-safe characters")
    age = max_age if value else 0
    return (
        "<script>document.cookie = "
        f'"{COOKIE_NAME}={value}; Path=/; Max-Age={age}; SameSite=Strict"'
        ' + (location.protocol === "https:" ? "; Secure" : "");</script>'
    )


def write_cookie() -> None:
    """Set or delete the cookie in the browser while a change is pending (see cookie_written)."""
    value = st.session_state.get("cookie_write")
    if isinstance(value, str):
        max_age = int(session_lifetime().total_seconds())
        st.sidebar.html(cookie_script(value, max_age), unsafe_allow_javascript=True)


def cookie_written() -> None:
    """The run that drew the script finished (a run cut short by st.rerun draws it again)."""
    st.session_state.pop("cookie_write", None)


def check_session(store: Store) -> None:
    """On every run: sign in again from the browser's cookie after a refresh; sign out after the idle time, or
    when the Store refuses the session (disabled, expired); keep the browser session's activity current."""
    current = user()
    if current is None:
        resume_from_cookie(store)
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
    cookie = st.session_state.get("cookie")
    touched = st.session_state.get("cookie_touched", 0.0)
    if isinstance(cookie, str) and time.monotonic() - float(touched) >= TOUCH_SECONDS:
        store.touch_browser_session(st.session_state["user"], cookie)
        st.session_state["cookie_touched"] = time.monotonic()


def end_session(why: str) -> None:
    """Sign out and say why on the sign-in page."""
    sign_out()
    st.session_state["signed_out_because"] = why


def session_refused() -> NoReturn:
    """The Store refused the session during a run (the account disabled or the session expired meanwhile): sign
    out, say why on the sign-in page, and run again."""
    end_session(t("pages.login.session_ended"))
    st.rerun()


def draft_session() -> str:
    """This browser session's name for the drafts written behind its answers (ui/draft_writer.py)."""
    name = st.session_state.get("drafts.session")
    if not isinstance(name, str):
        name = st.session_state["drafts.session"] = secrets.token_hex(8)
    return name


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
    """Forget everything but the language, and end the browser session: its cookie opens nothing any more."""
    cookie = st.session_state.get("cookie")
    if isinstance(cookie, str):
        get_store().end_browser_session(cookie)
    spent = cookie if isinstance(cookie, str) else st.session_state.get("cookie_spent")
    for key in list(st.session_state):
        if key != "lang":
            del st.session_state[key]
    if spent:
        st.session_state["cookie_spent"] = spent  # the cookie this session connected with is not tried again
    st.session_state["cookie_write"] = ""  # delete it in the browser


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
