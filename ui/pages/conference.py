"""Joint case conference: every agency's assessments side by side, where they differ, the action plan, the timeline."""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import plotly.graph_objects as go_
import streamlit as st

from risk.checklists import default_checklists
from risk.errors import InputError
from risk.models import AssessmentResult, Result
from risk.storage import ConflictError, PermissionDenied, Store, UserInfo
from risk.storage.plans import OTHER_STEP
from risk.storage.store import ACTION_STATUSES
from risk.vocabulary import LEVEL_ORDER, Agency
from ui import case_workflows, followup, session
from ui.case_reads import case_result, read_case
from ui.components import level_badge, level_badge_html, notice, render_flags
from ui.i18n import cap
from ui.labels import Catalog, checklist_name, md_escape, shorten
from ui.pages.intake import person_labels
from ui.problems import show_problems
from ui.session import case_id, get_store, open_case, require_user, show_flash, t


def page() -> None:
    user = require_user()
    store = get_store()
    st.title(t("pages.conference.title"))
    show_flash()
    cases = store.list_cases(user, page=1, page_size=100).items
    if not cases:
        st.info(t("pages.cases.none"))
        return
    ids = [c.id for c in cases]
    current = case_id()
    chosen = st.selectbox(  # no case until one is chosen: on a shared screen nobody sees a case not on the agenda
        t("pages.conference.case"),
        ids,
        index=ids.index(current) if current in ids else None,
        format_func=lambda i: next(c.reference for c in cases if c.id == i),
        placeholder=t("pages.conference.choose_placeholder"),
    )
    if chosen is None:
        st.info(t("pages.conference.choose_case"))
        notice(st, session.lang())
        return
    if chosen != current:
        open_case(chosen)
    # The chosen case's reads come before the rest of the page is drawn: it reaches the browser in one burst,
    # painted once, not a part at a time between the reads.
    case = read_case(store, user, chosen)  # once per run, shared with the result below
    result = case_result(store, user, chosen, session.lang()) if case["assessments"] else None
    reports = store.concern_reports(user, chosen)
    actions = store.list_actions(user, chosen)
    events = store.timeline(user, chosen)
    notice(st, session.lang())
    if not case["assessments"]:
        st.info(t("pages.conference.nothing_shared"))
    labels = person_labels(case)
    if result is not None:
        level_badge(st, result.overall_level, session.lang(), label=t("pages.result.overall"))
        side_by_side(result, labels, case)
        render_flags(st, result.flags, session.lang(), catalog=Catalog.default(labels))
    case_workflows.concern_reports(store, user, case, result.steps if result else [], reports)
    share(store, user, case)
    action_plan(store, user, chosen, result, actions)
    timeline(store, user, chosen, labels, actions, events)
    case_record(store, user, case)


def case_record(store: Store, user: UserInfo, case: dict[str, Any]) -> None:
    """Consents, organisations, persons and the export: the workflows on the case beside the assessments."""
    st.subheader(t("workflows.case_record"))
    sections: tuple[tuple[str, Callable[[], object]], ...] = (
        ("consents", lambda: case_workflows.consents(store, user, case)),
        ("organisations", lambda: case_workflows.organisations(store, user, case)),
        ("persons", lambda: case_workflows.persons(store, user, case)),
        ("export", lambda: case_workflows.export(store, user, case, step_text)),
    )
    for name, draw in sections:  # each drawn when opened: its reads and forms cost nothing on other clicks
        box = st.expander(t(f"workflows.{name}.title"), key=f"conference.{name}", on_change="rerun")
        if box.open:
            with box:
                draw()


def step_text(step_id: str, lang_: str, note: str | None = None) -> str:
    """A step in words (its action), not its id; 'other' is the plan's own free step, described by its note."""
    from ui.i18n import t as tr

    if step_id == OTHER_STEP:
        return note or tr("pages.conference.other_step", lang_)
    action = Catalog.default().step_actions.get(step_id)
    return action(lang_) if action is not None else step_id


def side_by_side(result: Result, labels: dict[str, str], case: dict[str, Any]) -> None:
    st.subheader(t("pages.conference.by_agency"))
    checklists = default_checklists()
    by_agency: dict[str, list[AssessmentResult]] = defaultdict(list)
    for a in result.assessments:
        by_agency[a.agency or "unknown"].append(a)
    due = {(a["checklist"], a["subject"], a["agency"]): a.get("reassess_by") for a in case["assessments"]}
    cols = st.columns(max(len(by_agency), 1))
    for col, (agency, items) in zip(cols, sorted(by_agency.items()), strict=False):
        col.markdown(f"#### {cap(t('agency.' + agency)) if agency != 'unknown' else '–'}")
        for a in items:
            box = col.container(border=True)
            person = md_escape(labels.get(a.subject, a.subject))
            box.markdown(f"**{checklists[a.checklist].title(session.lang())}**  \n{person}")
            box.markdown(level_badge_html(a.level, session.lang(), small=True), unsafe_allow_html=True)
            if a.level != a.computed_level:
                box.caption(
                    t(
                        "pages.conference.overridden",
                        computed=t(f"level.{a.computed_level.value}"),
                        reason=md_escape(a.override_reason or ""),
                    )
                )
            if a.below_floor and a.floor_level is not None:
                box.markdown(
                    f"**:orange[:material/rate_review: "
                    f"{t('pages.conference.below_floor', floor=t(f'level.{a.floor_level.value}'))}]**"
                )
            box.caption(t("pages.conference.completeness", pct=round(a.completeness * 100)))
            reassess = due.get((a.checklist, a.subject, a.agency))
            if reassess:
                box.markdown(followup.due_markdown(reassess, followup.today(), session.lang()))
    groups: dict[tuple[str, str], list[AssessmentResult]] = defaultdict(list)
    for a in result.assessments:
        groups[(a.checklist, a.subject)].append(a)
    for (checklist, subject), items in groups.items():
        if len({a.level for a in items}) > 1:
            views = ", ".join(f"{t('agency.' + (a.agency or 'police'))}: {t('level.' + a.level.value)}" for a in items)
            st.warning(
                t(
                    "pages.conference.differ",
                    checklist=checklists[checklist].title(session.lang()),
                    person=md_escape(labels.get(subject, subject)),
                    views=views,
                ),
                icon=":material/compare_arrows:",
            )


def share(store: Store, user: UserInfo, case: dict[str, Any]) -> None:
    """A case worker shares the agency's own assessment with the conference, on a stated basis."""
    own = [a for a in case["assessments"] if a["agency"] == user.agency]
    if user.role not in ("officer", "clinician", "social_worker") or not own:
        return
    box = st.expander(t("pages.conference.share_title"), key="conference.share", on_change="rerun")
    if not box.open:  # drawn when opened, as the page's other forms
        return
    with box, st.form("share"):
        keys = [f"{a['checklist']}:{a['subject']}" for a in own]
        labels = person_labels(case)
        checklists = default_checklists()

        def described(key: str) -> str:
            checklist, _, subject = key.partition(":")
            cl = checklists.get(checklist)
            return f"{checklist_name(cl, session.lang()) if cl else checklist} – {labels.get(subject, subject)}"

        chosen = st.selectbox(t("pages.conference.share_which"), keys, format_func=described)
        basis = st.text_input(
            t("pages.conference.share_basis"), value="consent", help=t("pages.conference.share_basis_help")
        )
        if st.form_submit_button(t("pages.conference.share_save")):
            checklist, subject = chosen.split(":")
            try:
                store.share_with_conference(user, case["id"], checklist, subject, basis.strip())
                st.success(t("pages.conference.shared"))
            except (InputError, PermissionDenied) as e:
                show_problems(e, labels)


def action_plan(
    store: Store, user: UserInfo, cid: int, result: Result | None, listed: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The plan, each action with its status to change, and a form to take a step (or another action) into it.
    `listed`: the plan as Store.list_actions gave it in this run (read here when not given). Returns the plan as
    listed, for the timeline."""
    st.subheader(t("pages.conference.plan"))
    actions = store.list_actions(user, cid) if listed is None else listed
    if not actions:
        st.caption(t("pages.conference.plan_empty"))
    for a in actions:
        box = st.container(border=True)
        cols = box.columns([3, 2, 2, 2])
        action = step_text(a["step_id"], session.lang(), a.get("note"))
        cols[0].markdown(
            f"**{md_escape(shorten(action, 90))}**  \n"
            f"{t('agency.' + a['owner_agency'])} · {md_escape(a['responsible'])}",
            help=md_escape(action) if len(action) > 90 else None,  # typed text (another action): as typed
        )
        due = a["due_date"] or "–"
        cols[1].markdown(
            f"**:red[{t('pages.conference.overdue', date=due)}]**"
            if a["overdue"]
            else t("pages.conference.due", date=due)
        )
        status = cols[2].selectbox(
            t("pages.conference.status"),
            ACTION_STATUSES,
            index=ACTION_STATUSES.index(a["status"]),
            key=f"status.{a['item']}",
            format_func=lambda s: t(f"pages.status.{s}"),
            label_visibility="collapsed",
        )
        if status != a["status"] and cols[3].button(t("pages.conference.update"), key=f"update.{a['item']}"):
            try:
                store.update_action(user, cid, a["item"], base_version=a["version"], status=status)
                st.rerun()
            except ConflictError as e:
                show_problems(e)
    adding = st.expander(  # drawn when opened: its choice, date and text fields are the heaviest part of the page
        t("pages.conference.take_step"), icon=":material/playlist_add:", key="conference.add_action", on_change="rerun"
    )
    if adding.open:
        with adding:
            add_action(store, user, cid, result)
    return actions


def add_action(store: Store, user: UserInfo, cid: int, result: Result | None) -> None:
    """A form to take a suggested step (or another action, with its own text) into the plan."""
    suggested = [s.id for s in result.steps] if result else []
    owners = {s.id: s.agency for s in result.steps} if result else {}
    step = st.selectbox(  # outside the form, so the owner agency follows the chosen step
        t("pages.conference.step"),
        [*suggested, "other"],
        format_func=lambda s: shorten(step_text(s, session.lang()), 110),
        key=f"plan.step.{cid}",
    )
    added = int(st.session_state.get("plan.added", 0))  # a new form after each addition; kept after an error
    with st.form(f"add_action.{added}"):
        fields = st.columns(4)
        agencies = [a.value for a in Agency]
        default_owner = owners.get(step, user.agency)
        owner = fields[0].selectbox(
            t("pages.conference.owner"),
            agencies,
            index=agencies.index(default_owner) if default_owner in agencies else 0,
            format_func=lambda a: t(f"agency.{a}"),
            key=f"plan.owner.{cid}.{step}",
        )
        responsible = fields[1].text_input(t("pages.conference.responsible"))
        due = fields[2].date_input(t("pages.conference.due_date"), value=None, format="YYYY-MM-DD")
        status = fields[3].selectbox(
            t("pages.conference.status"), ACTION_STATUSES, format_func=lambda s: t(f"pages.status.{s}")
        )
        text = st.text_area(t("workflows.plan.other_text"), max_chars=500) if step == OTHER_STEP else None
        if st.form_submit_button(t("pages.conference.add"), type="primary"):
            if step == OTHER_STEP and not (text or "").strip():
                st.error(t("workflows.plan.other_needed"))  # what was typed stays in the form
                return
            try:
                store.add_action(user, cid, step, owner, responsible, due, status, note=text)
                st.session_state["plan.added"] = added + 1
                st.rerun()
            except InputError as e:
                show_problems(e)


def _series_name(what: str, agency: str, lang_: str, persons: Mapping[str, str]) -> str:
    """'Våld i nära relation – v1 – utsatt, 31 år (polisen)' for the assessment 'domestic_violence:v1'."""
    from ui.i18n import t as tr

    checklist, _, subject = what.partition(":")
    cl = default_checklists().get(checklist)
    name = checklist_name(cl, lang_) if cl is not None else checklist
    return f"{name} – {persons.get(subject, subject)} ({tr('agency.' + agency, lang_)})"


def _action_hover(action: Mapping[str, Any], lang_: str) -> str:
    from ui.i18n import t as tr

    what = html.escape(shorten(step_text(action["step_id"], lang_, action.get("note")), 70))  # typed text: no tags
    return f"{what}: {tr('pages.status.' + action['status'], lang_)}"


def timeline_figure(
    events: list[dict[str, Any]],
    lang_: str,
    persons: Mapping[str, str] | None = None,
    plan: list[dict[str, Any]] | None = None,
) -> go_.Figure:
    """Levels of each assessment over time (a step line per assessment) and the plan's actions at their due date,
    the overdue ones apart with the word "overdue" (not colour alone), and today's line.
    `persons` maps person ids to how they are shown (e.g. 'v1 – utsatt, 31 år'); `plan` as list_actions gives it."""
    from ui.i18n import t as tr

    fig = go_.Figure()
    series: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        if e["kind"] == "assessment":
            series[_series_name(e["what"], e["agency"], lang_, persons or {})].append(e)
    rank = {lv.value: n for n, lv in enumerate(LEVEL_ORDER)}
    symbols = ["circle", "square", "diamond", "triangle-up", "x", "star"]
    for n, (name, items) in enumerate(series.items()):
        fig.add_trace(
            go_.Scatter(
                x=[e["at"] for e in items],
                y=[rank[e["level"]] for e in items],
                name=name,
                mode="lines+markers",
                line_shape="hv",
                marker={"symbol": symbols[n % len(symbols)], "size": 11},
                text=[tr(f"level.{e['level']}", lang_) for e in items],
                hovertemplate="%{x}<br>%{text}<extra>%{fullData.name}</extra>",
            )
        )
    due = [a for a in plan or [] if a.get("due_date")]
    today = datetime.combine(date.today(), datetime.min.time())
    for late, name, symbol in (
        (False, "workflows.plan.due_markers", "triangle-up"),
        (True, "workflows.plan.overdue_markers", "x"),
    ):
        items = [a for a in due if bool(a["overdue"]) == late]
        if not items:
            continue
        fig.add_trace(
            go_.Scatter(
                x=[a["due_date"] for a in items],
                y=[-0.6] * len(items),
                mode="markers+text" if late else "markers",
                name=tr(name, lang_),
                marker={"symbol": symbol, "size": 12 if late else 10, "color": "#b3261e" if late else "#555"},
                text=[tr("workflows.plan.overdue", lang_) if late else "" for _ in items],
                textposition="bottom center",
                customdata=[_action_hover(a, lang_) for a in items],
                hovertemplate="%{x}<br>%{customdata}<extra>%{fullData.name}</extra>",
            )
        )
    if due:  # the line of today: what lies left of it and is not done is overdue
        fig.add_vline(x=today.timestamp() * 1000, line_dash="dot", line_color="#555")
        fig.add_annotation(x=today.isoformat(), y=3.4, text=tr("workflows.plan.today", lang_), showarrow=False)
    fig.update_yaxes(
        tickvals=list(range(4)), ticktext=[tr(f"level.{lv.value}", lang_) for lv in LEVEL_ORDER], range=[-1, 3.5]
    )
    rows = len(fig.data)  # the legend below the axis, one row per trace at most: it never covers the dates
    fig.update_layout(
        height=320 + 22 * rows,
        margin={"l": 10, "r": 10, "t": 30, "b": 60 + 22 * rows},
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.01, "x": 0},
        title=tr("pages.conference.timeline", lang_),
    )
    fig.update_xaxes(  # ISO dates, as everywhere else on the page; no English month names
        tickformatstops=[
            {"dtickrange": [None, 86_400_000], "value": "%H:%M<br>%Y-%m-%d"},
            {"dtickrange": [86_400_000, None], "value": "%Y-%m-%d"},
        ]
    )
    times = [datetime.fromisoformat(e["at"]) for e in events if e["kind"] == "assessment"]
    times += [datetime.fromisoformat(a["due_date"]) for a in due] + ([today] if due else [])
    if times and max(times) - min(times) < timedelta(days=1):  # e.g. all saved within seconds: no millisecond axis
        middle = min(times) + (max(times) - min(times)) / 2
        fig.update_xaxes(range=[middle - timedelta(hours=12), middle + timedelta(hours=12)])
    return fig


def timeline(
    store: Store,
    user: UserInfo,
    cid: int,
    persons: Mapping[str, str] | None = None,
    plan: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> None:
    """The levels and actions over time, drawn when opened; `events`: Store.timeline of this run, if read."""
    if events is None:
        events = store.timeline(user, cid)
    if events or plan:
        # drawn when opened: plotly's chart costs a second and more of every paint of the page
        box = st.expander(
            t("pages.conference.timeline"), icon=":material/timeline:", key="conference.timeline", on_change="rerun"
        )
        if box.open:
            box.plotly_chart(  # no tool bar: its buttons are English and in the way of the keyboard
                timeline_figure(events, session.lang(), persons, plan),
                width="stretch",
                config={"displayModeBar": False},
                alt=t("pages.conference.timeline_alt", n=len(events) + len(plan or [])),
            )
    undated = [a for a in plan or [] if not a.get("due_date")]
    if undated:
        st.caption(t("workflows.plan.no_due", n=len(undated)))
