"""Samrisk, the app: a thin Streamlit layer over risk/ (the engine and the Store); it computes and stores nothing.

Start with `streamlit run app.py`: in a development checkout (the default SQLite file, no production settings) an
empty database gets synthetic demo cases and demo accounts; see risk/demo.py and docs/deployment.md.
"""

from __future__ import annotations

import streamlit as st

from risk.storage import AuthError
from ui import case_reads, nav
from ui.draft_writer import settle
from ui.errors import drafts_kept, run_guarded
from ui.gc_policy import freeze_long_lived
from ui.i18n import LANGUAGES, catalog, document_language
from ui.nav import lazy
from ui.pages import login
from ui.plain_text import md_escape  # a username is shown as typed, never as Markdown
from ui.session import (
    check_session,
    cookie_written,
    draft_session,
    lang,
    session_refused,
    sign_out,
    start_demo_load,
    store_or_stop,
    t,
    user,
    write_cookie,
)

nav.skip_repl_check()  # before the first element: Streamlit's REPL check costs a first start 0.1-0.35 s
st.set_page_config(page_title="Samrisk", page_icon=":material/health_and_safety:", layout="wide")
case_reads.new_run()  # the open case is read again in every run, once
freeze_long_lived()  # what earlier runs imported (pages load on first visit) joins what the collector skips


def sidebar() -> None:
    with st.sidebar:
        document_language(st, lang())
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
                    name=md_escape(current.username),
                    role=t(f"pages.roles.{current.role}"),
                    agency=t(f"agency.{current.agency}"),
                )
            )
            if st.button(t("pages.sign_out")):
                sign_out()
                if getattr(st.user, "is_logged_in", False):
                    st.logout()
                st.rerun()


def guidance_page() -> st.Page:
    """The guidance holds no case data: every role has it, and it is there before sign-in too."""
    return st.Page(lazy("guidance"), title=t("guidance.title"), icon=":material/menu_book:", url_path="guidance")


def pages_for(role: str, agency: str) -> list[st.Page]:
    """The pages a role needs; access to the data behind them is decided again by the Store."""
    intake_title = f"pages.intake.title_{agency}"
    made = {  # each page's module is imported on its first visit (ui/nav.py, lazy): a first start stays quick
        "cases": st.Page(lazy("cases"), title=t("pages.cases.title"), icon=":material/folder_open:", url_path="cases"),
        "intake": st.Page(
            lazy("intake"),
            title=t(intake_title if intake_title in catalog(lang()) else "pages.intake.title_other"),
            icon=":material/edit_note:",
            url_path="intake",
        ),
        "result": st.Page(
            lazy("result"), title=t("pages.result.title"), icon=":material/assessment:", url_path="result"
        ),
        "conference": st.Page(
            lazy("conference"), title=t("pages.conference.title"), icon=":material/groups:", url_path="conference"
        ),
        "figures": st.Page(
            lazy("figures"), title=t("pages.figures.title"), icon=":material/bar_chart:", url_path="figures"
        ),
        "validation": st.Page(
            lazy("validation"), title=t("validation.title"), icon=":material/query_stats:", url_path="validation"
        ),
        "needs": st.Page(lazy("needs"), title=t("needs.title"), icon=":material/school:", url_path="needs"),
        "users": st.Page(
            lazy("admin", "users_page"),
            title=t("pages.admin.users"),
            icon=":material/manage_accounts:",
            url_path="users",
        ),
        "audit": st.Page(lazy("audit", "page"), title=t("audit.title"), icon=":material/fact_check:", url_path="audit"),
        "guidance": guidance_page(),
        "law": st.Page(lazy("law", "page"), title=t("law.title"), icon=":material/gavel:", url_path="law"),
        "training": st.Page(lazy("training"), title=t("training.title"), icon=":material/school:", url_path="training"),
    }
    names = {
        "officer": ["cases", "intake", "result", "conference", "guidance", "law", "training"],
        "clinician": ["cases", "intake", "result", "conference", "guidance", "law", "training"],
        "social_worker": ["cases", "intake", "result", "conference", "guidance", "law", "training"],
        "coordinator": ["conference", "cases", "guidance", "law", "training"],
        "supervisor": ["figures", "needs", "validation", "guidance", "law", "training"],
        "admin": ["users", "audit", "guidance", "law"],
    }[role]
    nav.register({n: made[n] for n in names})
    return [made[n] for n in names]


check_session(store_or_stop())  # every run: a refresh's cookie, idle timeout, the account as the database has it
sidebar()
write_cookie()
current = user()
if current is None:
    signed_out = [st.Page(login.page, title=t("pages.login.title"), icon=":material/login:"), guidance_page()]
    nav.register({"guidance": signed_out[1]})
    run_guarded(st.navigation(signed_out).run)
else:
    pages = pages_for(current.role, current.agency)
    account = str(current.id)

    def _pages() -> None:
        try:
            drafts_kept(lambda: settle(account, draft_session()))  # the account's drafts behind answers are written
            st.navigation(pages).run()
        except AuthError:  # the Store refused the session during the page (disabled or expired meanwhile)
            session_refused()

    run_guarded(_pages)

cookie_written()  # reached only when no st.rerun cut the run short
start_demo_load()  # now that the first page is drawn: the warm-up (ui/nav.py) and, on a first start, the demo load
