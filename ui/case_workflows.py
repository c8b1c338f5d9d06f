"""The workflows on a case beside the assessments, each under its own heading or expander: record a concern
report as made, see and withdraw consents, bring another organisation in, correct or remove a person registered by
mistake, export the case with its plan.

Each section reads what it shows from the Store and changes nothing itself: the Store checks who may, audits and
keeps the history. Everything a user typed is shown as plain text (md_escape) or in a table.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from risk.checklists import default_checklists
from risk.concern_reports import concern_report_status, is_child
from risk.errors import InputError
from risk.models import Step
from risk.storage import PermissionDenied, Store, UserInfo
from risk.storage.access import CASE_WORKER_ROLES, REPORTING_AGENCIES_EXCLUDE
from risk.storage.cases import CONCERN_REPORT_METHODS
from risk.vocabulary import Gender, PersonRole
from ui import session
from ui.labels import checklist_name, md_escape
from ui.pages.intake import person_label, person_labels
from ui.problems import show_problems
from ui.session import flash, t

try:
    LOCAL_TIME = ZoneInfo("Europe/Stockholm")  # users type and read times as on the clock on the wall
except ZoneInfoNotFoundError:  # a system without the time-zone database: times stay in UTC
    LOCAL_TIME = ZoneInfo("UTC")


def to_utc(day: date, at: time) -> datetime:
    """A local date and time typed by the user, as the Store keeps times (UTC, without a zone)."""
    return datetime.combine(day, at, tzinfo=LOCAL_TIME).astimezone(UTC).replace(tzinfo=None)


def local(stored: str) -> str:
    """A time the Store gave (UTC, ISO) as local 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


def _organisation_names(store: Store) -> dict[str, str]:
    """Organisations by key, in words: a unit's or organisation's own name, an agency's default in the agency's."""
    return {
        o["key"]: f"{o['name']} ({t('agency.' + o['agency'])})" if o["name"] != o["key"] else t(f"agency.{o['key']}")
        for o in store.list_organisations()
    }


# ---- concern reports ---------------------------------------------------------------------------------------------


def concern_reports(
    store: Store,
    user: UserInfo,
    case: dict[str, Any],
    steps: Sequence[Step],
    reports: list[dict[str, Any]] | None = None,
) -> None:
    """Each child under each concern-report step: the report made (when, where, how, by whom) or still needed;
    then a form to record a report made by the user's agency. `reports`: Store.concern_reports of this run, if the
    page read them already."""
    if reports is None:
        reports = store.concern_reports(user, case["id"])
    status = concern_report_status(steps, case["persons"], reports)
    may_report = user.role in CASE_WORKER_ROLES and user.agency not in REPORTING_AGENCIES_EXCLUDE
    children = [p["id"] for p in case["persons"] if is_child(p)]
    if not status and not reports and not (may_report and children):
        return
    st.subheader(t("workflows.concern.title"))
    labels = person_labels(case)
    shown: list[dict[str, Any]] = []
    for item in status:
        who = md_escape(labels.get(item.child, item.child))
        agency = t(f"agency.{item.agency}")
        if not item.made:
            st.markdown(f":material/warning: **{who}** – {t('workflows.concern.needed', agency=agency)}")
        for r in item.reports:
            st.markdown(f":material/task_alt: **{who}** – {t('workflows.concern.was_needed', agency=agency)} {made(r)}")
            shown.append(dict(r))
    for r in (r for r in reports if r not in shown):
        st.markdown(f":material/task_alt: **{md_escape(labels.get(r['child'], r['child']))}** – {made(r)}")
    if may_report and children:
        report_form(store, user, case, children, [s.child for s in status if not s.made and s.agency == user.agency])


def made(r: Mapping[str, Any]) -> str:
    """'made 2026-11-30 14:20 by the police to social services in Malmö, by phone; recorded by polis.' (typed
    text escaped); a report recorded before municipality and method were asked for says only when and by whom."""
    if not r["municipality"] or not r["method"]:
        return t(
            "workflows.concern.made_earlier",
            at=local(r["reported_at"]),
            agency=t(f"agency.{r['from_agency']}"),
            by=md_escape(r["by"] or "–"),
        )
    return t(
        "workflows.concern.made",
        at=local(r["reported_at"]),
        municipality=md_escape(r["municipality"]),
        agency=t(f"agency.{r['from_agency']}"),
        method=t(f"workflows.concern.method.{r['method']}"),
        by=md_escape(r["by"] or "–"),
    )


def report_form(store: Store, user: UserInfo, case: dict[str, Any], children: list[str], pending: list[str]) -> None:
    labels = person_labels(case)
    first = pending[0] if pending else children[0]
    box = st.expander(  # drawn when opened (a form of date, time and choice fields is heavy to paint); open while due
        t("workflows.concern.record"), expanded=bool(pending), key=f"concern.record.{len(pending)}", on_change="rerun"
    )
    if not box.open:
        return
    with box, st.form("concern_report"):
        child = st.selectbox(
            t("workflows.concern.child"), children, index=children.index(first), format_func=lambda c: labels[c]
        )
        cols = st.columns(2)
        now = datetime.now(LOCAL_TIME)
        day = cols[0].date_input(t("workflows.concern.date"), value=now.date(), format="YYYY-MM-DD")
        at = cols[1].time_input(t("workflows.concern.time"), value=now.time().replace(second=0, microsecond=0))
        municipality = st.text_input(t("workflows.concern.municipality"), max_chars=120)
        method = st.radio(
            t("workflows.concern.how"),
            CONCERN_REPORT_METHODS,
            index=None,
            format_func=lambda m: t(f"workflows.concern.method.{m}"),
            horizontal=True,
        )
        if st.form_submit_button(t("workflows.concern.save"), type="primary"):
            missing = [
                t(key)
                for key, ok in (
                    ("workflows.concern.municipality", municipality.strip()),
                    ("workflows.concern.how", method),
                    ("workflows.concern.date", day and at),
                )
                if not ok
            ]
            if missing:
                st.error(t("workflows.missing", fields=", ".join(missing)))
                return
            assert isinstance(day, date) and at is not None
            if datetime.combine(day, at, tzinfo=LOCAL_TIME) > datetime.now(LOCAL_TIME):  # said in the local time
                st.error(t("workflow_problems.concern_future", at=f"{day.isoformat()} {at.strftime('%H:%M')}"))
                return
            try:
                store.report_concern(
                    user, case["id"], child, reported_at=to_utc(day, at), municipality=municipality, method=method
                )
            except (InputError, PermissionDenied) as e:
                show_problems(e, labels)
                return
            flash(t("workflows.concern.saved", child=labels[child]))
            st.rerun()


# ---- consents ----------------------------------------------------------------------------------------------------


def consents(store: Store, user: UserInfo, case: dict[str, Any]) -> None:
    """Every consent with who recorded and withdrew it, when; an active one can be withdrawn, after confirming."""
    history = store.consent_history(user, case["id"])
    labels = person_labels(case)
    names = _organisation_names(store)
    if not history:
        st.caption(t("workflows.consents.none"))
        return
    rows = [
        {
            t("workflows.consents.person"): labels.get(c["person"], c["person"]),
            t("workflows.consents.to"): names.get(c["to_organisation"], c["to_organisation"]),
            t("workflows.consents.recorded"): f"{local(c['recorded_at'])} ({c['recorded_by'] or '–'})",
            t("workflows.consents.state"): t("workflows.consents.active")
            if c["active"]
            else t("workflows.consents.withdrawn", at=local(c["withdrawn_at"]), by=c["withdrawn_by"] or "–"),
        }
        for c in history
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    active = sorted({(c["person"], c["to_organisation"]) for c in history if c["active"]})
    if not active:
        return
    with st.form("withdraw_consent"):
        chosen = st.selectbox(
            t("workflows.consents.which"),
            active,
            index=None,
            placeholder=t("pages.choose"),
            format_func=lambda pc: t(
                "workflows.consents.pair", person=labels.get(pc[0], pc[0]), to=names.get(pc[1], pc[1])
            ),
        )
        sure = st.checkbox(t("workflows.consents.confirm"))
        if st.form_submit_button(t("workflows.consents.withdraw")):
            if chosen is None or not sure:
                st.error(t("workflows.consents.incomplete"))
                return
            try:
                store.withdraw_consent(user, case["id"], chosen[0], chosen[1])
            except (InputError, PermissionDenied) as e:
                show_problems(e, labels)
                return
            flash(
                t(
                    "workflows.consents.done",
                    person=labels.get(chosen[0], chosen[0]),
                    to=names.get(chosen[1], chosen[1]),
                )
            )
            st.rerun()


# ---- organisations -----------------------------------------------------------------------------------------------


def organisations(store: Store, user: UserInfo, case: dict[str, Any]) -> None:
    """Who takes part in the case, and bringing in another organisation or unit (a referral, a conference)."""
    known = _organisation_names(store)

    def named(key: str) -> str:
        return known.get(key, key)

    st.markdown("  \n".join(md_escape(named(k)) for k in case["organisations"]))
    others = [k for k in known if k not in case["organisations"]]
    with st.form("add_organisation"):
        key = st.selectbox(
            t("workflows.organisations.add_which"),
            others,
            index=None,
            placeholder=t("pages.choose"),
            format_func=named,
        )
        if st.form_submit_button(t("workflows.organisations.add")):
            if key is None:
                st.error(t("workflows.missing", fields=t("workflows.organisations.add_which")))
                return
            try:
                store.add_organisation_to_case(user, case["id"], key)
            except (InputError, PermissionDenied) as e:
                show_problems(e)
                return
            flash(t("workflows.organisations.added", organisation=named(key)))
            st.rerun()


# ---- persons -----------------------------------------------------------------------------------------------------


def persons(store: Store, user: UserInfo, case: dict[str, Any]) -> None:
    """Correct a person's role, age or gender, or remove a person registered by mistake; the history below."""
    labels = person_labels(case)
    ids = list(labels)
    if ids:
        person = st.selectbox(
            t("workflows.persons.which"),
            ids,
            format_func=lambda i: labels[i],
            key=f"persons.which.{case['id']}.{session.lang()}",
        )
        current = next(p for p in case["persons"] if p["id"] == person)
        with st.form(f"correct_person.{person}"):
            cols = st.columns(3)
            roles = [r.value for r in PersonRole]
            role = cols[0].selectbox(
                t("workflows.persons.role"),
                roles,
                index=roles.index(current["role"]),
                format_func=lambda r: t(f"role.{r}"),
            )
            age = cols[1].number_input(
                t("workflows.persons.age"), min_value=0, max_value=125, value=current.get("age"), step=1
            )
            genders = ["", *(g.value for g in Gender)]
            gender = cols[2].selectbox(
                t("workflows.persons.gender"),
                genders,
                index=genders.index(current.get("gender") or ""),
                format_func=lambda g: t(f"pages.gender.{g}") if g else "–",
            )
            if st.form_submit_button(t("workflows.persons.correct")):
                changes = {"role": role, "age": None if age is None else int(age), "gender": gender or None}
                try:
                    store.correct_person(user, case["id"], person, changes)
                except (InputError, PermissionDenied) as e:
                    show_problems(e, labels)
                    return
                flash(t("workflows.persons.corrected", person=person))
                st.rerun()
        with st.form(f"remove_person.{person}"):
            sure = st.checkbox(t("workflows.persons.confirm_remove", person=labels[person]))
            if st.form_submit_button(t("workflows.persons.remove")):
                if not sure:
                    st.error(t("workflows.persons.confirm_first"))
                    return
                try:
                    store.remove_person(user, case["id"], person)
                except (InputError, PermissionDenied) as e:
                    show_problems(e, labels)
                    return
                flash(t("workflows.persons.removed", person=person))
                st.rerun()
    history = store.person_history(user, case["id"])
    if history:
        st.caption(t("workflows.persons.history"))
        st.dataframe(
            [
                {
                    t("workflows.persons.when"): local(h["at"]),
                    t("workflows.persons.who"): h["person"],
                    t("workflows.persons.change"): t(f"workflows.persons.{h['change']}_word"),
                    t("workflows.persons.before"): _described(h["before"]),
                    t("workflows.persons.after"): _described(h["after"]) if h["after"] else "–",
                    t("workflows.persons.by"): h["by"] or "–",
                }
                for h in history
            ],
            hide_index=True,
            width="stretch",
        )


def _described(p: dict[str, Any]) -> str:
    gender = f", {t('pages.gender.' + p['gender'])}" if p.get("gender") else ""
    return person_label(p) + gender


# ---- export ------------------------------------------------------------------------------------------------------


def export(store: Store, user: UserInfo, case: dict[str, Any], step_text: Callable[[str, str], str]) -> None:
    """The case with its action plan and reassessment dates, as JSON (everything) and CSV (plan and dates).
    Prepared on request, so that the audit trail records an export only when one was made."""
    key = f"export.{case['id']}"
    if st.button(t("workflows.export.prepare"), key=f"{key}.prepare"):
        st.session_state[key] = store.export_case(user, case["id"])
    exported = st.session_state.get(key)
    if not exported:
        st.caption(t("workflows.export.hint"))
        return
    name = f"samrisk-case-{case['id']}"
    cols = st.columns(2)
    cols[0].download_button(
        t("workflows.export.json"),
        json.dumps(exported, ensure_ascii=False, indent=2, default=str),
        file_name=f"{name}.json",
        mime="application/json",
    )
    cols[1].download_button(
        t("workflows.export.csv"),
        plan_csv(exported, lambda s: step_text(s, session.lang())),
        file_name=f"{name}-plan.csv",
        mime="text/csv",
    )


def _cell(text: str) -> str:
    """Typed text that a spreadsheet would run as a formula (=, +, -, @ first) is kept as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def plan_csv(exported: dict[str, Any], step_text: Callable[[str], str]) -> str:
    """One row per action of the plan, then one per assessment's reassessment date; headings and words in the
    user's language, ids beside them so another system can read the file."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            t(f"workflows.export.col.{c}")
            for c in ("kind", "what", "id", "owner", "responsible", "due", "status", "overdue")
        ]
    )
    for a in exported["actions"]:
        what = a["note"] if a["step_id"] == "other" and a.get("note") else step_text(a["step_id"])
        w.writerow(
            [
                t("workflows.export.action"),
                _cell(what),
                a["step_id"],
                t(f"agency.{a['owner_agency']}"),
                _cell(a["responsible"]),
                a["due_date"] or "",
                t(f"pages.status.{a['status']}"),
                t("workflows.export.yes") if a["overdue"] else "",
            ]
        )
    checklists = default_checklists()
    persons = {p["id"]: person_label(p) for p in exported.get("persons", [])}
    for s in exported["assessments"]:
        if s.get("reassess_by"):
            cl = checklists.get(s["checklist"])
            name = checklist_name(cl, session.lang()) if cl else s["checklist"]
            w.writerow(
                [
                    t("workflows.export.reassess"),
                    f"{name} – {persons.get(s['subject'], s['subject'])}",
                    f"{s['checklist']}:{s['subject']}",
                    t(f"agency.{s['agency']}"),
                    "",
                    s["reassess_by"],
                    "",
                    t("workflows.export.yes") if date.fromisoformat(s["reassess_by"]) < date.today() else "",
                ]
            )
    return out.getvalue()
