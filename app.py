"""Samrisk, the app: a thin Streamlit layer over risk/ (the engine and the Store); it computes and stores nothing.

Start with `streamlit run app.py`: in a development checkout (the default SQLite file, no production settings) an
empty database gets synthetic demo cases and demo accounts; see risk/demo.py and docs/deployment.md.
"""

from __future__ import annotations

import streamlit as st

from risk.storage import AuthError
from ui import nav
from ui.errors import run_guarded
from ui.i18n import LANGUAGES
from ui.pages import admin, cases, conference, figures, intake, login, result
from ui.session import (
    check_session,
    cookie_written,
    end_session,
    lang,
    sign_out,
    store_or_stop,
    t,
    user,
    write_cookie,
)

st.set_page_config(page_title="Samrisk", page_icon=":material/health_and_safety:", layout="wide")


def sidebar() -> None:
    with st.sidebar:
        choice = st.segmented_control(
            t("app.language"),
            list(LANGUAGES),
            default=lang(),
            format_func=lambda code: t(f"lang.{code}"),
            key="lang_choice",
        )
        if choice and choice != lang():
            st.session_state["lang"] = choice
            st.rerun()
        current = user()
        if current is not None:
            st.caption(
                t(
                    "pages.signed_in",
                    name=current.username,
                    role=t(f"pages.roles.{current.role}"),
                    agency=t(f"agency.{current.agency}"),
                )
            )
            if st.button(t("pages.sign_out")):
                sign_out()
                if getattr(st.user, "is_logged_in", False):
                    st.logout()
                st.rerun()


def pages_for(role: str, agency: str) -> list[st.Page]:
    """The pages a role needs; access to the data behind them is decided again by the Store."""
    made = {
        "cases": st.Page(cases.page, title=t("pages.cases.title"), icon=":material/folder_open:", url_path="cases"),
        "intake": st.Page(
            intake.page,
            title=t(f"pages.intake.title_{agency}" if agency in intake.CONTEXTS else "pages.intake.title_other"),
            icon=":material/edit_note:",
            url_path="intake",
        ),
        "result": st.Page(result.page, title=t("pages.result.title"), icon=":material/assessment:", url_path="result"),
        "conference": st.Page(
            conference.page, title=t("pages.conference.title"), icon=":material/groups:", url_path="conference"
        ),
        "figures": st.Page(
            figures.page, title=t("pages.figures.title"), icon=":material/bar_chart:", url_path="figures"
        ),
        "users": st.Page(
            admin.users_page, title=t("pages.admin.users"), icon=":material/manage_accounts:", url_path="users"
        ),
        "audit": st.Page(
            admin.audit_page, title=t("pages.admin.audit"), icon=":material/fact_check:", url_path="audit"
        ),
    }
    names = {
        "officer": ["cases", "intake", "result", "conference"],
        "clinician": ["cases", "intake", "result", "conference"],
        "social_worker": ["cases", "intake", "result", "conference"],
        "coordinator": ["conference", "cases"],
        "supervisor": ["figures"],
        "admin": ["users", "audit"],
    }[role]
    nav.register({n: made[n] for n in names})
    return [made[n] for n in names]


check_session(store_or_stop())  # every run: a refresh's cookie, idle timeout, the account as the database has it
sidebar()
write_cookie()
current = user()
if current is None:
    run_guarded(st.navigation([st.Page(login.page, title=t("pages.login.title"), icon=":material/login:")]).run)
else:
    pages = pages_for(current.role, current.agency)

    def _pages() -> None:
        try:
            st.navigation(pages).run()
        except AuthError:  # the Store refused the session during the page (disabled or expired meanwhile)
            end_session(t("pages.login.session_ended"))
            st.rerun()

    run_guarded(_pages)

cookie_written()  # reached only when no st.rerun cut the run short
