"""Guidance (knowledge/): browse by setting and topic, search, or open one entry by id (`?entry=care.strangulation`).

Steps and item help link here with the entry id, so one click opens the right text. The page holds no case data,
so it is also offered before sign-in (a help link opened in a new tab works without an account).
"""

from __future__ import annotations

import streamlit as st

from risk.checklists import default_checklists
from risk.guidance import Entry, Library, Topic, default_library, search
from risk.vocabulary import Context
from ui import session
from ui.components import StTarget
from ui.labels import md_escape
from ui.session import t, user

DEFAULT_SETTING = {
    "police": "police_intake",
    "healthcare": "emergency_department",
    "social_services": "social_services",
}


def render_entry(st: StTarget, entry: Entry, lng: str, library: Library) -> None:
    """One entry in full: what to know, what to do, what is still to be confirmed, its sources and check."""
    st.markdown(f"**{md_escape(entry.summary(lng))}**")
    st.markdown("\n".join(f"- {md_escape(p(lng))}" for p in entry.points))
    if entry.to_confirm is not None:
        st.warning(f"**{t('guidance.to_confirm')}:** {md_escape(entry.to_confirm(lng))}", icon=":material/help:")
    settings = [t(f"context.{c.value}") for c in library.settings_of(entry.id)]
    if settings:
        st.caption(t("guidance.settings_of", settings=", ".join(settings)))
    lines = []
    for src in entry.sources:
        if src.kind == "not_verified":  # its title and reference are the project's notes, in one language only
            line = f"- {t('guidance.unverified_source')}"
            lines += [line] if line not in lines else []
            continue
        kind = t(f"guidance.source_kind.{src.kind}")
        title = md_escape(src.title)
        where = f"[{title}]({src.url})" if src.url else title
        ref = f" – {md_escape(src.reference)}" if src.reference else ""
        lines.append(f"- {where}{ref} ({kind})")
    st.markdown(f"**{t('guidance.sources')}**\n" + "\n".join(lines))
    st.caption(t("guidance.checked", date=entry.checked.date.isoformat(), by=entry.checked.by))


def _opened(library: Library, lng: str) -> None:
    entry_id = st.query_params.get("entry")
    if not entry_id:
        return
    entry = library.entries.get(entry_id)
    if entry is None:
        st.warning(t("guidance.not_found", id=entry_id))
        return
    with st.container(border=True):
        st.caption(t("guidance.opened"))
        st.subheader(entry.title(lng))
        render_entry(st, entry, lng, library)


def _search(library: Library, lng: str) -> None:
    query = st.text_input(t("guidance.search"), placeholder=t("guidance.search_placeholder"), key="guidance.query")
    if not query.strip():
        return
    hits = search(query, lng, library)
    if not hits:
        st.info(t("guidance.no_hits"))
        return
    st.caption(t("guidance.hits", n=len(hits)))
    for hit in hits:
        with st.expander(hit.entry.title(lng)):
            render_entry(st, hit.entry, lng, library)


def _checklists(library: Library, setting: str, lng: str) -> None:
    """Which checklists the setting uses (knowledge/), and what its form asks of each (checklists/)."""
    checklists = default_checklists()
    context = Context(setting)
    lines = [
        "- "
        + md_escape(
            t(
                "guidance.checklist_line",
                checklist=checklists[c].title(lng),
                form=checklists[c].form_for(context).title(lng),
                n=len(checklists[c].form_items(context)),
            )
        )
        for c in library.settings[context].checklists
    ]
    st.markdown(t("guidance.checklists") + "\n" + "\n".join(lines))


def _browse(library: Library, lng: str) -> None:
    st.subheader(t("guidance.browse"))
    settings = [c.value for c in Context if c in library.settings]
    current = user()
    first = DEFAULT_SETTING.get(current.agency, settings[0]) if current is not None else settings[0]
    setting = st.selectbox(
        t("guidance.setting"),
        settings,
        index=settings.index(first),
        format_func=lambda c: t(f"context.{c}"),
        key="guidance.setting",
    )
    _checklists(library, setting, lng)
    topics = [tp for tp in Topic if library.for_setting(setting, tp)]
    for tab, topic in zip(st.tabs([t(f"guidance.topic.{tp.value}") for tp in topics]), topics, strict=True):
        for entry in library.for_setting(setting, topic):
            with tab.expander(entry.title(lng)):
                render_entry(st, entry, lng, library)


def page() -> None:
    lng = session.lang()
    library = default_library()
    st.title(t("guidance.title"))
    st.caption(t("guidance.notice"))
    _opened(library, lng)
    _search(library, lng)
    _browse(library, lng)
