"""“May I tell?” — the law navigator page and the law overview by situation (risk/navigator.py decides everything).

Query parameters pre-fill the questions, so a step or a checklist item can link straight to its answer:

- `agency`: police, healthcare or social_services (default: the signed-in user's agency)
- `context`: the setting, a context id such as emergency_department (default: the agency's first setting)
- `subject_role`: victim, suspect, child, relative or other (default: victim)
- `age`: the person's age in whole years
- `situation`: a situation id of checklists/situations.yaml; repeat it, or separate ids with commas
- `consent`: an agency the person consents to share with; repeat it, or separate with commas
- `level`: the professional's judgement of the level: low, moderate, high or severe

Example: `/law?agency=healthcare&subject_role=victim&age=38&situation=strangulation,children_in_household`.
A value that is not known is left out and named in a warning; nothing else on the page changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from risk.errors import SamriskError
from risk.navigator import (
    Entry,
    NavigatorAnswer,
    ProvisionRef,
    Situation,
    asking_agencies,
    contexts_of,
    law_overview,
    navigate,
    parse_situation,
)
from risk.situations import default_navigator
from risk.vocabulary import LEVEL_ORDER, Agency, PersonRole
from ui import session
from ui.i18n import t as translate
from ui.labels import agency_name, cap_agency, level_word, md_escape
from ui.problems import problem_texts
from ui.session import require_user, t

KEY = "law."
NO_LEVEL = "none"
URL_PATH = "law"


def link_for(sit: Situation) -> str:
    """The page's address with the situation pre-filled: what a step or an item links to (see the module's top).

    A result can make one with `risk.navigator.situation_for(case, agency, result)`."""
    query: list[tuple[str, str]] = [("agency", sit.agency.value), ("subject_role", sit.subject_role.value)]
    if sit.context is not None:
        query.append(("context", sit.context.value))
    if sit.age is not None:
        query.append(("age", str(sit.age)))
    if sit.situations:
        query.append(("situation", ",".join(sit.situations)))
    if sit.consent_to:
        query.append(("consent", ",".join(a.value for a in sit.consent_to)))
    if sit.level is not None:
        query.append(("level", sit.level.value))
    return f"{URL_PATH}?{urlencode(query, safe=',')}"


def _values(name: str) -> list[str]:
    """A query parameter given repeatedly or as a comma-separated list."""
    return [v.strip() for raw in st.query_params.get_all(name) for v in raw.split(",") if v.strip()]


def _prefill(user_agency: str) -> list[str]:
    """Set the questions from the query parameters once per visit; return what could not be used."""
    if st.session_state.get(KEY + "prefilled") == dict(st.query_params):
        return list(st.session_state.get(KEY + "ignored", []))
    nav = default_navigator()
    ignored: list[str] = []
    agencies = [a.value for a in asking_agencies()]

    def one(name: str, allowed: Sequence[str], default: str | None) -> str | None:
        got = _values(name)
        if got and got[0] in allowed:
            return got[0]
        ignored.extend(f"{name}={v}" for v in got)
        return default

    agency = one("agency", agencies, user_agency if user_agency in agencies else agencies[0])
    assert agency is not None
    contexts = [c.value for c in contexts_of(Agency(agency))]
    state = st.session_state
    state[KEY + "agency"] = agency
    state[KEY + "context"] = one("context", contexts, contexts[0])
    state[KEY + "subject_role"] = one("subject_role", [r.value for r in PersonRole], PersonRole.victim.value)
    age = _values("age")
    state[KEY + "age"] = int(age[0]) if age and age[0].isdigit() and int(age[0]) <= 125 else None
    ignored += [f"age={v}" for v in age if state[KEY + "age"] is None]
    situations = _values("situation")
    state[KEY + "situations"] = [s for s in situations if s in nav.situations]
    ignored += [f"situation={s}" for s in situations if s not in nav.situations]
    consent = _values("consent")
    state[KEY + "consent"] = [a for a in consent if a in {x.value for x in Agency}]
    ignored += [f"consent={a}" for a in consent if a not in {x.value for x in Agency}]
    state[KEY + "level"] = one("level", [lv.value for lv in LEVEL_ORDER], NO_LEVEL)
    state[KEY + "prefilled"] = dict(st.query_params)
    state[KEY + "ignored"] = ignored
    return ignored


def _select(label: str, options: Sequence[str], key: str, word: Callable[[str], str]) -> str:
    if st.session_state.get(key) not in options:  # e.g. the setting of the agency chosen before
        st.session_state[key] = options[0]
    return str(st.selectbox(label, options, key=key, format_func=word))


def questions(user_agency: str) -> dict[str, Any]:
    """The navigator's questions; the answers as a situation (plain values)."""
    lg = session.lang()
    nav = default_navigator()
    ignored = _prefill(user_agency)
    if ignored:
        st.warning(t("law.ignored", values=md_escape(", ".join(ignored))), icon=":material/link_off:")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('law.who_am_i')}**")
        agency = _select(
            t("law.agency"), [a.value for a in asking_agencies()], KEY + "agency", lambda a: cap_agency(a, lg)
        )
        context = _select(
            t("law.context"),
            [c.value for c in contexts_of(Agency(agency))],
            KEY + "context",
            lambda c: translate(f"context.{c}", lg),
        )
        st.markdown(f"**{t('law.about_whom')}**")
        subject = st.radio(
            t("law.subject_role"),
            [r.value for r in PersonRole],
            key=KEY + "subject_role",
            format_func=lambda r: translate(f"role.{r}", lg),
            horizontal=True,
        )
        age = st.number_input(t("law.age"), min_value=0, max_value=125, step=1, key=KEY + "age")
    with right:
        st.markdown(f"**{t('law.what_happened')}**")
        situations = st.multiselect(
            t("law.situations"),
            list(nav.situations),
            key=KEY + "situations",
            format_func=lambda s: nav.situations[s].title(lg),
            placeholder=t("law.choose"),
        )
        consent = st.multiselect(
            t("law.consent_to"),
            [a.value for a in Agency],
            key=KEY + "consent",
            format_func=lambda a: cap_agency(a, lg),
            placeholder=t("law.no_consent"),
        )
        level = st.selectbox(
            t("law.level"),
            [NO_LEVEL, *(lv.value for lv in LEVEL_ORDER)],
            key=KEY + "level",
            format_func=lambda v: translate("law.no_level", lg) if v == NO_LEVEL else level_word(v, lg),
        )
    raw: dict[str, Any] = {
        "agency": agency,
        "context": context,
        "subject_role": subject,
        "situations": situations,
        "consent_to": consent,
    }
    if age is not None:
        raw["age"] = int(age)
    if level != NO_LEVEL:
        raw["level"] = level
    return raw


def _provision_lines(provisions: Sequence[ProvisionRef]) -> str:
    unverified = f":orange-badge[:material/warning: {t('steps.unverified')}]"
    return "  \n".join(
        f"{md_escape(p.citation)}{'' if p.verified else ' ' + unverified} – {md_escape(p.title)}" for p in provisions
    )


def _entry(e: Entry) -> None:
    box = st.container(border=True)
    box.markdown(f"**{md_escape(e.text)}**")
    if e.consent_text:
        box.markdown(f":material/how_to_reg: {md_escape(e.consent_text)}")
    if e.note:
        box.markdown(md_escape(e.note))
    if e.provisions:
        box.markdown(_provision_lines(e.provisions))
        with box.expander(t("law.what_the_law_says")):
            for p in e.provisions:
                st.markdown(f"**{md_escape(p.citation)}:** {md_escape(p.paraphrase)}")
    if e.because:
        box.caption(f"{t('law.because')}: {md_escape('; '.join(e.because))}")


def show_answer(answer: NavigatorAnswer) -> None:
    st.markdown(f"**{t('law.level_now')}:** {level_word(answer.overall_level, session.lang())}")
    if not answer.situation.situations:
        st.info(t("law.pick_situation"), icon=":material/info:")
    for kind, icon in (
        ("must", ":material/priority_high:"),
        ("may", ":material/check:"),
        ("may_not", ":material/block:"),
    ):
        entries: list[Entry] = getattr(answer, kind)
        st.subheader(f"{icon} {t(f'law.{kind}')}", divider="gray")
        if not entries:
            st.caption(t("law.none"))
        for e in entries:
            _entry(e)
    if answer.others:
        with st.expander(t("law.others", n=len(answer.others))):
            for e in answer.others:
                st.markdown(f"- **{md_escape(agency_name(e.agency, session.lang()))}:** {md_escape(e.text)}")
    if answer.unverified:
        st.caption(t("law.unverified_note"))
    st.caption(md_escape(answer.notice))


def overview() -> None:
    """Every provision by situation, in plain words, with its source and verified status."""
    lg = session.lang()
    nav = default_navigator()
    only = st.selectbox(
        t("law.overview_situation"),
        [*nav.situations, "all"],  # one situation first: every situation at once is a long page
        key=KEY + "overview",
        format_func=lambda s: translate("law.all_situations", lg) if s == "all" else nav.situations[s].title(lg),
    )
    for section in law_overview(lg, None if only == "all" else only):
        st.subheader(md_escape(section.title), divider="gray")
        for row in section.rows:
            p = row.provision
            with st.container(border=True):
                st.markdown(_provision_lines([p]))
                st.markdown(md_escape(p.paraphrase))
                if row.uses:
                    uses = ", ".join(f"{agency_name(a, lg)}: {t(f'law.kind_{k}')}" for a, k in row.uses)
                    st.markdown(f"**{t('law.applies_to')}:** {md_escape(uses)}")
                st.caption(f"{t('law.source', checked=p.checked)}: {md_escape(p.source)}")


def page() -> None:
    user = require_user()
    lg = session.lang()
    st.title(t("law.title"))
    st.caption(t("law.intro"))
    # one view at a time: the overview is long, and drawing it on every answer would slow each click
    view = st.segmented_control(
        t("law.view"),
        ["ask", "overview"],
        default="ask",
        key=KEY + "view",
        format_func=lambda v: translate(f"law.tab_{v}", lg),
        label_visibility="collapsed",
    )
    if view == "overview":
        overview()
        return
    raw = {**questions(user.agency), "role": user.role}
    try:
        answer = navigate(parse_situation(raw), lg)
    except SamriskError as e:  # a combination the questions allow but the rules refuse: in the page's language
        st.error("  \n".join(problem_texts(e, lg)), icon=":material/error:")
    else:
        show_answer(answer)
