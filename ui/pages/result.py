"""The result: first what to do now (level, a changed level with its reason, the user's own immediate and same-day
steps), then why and everything else in sections a person opens when needed."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from risk.checklists import default_checklists
from risk.errors import InputError
from risk.models import Result, Step
from risk.navigator import Situation, asks_the_law
from risk.rules import default_rules
from risk.storage import ConflictError, PermissionDenied, Store, UserInfo
from risk.summary import build_summary
from risk.vocabulary import Agency, RiskLevel, Urgency
from ui import case_workflows, followup, safety_plan, session
from ui.case_reads import case_result, read_case
from ui.components import (
    URGENCY_ICONS,
    is_overridden,
    level_badge,
    notice,
    render_assessment_result,
    render_flags,
    render_override_summary,
    render_required_checklists,
    render_step_lines,
    render_steps,
)
from ui.i18n import catalog as locale_catalog
from ui.i18n import t as text_in
from ui.labels import Catalog, md_escape
from ui.nav import go
from ui.pages.intake import person_label
from ui.print_summary import summary_html
from ui.problems import show_problems
from ui.session import case_id, flash, get_store, require_user, set_target, show_flash, t

CASE_WORKERS = ("officer", "clinician", "social_worker")


def page() -> None:
    user = require_user()
    store = get_store()
    cid = case_id()
    st.title(t("pages.result.title"))  # first: a refused read below is shown under the page's title
    show_flash()
    # What the first screen needs is read before more is drawn: the page then reaches the browser in one burst,
    # painted once, not a part at a time between the reads.
    case = read_case(store, user, cid) if cid is not None else None  # once per run, shared with the result below
    result = case_result(store, user, cid, session.lang()) if cid is not None and case and case["assessments"] else None
    plan = store.list_actions(user, cid) if cid is not None and result is not None else []
    reports = store.concern_reports(user, cid) if cid is not None and result is not None else []
    if cid is None or case is None:
        st.info(t("pages.result.no_case"))
        return
    st.caption(f"{md_escape(case['reference'])} · {t('context.' + case['context'])}")
    if result is None:
        notice(st, session.lang())
        st.info(t("pages.result.no_assessment"))
        if st.button(t("pages.result.start")):
            go("intake")
        return
    catalog = Catalog.default({p["id"]: person_label(p) for p in case["persons"]})
    checklists = default_checklists()
    level_badge(st, result.overall_level, session.lang(), label=t("pages.result.overall"))
    for a in result.assessments:
        if is_overridden(a):
            render_override_summary(st, a, checklists[a.checklist], session.lang(), catalog=catalog)
    do_now(store, user, case, result, plan)
    notice(st, session.lang())

    why = st.expander(t("pages.result.why"), icon=":material/help:", key="result.why", on_change="rerun")
    if why.open:  # drawn when opened: the charts (plotly) cost a second and more of every page paint
        with why:
            for n, a in enumerate(result.assessments):
                with st.container(border=True):
                    if a.agency and a.agency != user.agency:
                        st.caption(t("pages.result.by_agency", agency=t(f"agency.{a.agency}")))
                    render_assessment_result(
                        st, a, checklists[a.checklist], session.lang(), catalog=catalog, key_prefix=f"r{n}"
                    )
                    if a.agency in (None, user.agency) and user.role in CASE_WORKERS:
                        override_form(store, user, cid, a.checklist, a.subject, a.computed_level, n, about=a.about)
    followup.result_section(store, user, case, result, {p["id"]: person_label(p) for p in case["persons"]})
    if result.flags:
        flags = st.expander(  # drawn when opened, as the other sections after the first screen
            t("flags.title") + f" ({len(result.flags)})", icon=":material/flag:", key="result.flags", on_change="rerun"
        )
        if flags.open:
            with flags:
                render_flags(st, result.flags, session.lang(), catalog=catalog)
    # Suggested screens follow the required checklists in the same list; their explanation says "suggested".
    needed = [*result.required_checklists, *result.suggested_checklists]
    if needed:
        with st.expander(  # a checklist the case requires is work to do now: open; a suggested one waits closed
            t("required.title") + f" ({len(needed)})",
            icon=":material/checklist:",
            expanded=bool(result.required_checklists),
        ):
            render_required_checklists(st, needed, session.lang(), on_start=_start, catalog=catalog)
    case_workflows.concern_reports(store, user, case, result.steps, reports)  # needed or made, and the form
    print_summary(user, case, result)
    safety_plan.section(store, user, case, result)  # the victim's or the suicide safety plan, as the result offers
    situation = safety_plan.case_situation(case, user.agency, result)  # "May I tell?" from a step, for this case
    steps = st.expander(  # drawn when opened; it stays open while a consent form in it is filled in
        t("pages.result.all_steps", n=len(result.steps)),
        icon=":material/groups:",
        key="result.steps",
        on_change="rerun",
    )
    if steps.open:
        with steps:
            render_steps(
                st,
                result.steps,
                session.lang(),
                on_record_consent=_ask_consent,
                catalog=catalog,
                below=lambda box, step: _below_step(store, user, case, step, box, situation),
                title=False,
            )


def print_summary(user: UserInfo, case: dict[str, Any], result: Result) -> None:
    """The one-page summary in the user's language, as an HTML file to print (built in risk/summary.py)."""
    box = st.expander(t("summary.print_title"), icon=":material/print:", key="result.print", on_change="rerun")
    if box.open:  # the summary is built when the section is opened, not on every click on the page
        box.caption(t("summary.print_help"))
        box.download_button(
            t("summary.download"),
            summary_html(build_summary(case, result, session.lang(), agency=user.agency)),
            file_name=f"samrisk-{case['id']}-{session.lang()}.html",
            mime="text/html",
            icon=":material/download:",
            on_click="ignore",
        )


def now_heading(context: str, agency: str, lang_: str) -> str:
    """'Before you leave the scene' (police), '… the patient' (care): by the case's setting where the locale has
    one, otherwise by the user's agency."""
    key = f"pages.result.now.{context}"
    return text_in(key, lang_) if key in locale_catalog(lang_) else text_in(f"pages.result.now_agency.{agency}", lang_)


def do_now(
    store: Store, user: UserInfo, case: dict[str, Any], result: Result, actions: list[dict[str, Any]] | None = None
) -> None:
    """The user's own agency's immediate steps, then its same-day steps, one line each: mark done, add to plan.
    `actions`: the case's plan as Store.list_actions gave it in this run (read here when not given)."""
    own = [s for s in result.steps if s.agency == user.agency]
    listed = store.list_actions(user, case["id"]) if actions is None else actions
    plan = {a["step_id"]: a for a in listed if a["owner_agency"] == user.agency}
    status = {step_id: a["status"] for step_id, a in plan.items()}
    may_act = user.role in CASE_WORKERS
    situation = safety_plan.case_situation(case, user.agency, result)

    def done(step: Step) -> None:
        _save_step(store, user, case["id"], step, plan.get(step.id), "done")

    def planned(step: Step) -> None:
        _save_step(store, user, case["id"], step, None, "planned")

    for urgency, heading in (
        (Urgency.immediate, now_heading(case["context"], user.agency, session.lang())),
        (Urgency.same_day, t("pages.result.same_day")),
    ):
        steps = [s for s in own if s.urgency is urgency]
        st.subheader(f"{URGENCY_ICONS[urgency.value]} {heading}")
        if not steps:
            st.caption(t("pages.result.no_steps_now"))
            continue
        render_step_lines(
            st,
            steps,
            session.lang(),
            plan=status,
            on_done=done if may_act else None,
            on_plan=planned if may_act else None,
            key_prefix=f"now.{urgency.value}",
        )
    # "May I tell?" for this case: the same answer for each of these steps, so one link after them, not one per step
    # (the first screen stays short enough for a tablet); every step in "all steps" has its own
    asking = next((s for s in own if s.urgency in (Urgency.immediate, Urgency.same_day) and asks_the_law(s)), None)
    if asking is not None:
        safety_plan.navigator_link(st, asking, situation, session.lang())


def _save_step(store: Store, user: UserInfo, cid: int, step: Step, item: dict[str, Any] | None, status: str) -> None:
    """Into the action plan (stored and audited by the Store): a new item owned by the user's agency, due today,
    or the step's existing item set to `status`."""
    try:
        if item is not None:
            store.update_action(user, cid, item["item"], base_version=item["version"], status=status)
        else:
            store.add_action(user, cid, step.id, user.agency, user.username, date.today(), status)
    except (InputError, ConflictError, PermissionDenied):
        st.error(t("pages.result.step_not_saved"))
        return
    flash(t("pages.result.step_done" if status == "done" else "pages.result.step_planned"))
    st.rerun()


def _start(checklist: str, subject: str) -> None:
    set_target(checklist, subject)
    go("intake")


def _ask_consent(step: Step) -> None:
    """Whose consent the step needs and to which recipients, as the engine checks it (steps.yaml)."""
    rule = default_rules().steps.rule(step.id)
    st.session_state["consent_step"] = {
        "id": step.id,
        "action": step.action,
        "persons": step.persons,
        "agency": step.agency,
        "from": [str(r) for r in rule.consent_from] if rule else [],
        "to": [str(a) for a in rule.shares_with] if rule and rule.shares_with else [step.agency],
    }


def _below_step(
    store: Store, user: UserInfo, case: dict[str, Any], step: Step, box: Any, situation: Situation | None
) -> None:
    """Under a step: "May I tell?" (the law navigator for this case), then the consent form if it is open."""
    safety_plan.navigator_link(box, step, situation, session.lang())
    _consent_below(store, user, case, step)


def _consent_below(store: Store, user: UserInfo, case: dict[str, Any], step: Step) -> None:
    """The consent form, in the box of the step whose button opened it."""
    pending = st.session_state.get("consent_step")
    if pending and pending["id"] == step.id:
        consent_form(store, user, case, pending)


def consent_form(store: Store, user: UserInfo, case: dict[str, Any], step: dict[str, Any]) -> None:
    """Record a person's consent to share with the agencies the step needs."""
    st.subheader(t("pages.result.consent_title", step=step.get("action", step["id"])))
    adults = [p for p in case["persons"] if p["role"] != "child"]
    ids = [p["id"] for p in adults]
    needed = [p["id"] for p in adults if p["role"] in step.get("from", [])]  # whose consent the step needs
    candidates = [p for p in step["persons"] if p in needed] or needed or [p for p in step["persons"] if p in ids]
    first = candidates[0] if candidates else (ids[0] if ids else None)
    agencies = [a.value for a in Agency]
    with st.form("consent"):
        person = st.selectbox(
            t("pages.result.consent_person"),
            ids,
            index=ids.index(first) if first else None,
            placeholder=t("pages.choose"),
            format_func=lambda i: person_label(next(p for p in adults if p["id"] == i)),
        )
        default = [a for a in step.get("to", [step["agency"]]) if a in agencies]
        to = st.multiselect(
            t("pages.result.consent_to"),
            agencies,
            default=default,
            format_func=lambda a: t(f"agency.{a}"),
            placeholder=t("pages.choose"),
        )
        confirmed = st.checkbox(t("pages.result.consent_confirm"))
        if st.form_submit_button(t("pages.result.consent_save"), type="primary"):
            if not confirmed or not person or not to:
                st.error(t("pages.result.consent_incomplete"))
                return
            try:
                store.record_consent(user, case["id"], person, to)
            except (InputError, PermissionDenied) as e:
                show_problems(e, {p["id"]: person_label(p) for p in case["persons"]})
                return
            st.session_state.pop("consent_step", None)
            flash(t("pages.result.consent_saved"))
            st.rerun()


def override_form(
    store: Store,
    user: UserInfo,
    cid: int,
    checklist: str,
    subject: str,
    computed: RiskLevel,
    n: int,
    about: str | None = None,
) -> None:
    """A professional may change the level either way, with a written reason; both levels are kept. `about` says
    which assessment where the subject was assessed about several persons (one per perpetrator)."""
    with st.expander(t("pages.result.override_title")), st.form(f"override.{n}"):
        levels = [lv.value for lv in RiskLevel]
        level = st.selectbox(
            t("pages.result.override_level"),
            levels,
            index=levels.index(computed.value),
            format_func=lambda lv: t(f"level.{lv}"),
        )
        reason = st.text_area(t("pages.result.override_reason"), key=f"override.reason.{n}")
        if st.form_submit_button(t("pages.result.override_save")):
            try:
                store.save_override(user, cid, checklist, subject, level, reason, about=about)
            except InputError:
                st.error(t("pages.result.override_needs_reason"))  # the typed text stays in the box
                return
            flash(t("pages.result.override_saved"))
            st.rerun()
