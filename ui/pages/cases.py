"""The user's cases: searchable, paginated in the database, with level and what is overdue."""

from __future__ import annotations

import streamlit as st

from risk.checklists import default_checklists
from risk.storage import UserInfo
from ui import followup, session
from ui.components import level_markdown
from ui.drafts import draft_line, local_zone
from ui.labels import md_escape
from ui.nav import go
from ui.page_style import CASE_ROW
from ui.session import get_store, open_case, require_user, set_target, t

PAGE_SIZE = 10  # a tablet screen or two; every row is drawn again on each click while the list is shown


def page() -> None:
    user = require_user()
    store = get_store()
    st.title(t("pages.cases.title"))
    top = st.columns([3, 1])
    search = top[0].text_input(
        t("pages.cases.search"),
        key="cases.search",
        placeholder=t("pages.cases.search_hint"),
        on_change=lambda: st.session_state.pop("cases.page", None),  # a new search starts on its first page
    )
    if top[1].button(t("pages.cases.new"), type="primary", width="stretch"):
        st.session_state.pop("case_id", None)
        go("intake")
    due_only = followup.due_filter(top[0])  # in the search's column: the page's other elements keep their places
    drafts(user)
    number = int(st.session_state.get("cases.page", 1))
    result = store.list_cases(user, search=search, page=number, page_size=PAGE_SIZE, reassessment_due=due_only)
    pages = max(1, -(-result.total // PAGE_SIZE))
    st.caption(t("pages.cases.count", n=result.total, page=result.page, pages=pages))
    if not result.items:
        st.info(t("pages.cases.none"))
    for c in result.items:  # few elements a row: every row is drawn again in the browser on every click
        # a row is one bordered flex line holding one Markdown text (no HTML: the level as a Markdown line) and the
        # button; each further block or element of a row is 20 more for the browser to draw after sign-in
        # on a phone the button goes under the text (ui/page_style.py: CASE_ROW); wider, it stays beside it
        with st.container(
            border=True, horizontal=True, vertical_alignment="center", wrap=False, key=f"{CASE_ROW}-{c.id}"
        ):
            marker = f" · {t('pages.cases.synthetic')}" if c.synthetic else ""
            notes = [
                level_markdown(c.level, session.lang()) if c.level else t("pages.cases.no_level"),
                t("pages.cases.assessments", n=c.assessments),
            ]
            if c.overdue_actions:
                notes.append(f"**:red[{t('pages.cases.overdue', n=c.overdue_actions)}]**")
            if c.reassessment_due:
                notes.append(followup.due_markdown(c.reassessment_due, followup.today(), session.lang()))
            st.markdown(
                f"**{md_escape(c.reference)}**{marker}  \n{t(f'context.{c.context}')} · {t(f'agency.{c.owner_agency}')}"
                f"  \n{' · '.join(notes)}",
                width="stretch",
            )
            st.button(  # in its callback: the next run is the case's page, the list is not drawn again first
                t("pages.cases.open"),
                key=f"open.{c.id}",
                width=110,
                on_click=_open,
                args=(c.id, "conference" if user.role == "coordinator" else "result"),
            )
    nav = st.columns(3)
    if nav[0].button(t("pages.cases.previous"), disabled=number <= 1):
        st.session_state["cases.page"] = number - 1
        st.rerun()
    if nav[2].button(t("pages.cases.next"), disabled=number >= pages):
        st.session_state["cases.page"] = number + 1
        st.rerun()


def _open(cid: int, page_name: str) -> None:
    """The case's page (the result, or the conference for a coordinator) with the case open."""
    open_case(cid)
    go(page_name)


def drafts(user: UserInfo) -> None:
    """Assessments this user started and has not saved: after a refresh or a lost connection, go on here."""
    rows = get_store().list_drafts(user)
    if not rows:
        return
    checklists = default_checklists()
    zone = local_zone(st.context.timezone)
    with st.container(border=True):
        st.markdown(f"**{t('pages.cases.drafts')}**")
        for d in rows:
            cols = st.columns([4, 1])
            cols[0].markdown(draft_line(d, checklists, session.lang(), zone))
            if cols[1].button(
                t("pages.cases.resume"),
                key=f"resume.{d['case_id']}.{d['checklist']}.{d['subject']}.{d.get('about') or ''}",
            ):
                open_case(d["case_id"])
                set_target(d["checklist"], d["subject"], d.get("about"))
                go("intake")
