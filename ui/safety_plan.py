"""The result page's safety plans and its links to the law navigator: one self-contained section each.

`section` offers the plans the result calls for (risk/safety_plans.py decides which, from data), lets a case worker
write one with the person (their own priorities first), saves every change as a new version (the Store audits it
and decides who sees it), lists the earlier versions, and gives the print view for the person to take home.
`navigator_link` puts "May I tell?" under a step that shares information or rests on a legal basis, opening the law
navigator pre-filled for this case (risk/navigator.py: situation_for, asks_the_law; ui/pages/law.py: link_for).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import streamlit as st

from risk.errors import InputError, SamriskError
from risk.models import Result, Step
from risk.navigator import Situation, asking_agencies, asks_the_law, situation_for
from risk.safety_plans import MAX_ANSWER, PlanOffer, PlanTemplate, default_safety_plans, offered_plans, printed_plan
from risk.storage import PermissionDenied, Store, UserInfo
from risk.vocabulary import Agency, Language
from ui import nav, session
from ui.components import StTarget, guidance_links
from ui.labels import agency_name, md_escape
from ui.pages.intake import person_label
from ui.pages.law import link_for
from ui.print_safety_plan import safety_plan_html
from ui.problems import show_problems
from ui.session import flash, t

KEY = "safety_plan."
CASE_WORKERS = ("officer", "clinician", "social_worker")


# ---- "May I tell?" under a step ---------------------------------------------------------------------------------


def case_situation(case: dict[str, Any], agency: str, result: Result) -> Situation | None:
    """The navigator's questions answered from the case, for the user's agency; None where the navigator does not
    ask for that agency or the case file cannot be read as one."""
    from risk.checklists import default_checklists
    from risk.validation import parse_case

    if agency not in {a.value for a in asking_agencies()}:
        return None
    try:
        return situation_for(parse_case(case, default_checklists()), Agency(agency), result)
    except SamriskError:
        return None


def navigator_link(box: StTarget, step: Step, situation: Situation | None, lang: str) -> None:
    """One click from a step that shares information or rests on a legal basis to the navigator's answer."""
    if situation is None or not asks_the_law(step):
        return
    label = t("safety_plan.navigator_link")
    link = link_for(situation)
    page = nav.page("law")
    if page is not None:
        query = dict(parse_qsl(link.split("?", 1)[1]))
        box.page_link(page, label=label, icon=":material/gavel:", query_params=query)
    else:
        box.markdown(f":material/gavel: [{md_escape(label)}]({link})")


# ---- safety plans ---------------------------------------------------------------------------------------------


def section(store: Store, user: UserInfo, case: dict[str, Any], result: Result) -> None:
    """The safety plans the result offers, each with its latest version, earlier versions, form and print view."""
    persons = {p["id"]: p for p in case["persons"]}
    offers = offered_plans(result, {pid: p["role"] for pid, p in persons.items()})
    if not offers or user.role not in CASE_WORKERS:
        return
    box = st.expander(  # drawn (and the plans read, an audited read) only when opened
        f"{t('safety_plan.title')} ({len(offers)})",
        icon=":material/health_and_safety:",
        key="result.safety_plans",
        on_change="rerun",
    )
    if not box.open:
        return
    plans = default_safety_plans()
    try:
        saved = store.safety_plans(user, case["id"])
    except PermissionDenied:
        return
    with box:
        st.caption(t("safety_plan.intro"))
        for offer in offers:
            template = plans.plan(offer.plan)
            if template is None or offer.person not in persons:
                continue
            mine = [p for p in saved if p["person"] == offer.person and p["kind"] == offer.plan]
            mine.sort(key=lambda p: p["visible_because"] != "own_agency")  # their own first: the one they update
            _offer(store, user, case, offer, template, persons[offer.person], mine)


def _offer(
    store: Store,
    user: UserInfo,
    case: dict[str, Any],
    offer: PlanOffer,
    template: PlanTemplate,
    person: dict[str, Any],
    saved: list[dict[str, Any]],
) -> None:
    lg = session.lang()
    key = f"{offer.person}:{offer.plan}"
    box = st.container(border=True)
    box.markdown(f"**{md_escape(template.name(lg))}** – {md_escape(person_label(person))}")
    own = next((p for p in saved if p["visible_because"] == "own_agency"), None)
    for plan in saved:
        _latest(box, template, plan, key)
    if not saved:
        box.caption(t("safety_plan.none_yet"))
    guidance_links(box, template.guidance, lg)
    if box.button(
        t("safety_plan.update" if own else "safety_plan.create"),
        key=f"{KEY}open:{key}",
        icon=":material/edit_note:",
        type="primary" if own is None else "secondary",
    ):
        st.session_state[KEY + "open"] = key
    if st.session_state.get(KEY + "open") == key:
        with box:
            _form(store, user, case, offer, template, person, own)
    if saved:
        with box:
            _versions(store, user, case, offer, template, key)


def _by_whom(plan: dict[str, Any]) -> str:
    """The agency that saved a version, in words (an organisation's key is not a name)."""
    return agency_name(plan["agency"], session.lang()) if plan.get("agency") else "–"


def _latest(box: StTarget, template: PlanTemplate, plan: dict[str, Any], key: str) -> None:
    by = plan["created_by"] or "–"
    line = t(
        "safety_plan.latest",
        version=plan["version"],
        at=plan["created_at"].replace("T", " "),
        by=by,
        organisation=_by_whom(plan),
    )
    box.caption(md_escape(line))
    if plan["visible_because"] == "consent":
        box.caption(md_escape(t("safety_plan.seen_by_consent", organisation=_by_whom(plan))))
    _print_button(box, template, plan, f"{key}:{plan['organisation']}:{plan['version']}:latest")


def _print_button(box: StTarget, template: PlanTemplate, plan: dict[str, Any], key: str) -> None:
    box.download_button(
        t("safety_plan.print"),
        safety_plan_html(printed_plan(template, plan)),
        file_name=f"safety-plan-{plan['kind']}-v{plan['version']}-{plan['language']}.html",
        mime="text/html",
        icon=":material/print:",
        on_click="ignore",
        key=f"{KEY}print:{key}",
        help=t("safety_plan.print_help"),
    )


def _form(
    store: Store,
    user: UserInfo,
    case: dict[str, Any],
    offer: PlanOffer,
    template: PlanTemplate,
    person: dict[str, Any],
    latest: dict[str, Any] | None,
) -> None:
    """The plan's sections in order, the person's own priorities first, filled from the latest version."""
    lg = session.lang()
    key = f"{offer.person}:{offer.plan}"
    before: dict[str, str] = dict(latest["content"]) if latest else {}
    languages = [lang.value for lang in Language]
    st.markdown(f"#### {md_escape(t('safety_plan.form_title', plan=template.name(lg), person=person_label(person)))}")
    with st.form(f"{KEY}form:{key}"):
        language = st.selectbox(
            t("safety_plan.language"),
            languages,
            index=languages.index(latest["language"] if latest else lg),
            format_func=lambda code: t(f"lang.{code}"),
            key=f"{KEY}language:{key}",
        )
        answers: dict[str, str] = {}
        for n, s in enumerate(template.sections, start=1):
            answers[s.id] = st.text_area(
                f"{n}. {s.title(lg)}",
                value=before.get(s.id, ""),
                key=f"{KEY}answer:{key}:{s.id}",
                help=s.help(lg),
                placeholder=s.prompt(lg),
                max_chars=MAX_ANSWER,
            )
        saved = st.form_submit_button(t("safety_plan.save"), type="primary", icon=":material/save:")
    if st.button(t("safety_plan.cancel"), key=f"{KEY}close:{key}"):
        st.session_state.pop(KEY + "open", None)
        st.rerun()
    if not saved:
        return
    problems = _problems(template, answers, lg)
    if problems:
        st.error("  \n".join(problems))  # the typed text stays in the boxes
        return
    try:
        version = store.save_safety_plan(user, case["id"], offer.person, offer.plan, answers, str(language))
    except PermissionDenied:
        st.error(t("safety_plan.not_allowed"))
        return
    except InputError as e:  # a check only the Store can make (a person corrected meanwhile)
        show_problems(e, {person["id"]: person_label(person)})
        return
    st.session_state.pop(KEY + "open", None)
    flash(t("safety_plan.saved", version=version["version"]))
    st.rerun()


def _problems(template: PlanTemplate, answers: dict[str, str], lg: str) -> list[str]:
    """What to fix before saving, in the user's language, naming the section."""
    problems = [
        md_escape(t("safety_plan.too_long", section=s.title(lg), max=MAX_ANSWER))
        for s in template.sections
        if len(answers.get(s.id) or "") > MAX_ANSWER
    ]
    if not problems and not any((v or "").strip() for v in answers.values()):
        problems.append(t("safety_plan.empty"))
    return problems


def _versions(
    store: Store, user: UserInfo, case: dict[str, Any], offer: PlanOffer, template: PlanTemplate, key: str
) -> None:
    """Every version the user may see, newest first, each with its answers and its own print view. Read (and
    audited) only when the user opens the list."""
    if not st.toggle(t("safety_plan.show_versions"), key=f"{KEY}versions:{key}"):
        return
    lg = session.lang()
    versions = store.safety_plan_versions(user, case["id"], offer.person, offer.plan)
    st.caption(t("safety_plan.versions", n=len(versions)))
    for plan in reversed(versions):
        label = t(
            "safety_plan.version_label",
            version=plan["version"],
            at=plan["created_at"].replace("T", " "),
            by=plan["created_by"] or "–",
        )
        with st.container(border=True):
            st.markdown(f"**{md_escape(label)}** · {md_escape(_by_whom(plan))}")
            for s in template.sections:
                if s.id in plan["content"]:
                    st.markdown(f"*{md_escape(s.title(lg))}:* {md_escape(plan['content'][s.id])}")
            _print_button(st, template, plan, f"{key}:{plan['organisation']}:{plan['version']}")
