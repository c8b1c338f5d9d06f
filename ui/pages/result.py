"""The result: level in words and shape, why, flags, checklists still required, collaboration steps, override."""

from __future__ import annotations

from typing import Any

import streamlit as st

from risk.checklists import default_checklists
from risk.errors import InputError
from risk.models import Step
from risk.rules import default_rules
from risk.storage import PermissionDenied, Store, UserInfo
from risk.vocabulary import Agency, RiskLevel
from ui.case_reads import case_result, read_case
from ui.components import (
    level_badge,
    notice,
    render_assessment_result,
    render_flags,
    render_required_checklists,
    render_steps,
)
from ui.labels import Catalog
from ui.nav import go
from ui.pages.intake import person_label
from ui.session import case_id, flash, get_store, lang, require_user, set_target, show_flash, t


def page() -> None:
    user = require_user()
    store = get_store()
    cid = case_id()
    st.title(t("pages.result.title"))
    show_flash()
    if cid is None:
        st.info(t("pages.result.no_case"))
        return
    case = read_case(store, user, cid)  # once per run, shared with the result below
    st.caption(f"{case['reference']} · {t('context.' + case['context'])}")
    notice(st, lang())
    if not case["assessments"]:
        st.info(t("pages.result.no_assessment"))
        if st.button(t("pages.result.start")):
            go("intake")
        return
    result = case_result(store, user, cid, lang())
    catalog = Catalog.default({p["id"]: person_label(p) for p in case["persons"]})
    level_badge(st, result.overall_level, lang(), label=t("pages.result.overall"))
    render_flags(st, result.flags, lang(), catalog=catalog)
    # Suggested screens follow the required checklists in the same list; their explanation says "suggested".
    needed = [*result.required_checklists, *result.suggested_checklists]
    render_required_checklists(st, needed, lang(), on_start=_start, catalog=catalog)
    checklists = default_checklists()
    for n, a in enumerate(result.assessments):
        with st.container(border=True):
            if a.agency and a.agency != user.agency:
                st.caption(t("pages.result.by_agency", agency=t(f"agency.{a.agency}")))
            render_assessment_result(st, a, checklists[a.checklist], lang(), catalog=catalog, key_prefix=f"r{n}")
            if a.agency in (None, user.agency) and user.role in ("officer", "clinician", "social_worker"):
                override_form(store, user, cid, a.checklist, a.subject, a.computed_level, n, about=a.about)
    render_steps(st, result.steps, lang(), on_record_consent=_ask_consent, catalog=catalog)
    pending = st.session_state.get("consent_step")
    if pending:
        consent_form(store, user, case, pending)
    notice(st, lang())


def _start(checklist: str, subject: str) -> None:
    set_target(checklist, subject)
    go("intake")


def _ask_consent(step: Step) -> None:
    """Whose consent the step needs and to which recipients, as the engine checks it (steps.yaml)."""
    rule = next((r for r in default_rules().steps.steps if r.id == step.id), None)
    st.session_state["consent_step"] = {
        "id": step.id,
        "action": step.action,
        "persons": step.persons,
        "agency": step.agency,
        "from": [str(r) for r in rule.consent_from] if rule else [],
        "to": [str(a) for a in rule.shares_with] if rule and rule.shares_with else [step.agency],
    }


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
                st.error(str(e))
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
