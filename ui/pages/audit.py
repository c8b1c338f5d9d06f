"""The audit trail for an admin: who did what, to which record, when; filtered and read a page at a time.

The Store filters, counts and cuts the page in the database (`Store.audit_trail`); this page only asks and shows,
with every action, agency and kind of record in words. An admin sees no case content here, only references.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from risk.checklists import default_checklists
from risk.errors import InputError
from risk.storage.trail import NO_USER, AuditFilter
from ui import session
from ui.i18n import catalog
from ui.labels import checklist_name
from ui.session import get_store, require_user, t

PAGE_SIZE = 50
FILTER = "audit.filter"
PAGE = "audit.page"
UP_TO = "audit.up_to"  # the newest entry the pages cover: reading the trail adds entries, pages must not shift
ALL = "\x00all"  # the select boxes' "no filter" choice: never a username or an action code
RECORD_KINDS = ("case", "person", "user", "draft", "assessment", "action", "organisation")
COLUMNS = ("id", "at", "username", "agency", "action", "case_id", "record")


def action_codes() -> list[str]:
    """The actions that have words: every action the Store writes (tests/ui/test_audit_actions.py)."""
    prefix = "audit.actions."
    return sorted(k.removeprefix(prefix) for k in catalog(session.lang()) if k.startswith(prefix))


def action_word(code: str) -> str:
    key = f"audit.actions.{code}"
    return t(key) if key in catalog(session.lang()) else code


def agency_word(agency: str | None) -> str:
    if not agency:
        return ""
    key = f"agency.{agency}"
    return t(key) if key in catalog(session.lang()) else t("audit.system") if agency == "system" else agency


def record_words(record: str | None) -> str:
    """'assessment:domestic_violence:v1:2' → 'Bedömning: Våld i nära relation – v1, version 2'; ids stay as they are."""
    if not record:
        return ""
    kind, _, rest = record.partition(":")
    if kind not in RECORD_KINDS:
        return record
    if kind in ("assessment", "draft"):
        checklist, *about = rest.split(":")
        found = default_checklists().get(checklist)
        if found is not None:
            subject = f" – {about[0]}" if about else ""
            version = f", {t('audit.version', n=about[1])}" if len(about) > 1 else ""
            rest = f"{checklist_name(found, session.lang())}{subject}{version}"
    return f"{t(f'audit.records.{kind}')}: {rest}"


def _filters(user_names: list[str]) -> AuditFilter:
    """The filter form (it keeps its values across reruns) and the filter last applied."""
    with st.form("audit.filters"):
        st.markdown(f"**{t('audit.filters')}**")
        cols = st.columns(5)
        who = cols[0].selectbox(
            t("audit.user"),
            [ALL, NO_USER, *user_names],
            format_func=lambda u: t("audit.all") if u == ALL else t("audit.no_user") if u == NO_USER else u,
        )
        case = cols[1].number_input(t("audit.case"), min_value=1, step=1, value=None)
        action = cols[2].selectbox(
            t("audit.action"),
            [ALL, *sorted(action_codes(), key=action_word)],
            format_func=lambda a: t("audit.all") if a == ALL else action_word(a),
        )
        since = cols[3].date_input(t("audit.since"), value=None, format="YYYY-MM-DD")
        until = cols[4].date_input(t("audit.until"), value=None, format="YYYY-MM-DD")
        if st.form_submit_button(t("audit.apply")):
            st.session_state[FILTER] = AuditFilter(
                username=None if who == ALL else who,
                case_id=int(case) if case is not None else None,
                action=None if action == ALL else action,
                since=since if isinstance(since, date) else None,
                until=until if isinstance(until, date) else None,
            )
            st.session_state[PAGE] = 1
            st.session_state.pop(UP_TO, None)
    chosen = st.session_state.get(FILTER)
    return chosen if isinstance(chosen, AuditFilter) else AuditFilter()


def _rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    words = {c: t(f"audit.columns.{c}") for c in COLUMNS}
    return [
        {
            words["id"]: e["id"],
            words["at"]: str(e["at"]).replace("T", " ")[:19],
            words["username"]: e["username"] or t("audit.no_user"),
            words["agency"]: agency_word(e["agency"]),
            words["action"]: action_word(e["action"]),
            words["case_id"]: "" if e["case_id"] is None else str(e["case_id"]),
            words["record"]: record_words(e["record"]),
        }
        for e in entries
    ]


def page() -> None:
    user = require_user()
    store = get_store()
    st.title(t("audit.title"))
    if st.button(t("pages.admin.verify"), type="primary"):
        problems = store.verify_audit()
        if problems:
            st.error("\n".join(f"- {p}" for p in problems))
        else:
            st.success(t("pages.admin.intact"))
    chosen = _filters([u["username"] for u in store.list_users(user)])
    if chosen.since and chosen.until and chosen.since > chosen.until:
        st.error(t("audit.dates_reversed"))
        return
    number = int(st.session_state.get(PAGE, 1))
    try:
        up_to = st.session_state.get(UP_TO) if number > 1 else None  # the first page always shows the newest
        found = store.audit_trail(user, chosen, page=number, page_size=PAGE_SIZE, up_to=up_to)
    except InputError:  # the form prevents every known case; say what to change rather than show a trace
        st.error(t("audit.bad_filter"))
        return
    st.session_state[UP_TO] = found.up_to
    st.caption(t("audit.count", n=found.total, page=found.page, pages=found.pages))
    if not found.entries:
        st.info(t("audit.none"))
    else:
        st.dataframe(_rows(found.entries), width="stretch", hide_index=True)
    # callbacks run before the next run draws the page: the page turns within the entries this run showed
    nav = st.columns(3)
    nav[0].button(t("audit.previous"), disabled=number <= 1, key="audit.previous", on_click=_turn, args=(number - 1,))
    nav[2].button(t("audit.next"), disabled=number >= found.pages, key="audit.next", on_click=_turn, args=(number + 1,))


def _turn(number: int) -> None:
    st.session_state[PAGE] = number
