"""Sign in: through the identity provider (OpenID Connect, st.login) when configured, else with a password."""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from risk.demo import demo_refusal, demo_wanted
from risk.storage import AuthError, ClaimMapping, Store
from risk.storage.identity import production
from ui import browser_warmup, nav
from ui.plain_text import md_escape
from ui.session import client_address, demo_load, get_store, sign_in, t, wait_for_demo

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo.json"
# No icon on this page's messages, and said so: without `icon`, Streamlit searches a message for a leading emoji,
# and a text with å, ä or ö first loads its emoji catalogue, 0.1-0.2 s of a first start (issue 9).
NO_ICON = ""
USERNAME, PASSWORD = "login.username", "login.password"  # the form's fields in the session state
REFUSED, FAULT = "login.refused", "login.fault"  # what the submit callback leaves for the page's run to say


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def refusal(e: AuthError) -> str:
    """Why sign-in failed, in the user's language."""
    if e.reason == "locked":
        return t("pages.login.refused_locked", seconds=e.wait_seconds or 30)
    if e.reason == "claims":
        return t("pages.login.sso_refused", why=str(e))
    if e.reason == "session":
        return t("pages.login.session_ended")
    return t(f"pages.login.refused_{e.reason}" if e.reason == "disabled" else "pages.login.refused_wrong")


def submit(store: Store) -> None:
    """Sign in from the form's submit button, in its callback: a callback runs before the script, so the run after
    a successful sign-in already draws the user's first page. Signing in during the sign-in page's own run and then
    calling st.rerun drew the sign-in page once more first, a whole run and page render of each sign-in (issue 9).
    The password is not kept in the session afterwards; a refusal or a fault is shown by the run that follows."""
    username = str(st.session_state.get(USERNAME) or "")
    password = str(st.session_state.pop(PASSWORD, None) or "")
    try:
        wait_for_demo(store)  # on a first start the demo's accounts may still be on their way
        sign_in(store.authenticate(username.strip(), password, client=client_address()))
    except AuthError as e:
        st.session_state[REFUSED] = refusal(e)
    except Exception as e:  # raised again in the page's run, where run_guarded says it
        st.session_state[FAULT] = e


def page() -> None:
    st.title(t("app.name"))
    st.caption(t("pages.login.tagline"))
    store = get_store()
    signed_out_because = st.session_state.pop("signed_out_because", None)
    if signed_out_because:
        st.info(signed_out_because, icon=NO_ICON)
    if oidc_configured():
        if getattr(st.user, "is_logged_in", False):
            wait_for_demo(store)  # a first start: no account may be made before the demo's (it loads only into none)
            mapping = ClaimMapping(**st.secrets.get("samrisk_claims", {}))
            try:
                sign_in(store.user_from_claims(dict(st.user), mapping))
                st.rerun()
            except AuthError as e:
                st.error(refusal(e), icon=NO_ICON)
        st.button(t("pages.login.sso"), on_click=st.login, type="primary")
        st.divider()
    with st.form("login"):
        st.text_input(t("pages.login.username"), key=USERNAME, autocomplete="username")
        st.text_input(t("pages.login.password"), key=PASSWORD, type="password", autocomplete="current-password")
        st.form_submit_button(t("pages.login.submit"), type="primary", on_click=submit, args=(store,))
    refused = st.session_state.pop(REFUSED, None)
    if isinstance(refused, str):
        st.error(refused, icon=NO_ICON)
    fault = st.session_state.pop(FAULT, None)
    if isinstance(fault, Exception):
        raise fault  # said as any fault on a page is, with a reference (ui/errors.py)
    loading = demo_load(store)
    if loading is not None and loading.error is not None:
        st.error(t("start.demo_failed"), icon=NO_ICON)
    refused = demo_refusal(store) if demo_wanted() else None
    if refused:
        st.warning(t("pages.login.demo_refused", why=refused), icon=NO_ICON)
    if DEMO.exists() and not production() and store.is_demo():  # the password only on a database marked as a demo
        demo = json.loads(DEMO.read_text(encoding="utf-8"))
        st.warning(t("pages.login.demo_marked"), icon=NO_ICON)
        with st.expander(t("pages.login.demo_title"), expanded=True):
            st.markdown(t("pages.login.demo_text", password=demo["password"]))
            st.markdown(accounts_table(demo["accounts"]))
    # Last, once the form is on its way: the next pages' frontend code, loaded and made ready while the user types
    # (ui/browser_warmup.py); drawn first, it delayed the first paint of the form by half a second on a first start
    st.sidebar.html(browser_warmup.script(), unsafe_allow_javascript=True)
    browser_warmup.hidden_elements(st.sidebar, nav.page("guidance"))


def accounts_table(accounts: list[dict[str, str]]) -> str:
    """The demo accounts as a Markdown table (an HTML table in the page): st.table would import pandas, seconds
    of a first start, for six rows."""
    head = [t("pages.login.username"), t("pages.admin.agency"), t("pages.admin.role")]
    rows = [[a["username"], t(f"agency.{a['agency']}"), t(f"pages.roles.{a['role']}")] for a in accounts]
    lines = [head, ["---"] * len(head), *rows]
    return "\n".join("| " + " | ".join(c if c == "---" else md_escape(c) for c in line) + " |" for line in lines)
