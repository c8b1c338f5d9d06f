"""Intake (police) and triage (health care): register the people, then the context's short form.

Answers are kept as a draft on every change, so a browser refresh loses nothing; the level so far is shown
beside the form. Saving creates a new version in the store and opens the result.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import streamlit as st

from risk.checklists import default_checklists
from risk.engine import assess_one
from risk.errors import InputError
from risk.storage import AuthError, ConflictError, Store, UserInfo
from ui import session
from ui.draft_writer import forget_failure, raise_failure, settle, write_behind
from ui.drafts import confirm_discard, dropped_lines
from ui.errors import drafts_kept
from ui.form import form_answers, form_prefix, form_sections, live_panel, render_section
from ui.i18n import t as translate
from ui.labels import md_escape
from ui.nav import go
from ui.problems import problem_texts, show_problems
from ui.session import case_id, flash, get_store, open_case, require_user, set_target, show_flash, t, target

CONTEXTS = {
    "police": ["police_intake"],
    "healthcare": [
        "emergency_department",
        "ambulance",
        "primary_care",
        "dental_care",
        "psychiatry",
        "child_adolescent_psychiatry",
        "antenatal_child_health",
        "addiction_care",
    ],
    "social_services": ["social_services"],
}
FULL_RUN = "intake.full_run"  # True while the page runs its sections, False when a section reruns alone
FIRST_CHECKLIST = {"police": "domestic_violence", "healthcare": "domestic_violence", "social_services": "child_welfare"}
ROLE_PREFIX = {"victim": "v", "suspect": "s", "child": "c", "relative": "r", "other": "p"}
ROLES = list(ROLE_PREFIX)
GENDERS = ["female", "male", "other", "unknown"]


def page() -> None:
    user = require_user()
    store = get_store()
    st.title(t(f"pages.intake.title_{user.agency}" if user.agency in CONTEXTS else "pages.intake.title_other"))
    show_flash()
    cid = case_id()
    if cid is None:
        new_case(store, user)
        return
    case = store.get_case(user, cid)
    context_name = t("context." + case["context"])
    st.caption(f"{md_escape(case['reference'])} · {context_name}")
    persons(store, user, case)
    if not case["persons"]:
        st.info(t("pages.intake.add_people_first"))
        return
    st.divider()
    assessment(store, user, case)


def new_case(store: Store, user: UserInfo) -> None:
    st.subheader(t("pages.intake.new_case"))
    with st.form("new_case"):
        reference = st.text_input(t("pages.intake.reference"), help=t("pages.intake.reference_help"))
        contexts = CONTEXTS.get(user.agency, ["case_conference"])
        context = st.selectbox(t("pages.intake.context"), contexts, format_func=words("context"))
        submitted = st.form_submit_button(t("pages.intake.create"), type="primary")
    if submitted:
        if not reference.strip():  # the Store's own message is English; say it in the page's language
            st.error(t("pages.intake.reference_missing"))
            return
        try:
            open_case(store.create_case(user, reference=reference, context=context))
            st.rerun()
        except InputError as e:
            show_problems(e)


def words(group: str) -> Callable[[str], str]:
    """A select box's format_func with the language bound now: Streamlit may call it outside this session's run
    (AppTest formats options in its own thread), where the session's language is not known."""
    here = session.lang()
    return lambda code: translate(f"{group}.{code}", here)


def _next_id(case: dict[str, Any], role: str) -> str:
    taken = {p["id"] for p in case["persons"]}
    n = 1
    while f"{ROLE_PREFIX[role]}{n}" in taken:
        n += 1
    return f"{ROLE_PREFIX[role]}{n}"


def person_label(p: dict[str, Any]) -> str:
    age = f", {t('pages.intake.years', n=p['age'])}" if p.get("age") is not None else ""
    role = t("role." + p["role"])
    return f"{p['id']} – {role}{age}"


def person_labels(case: dict[str, Any]) -> dict[str, str]:
    """Each person of the case by id, as person_label says them (for problems and lists that name persons)."""
    return {p["id"]: person_label(p) for p in case["persons"]}


def persons(store: Store, user: UserInfo, case: dict[str, Any]) -> None:
    st.subheader(t("pages.intake.people"))
    if case["persons"]:
        st.markdown("\n".join(f"- {md_escape(person_label(p))}" for p in case["persons"]))
    children = [p for p in case["persons"] if p["role"] == "child"]
    if any(p["role"] in ("victim", "suspect") for p in case["persons"]) and not children:
        st.warning(t("pages.intake.ask_children"), icon=":material/child_care:")
    # Drawn while open: open as long as the case has nobody, then as the user leaves it (in any language); its
    # select boxes are among the costliest elements of the page in the browser, on every click.
    kept_open = f"add_person.open.{case['id']}"
    box_key = f"{kept_open}.{session.lang()}"
    if box_key not in st.session_state:
        st.session_state[box_key] = st.session_state.get(kept_open, not case["persons"])
    box = st.expander(t("pages.intake.add_person"), icon=":material/person_add:", key=box_key, on_change="rerun")
    st.session_state[kept_open] = bool(box.open)
    if not box.open:
        return
    with box, st.form("add_person", clear_on_submit=True):
        cols = st.columns(3)
        role = cols[0].selectbox(t("pages.intake.role"), ROLES, format_func=words("role"))
        age = cols[1].number_input(t("pages.intake.age"), min_value=0, max_value=125, value=None, step=1)
        gender = cols[2].selectbox(
            t("pages.intake.gender"),
            GENDERS,
            index=None,
            format_func=words("pages.gender"),
            placeholder=t("pages.choose"),
        )
        if st.form_submit_button(t("pages.intake.add"), type="secondary"):
            person: dict[str, Any] = {"id": _next_id(case, role), "role": role}
            if age is not None:
                person["age"] = int(age)
            if gender:
                person["gender"] = gender
            try:
                store.add_person(user, case["id"], person)
                st.rerun()
            except InputError as e:
                show_problems(e)


def _choose_target(case: dict[str, Any], user: UserInfo) -> dict[str, Any]:
    checklists = default_checklists()
    ids = [p["id"] for p in case["persons"]]
    labels = person_labels(case)
    chosen = target() or {}
    names = list(checklists)
    here = session.lang()  # bound now, see words()
    first = chosen.get("checklist") or FIRST_CHECKLIST.get(user.agency, names[0])
    checklist = st.selectbox(  # a row of its own: the full title stays readable on a tablet
        t("pages.intake.checklist"),
        names,
        index=names.index(first),
        format_func=lambda c: checklists[c].title(here),
        key=f"target.checklist.{session.lang()}",  # per language: the browser sends the label back (see form_prefix)
    )
    wanted = checklists[checklist].subject_roles
    default_subject = chosen.get("subject") or next((p["id"] for p in case["persons"] if p["role"] in wanted), ids[0])
    cols = st.columns(2)
    subject = cols[0].selectbox(
        t("pages.intake.subject"),
        ids,
        index=ids.index(default_subject),
        format_func=lambda i: labels.get(i, i),
        key=f"target.subject.{checklist}.{session.lang()}",
    )
    about = None
    about_role = checklists[checklist].about_role
    if about_role is not None:
        others = [i for i in ids if i != subject]
        suspect = chosen.get("about") or next((p["id"] for p in case["persons"] if p["role"] == about_role.value), None)
        about_key = f"target.about.{checklist}.{subject}.{session.lang()}"
        if st.session_state.get(about_key) not in others:  # drawn before the suspect was added: offer them now
            st.session_state.pop(about_key, None)
        about = cols[1].selectbox(
            t("pages.intake.about"),
            others,
            format_func=lambda i: labels.get(i, i),
            index=others.index(suspect) if suspect in others else None,  # None: no choice yet
            placeholder=t("pages.choose"),
            key=about_key,
        )
    set_target(checklist, str(subject), about)
    return {"checklist": checklist, "subject": str(subject), "about": about}


def assessment(store: Store, user: UserInfo, case: dict[str, Any]) -> None:
    st.subheader(t("pages.intake.assessment"))
    chosen = _choose_target(case, user)
    checklist = default_checklists()[chosen["checklist"]]
    # One assessment per perpetrator where the checklist is about another person (`about` is part of its key).
    about = chosen["about"] if checklist.about_role is not None else None
    key = f"{case['id']}" + (f"/{about}" if about else "") + f".{checklist.id}.{chosen['subject']}"
    mine = next(
        (
            a
            for a in case["assessments"]
            if a["checklist"] == checklist.id
            and a["subject"] == chosen["subject"]
            and a["agency"] == user.agency
            and (checklist.about_role is None or a.get("about") == about)
        ),
        None,
    )
    if f"base.{key}" not in st.session_state:  # what this edit starts from, for conflict detection
        draft = store.get_draft(user, case["id"], checklist.id, chosen["subject"], about=about)
        st.session_state[f"base.{key}"] = draft["base_version"] if draft else (mine["version"] if mine else None)
        st.session_state[f"seed.{key}"] = draft["answers"] if draft else (dict(mine["answers"]) if mine else {})
        st.session_state[f"kept.{key}"] = dict(st.session_state[f"seed.{key}"])
        st.session_state[f"dropped.{key}"] = draft["dropped"] if draft else []
    dropped = st.session_state[f"dropped.{key}"]
    if dropped:  # a damaged draft: what could be read is in the form, the rest is named here
        lines = "\n".join(dropped_lines(dropped, checklist, session.lang()))
        st.warning(
            f"**{t('drafts.dropped_title')}**\n\n{t('drafts.dropped_intro')}\n\n{lines}", icon=":material/warning:"
        )
    if mine:
        st.caption(t("pages.intake.reassessing", version=mine["version"]))
    panel = st.sidebar.empty()
    if f"open.{key}" not in st.session_state:  # the first section with a question to answer starts open
        kept = st.session_state[f"kept.{key}"]
        sections = form_sections(checklist, case["context"])
        in_form = set(checklist.form_items(case["context"]))
        first = next((s for s in sections if any(i.id in in_form and i.id not in kept for i in s.items)), sections[0])
        st.session_state[f"open.{key}"] = {first.id: True}
    sections = form_sections(checklist, case["context"])
    st.session_state[FULL_RUN] = True  # the sections run as part of the page, not alone (see section_form)
    try:
        for n, section in enumerate(sections):
            section_form(store, user, case, chosen, key, section.id, panel, last=n == len(sections) - 1)
    finally:
        st.session_state[FULL_RUN] = False
    seed = st.session_state[f"seed.{key}"]
    outside = [k for k in seed if k not in set(checklist.form_items(case["context"]))]
    if outside:
        st.caption(t("form.other_answers_kept", n=len(outside)))
    if st.button(t("pages.intake.save"), type="primary", key=f"save.{key}"):
        save(store, user, case, chosen, key)
    confirm_discard(st, key, session.lang(), lambda: discard(store, user, case, chosen, key))


def forget(key: str) -> None:
    """Drop this edit's state: where it started, the answers kept, and the radios of every language."""
    for prefix in ("base", "seed", "kept", "dropped", "open"):
        st.session_state.pop(f"{prefix}.{key}", None)
    for name in [k for k in st.session_state if str(k).startswith("form.") and f".{key}." in str(k)]:
        del st.session_state[name]


def discard(store: Store, user: UserInfo, case: dict[str, Any], chosen: dict[str, Any], key: str) -> None:
    """Throw the draft away (audited by the Store); the form starts again from the last saved version. A draft still
    being written behind an answer of this run is waited for first, so it cannot come back after."""
    settle(str(user.id))
    store.discard_draft(user, case["id"], chosen["checklist"], chosen["subject"], about=chosen["about"])
    forget_failure(session.draft_session())
    forget(key)
    flash(t("drafts.discarded"))
    st.rerun()


@st.fragment
def section_form(
    store: Store,
    user: UserInfo,
    case: dict[str, Any],
    chosen: dict[str, Any],
    key: str,
    section_id: str,
    panel: Any,
    last: bool,
) -> None:
    """One section of the questions, under its title, which opens and closes it; its questions are drawn only while
    it is open (every radio on the page slows every click in the browser, the answers' reruns too). A fragment: an
    answer, or opening the section, reruns only this section; an answer then hands the draft to a worker (written
    behind the answer, ui/draft_writer.py) and redraws the level so far in the sidebar slot `panel` (the case is as
    read on the last full run). A fragment may write to a slot made outside it only if it wrote there in the last
    full run (Streamlit 1.67 reserves its place then), and its rerun empties that place first: in the page's run
    every section writes there and only the `last` one draws the level, once for all sections; a section's own
    rerun draws it again. A draft that failed behind an earlier answer is said at the top of a section's own rerun
    (a full run says it in app.py)."""
    if not st.session_state.get(FULL_RUN):
        try:
            drafts_kept(lambda: raise_failure(session.draft_session()))
        except AuthError:
            session.session_refused()
    checklist = default_checklists()[chosen["checklist"]]
    section = next(s for s in checklist.sections if s.id == section_id)
    kept = st.session_state[f"kept.{key}"]  # the answers as codes: seeds radios drawn new (another language)
    prefix = form_prefix(key, session.lang())
    opened = st.session_state[f"open.{key}"]  # open or closed as the user left each section, in any language
    box_key = f"{prefix}.section.{section_id}"
    if box_key not in st.session_state:  # drawn anew (first time, other language, back from another page)
        st.session_state[box_key] = opened.get(section_id, False)
    box = st.expander(section.title(session.lang()), key=box_key, on_change="rerun")
    opened[section_id] = bool(box.open)
    if box.open:
        with box:
            render_section(st, checklist, section, case["context"], kept, session.lang(), prefix, title=False)
    answers = form_answers(st.session_state, checklist, case["context"], kept, prefix)
    if answers != st.session_state[f"kept.{key}"]:  # kept as a draft behind the answer (ui/draft_writer.py)
        write_behind(
            str(user.id),
            session.draft_session(),
            partial(
                store.save_draft,
                user,
                case["id"],
                checklist.id,
                chosen["subject"],
                dict(answers),
                about=chosen["about"],
                base_version=st.session_state[f"base.{key}"],
            ),
        )
        st.session_state[f"kept.{key}"] = dict(answers)
    if last or not st.session_state.get(FULL_RUN):
        live_level(panel, case, chosen, answers)
    else:
        panel.container()  # the place this section's reruns will draw the level in


def live_level(panel: Any, case: dict[str, Any], chosen: dict[str, Any], answers: dict[str, str]) -> None:
    """The level so far of these answers in the sidebar slot `panel` (an st.empty: each draw replaces the last)."""
    live = assess_one(  # this assessment's level alone: no flags or steps of the case on every answer
        {"context": case["context"], "persons": case["persons"], "assessments": [assessed(chosen, answers)]},
        lang=session.lang(),
    )
    with panel.container():
        live_panel(st, live, default_checklists()[chosen["checklist"]], session.lang())


def assessed(chosen: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
    return {
        "checklist": chosen["checklist"],
        "subject": chosen["subject"],
        "answers": answers,
        **({"about": chosen["about"]} if chosen["about"] else {}),
    }


def save(store: Store, user: UserInfo, case: dict[str, Any], chosen: dict[str, Any], key: str) -> None:
    checklist = default_checklists()[chosen["checklist"]]
    kept = st.session_state[f"kept.{key}"]
    answers = form_answers(st.session_state, checklist, case["context"], kept, form_prefix(key, session.lang()))
    settle(str(user.id))  # a draft written behind an answer of this same run must not come back after the save
    try:
        store.save_assessment(user, case["id"], assessed(chosen, answers), base_version=st.session_state[f"base.{key}"])
    except ConflictError as e:
        why = " ".join(problem_texts(e, session.lang(), person_labels(case)))
        st.error(t("pages.intake.conflict", why=why), icon=":material/sync_problem:")
        return
    except InputError as e:
        show_problems(e, person_labels(case))
        return
    forget_failure(session.draft_session())
    forget(key)
    go("result")
