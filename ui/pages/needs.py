"""Needs analysis for trainers and supervisors: what real use shows each unit needs, month by month.

The Store reads and counts (`Store.needs_analysis`) and hides small groups; this page only names what it gets, in
tables (the text alternative of every chart) and one chart, and links each unit's needs to the training page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from risk.checklists import default_checklists
from risk.needs import NeedsAnalysis, TrainingFigure, training_figures
from risk.storage import PermissionDenied
from ui import session
from ui.i18n import cap
from ui.labels import Catalog, checklist_name, item_text, md_escape, organisation_word
from ui.session import get_store, require_user, t

ALL = ""  # the unit choice meaning every unit


def shown(value: int | float | None, fmt: Callable[[Any], str] = str) -> str:
    """A figure in words: hidden ones say so (never left out, which would read as zero)."""
    return t("figures.suppressed") if value is None else fmt(value)


def percent(value: float) -> str:
    return f"{round(value * 100)} %"


def unit_word(unit: str) -> str:
    return organisation_word(unit, session.lang())


def training_results(unit: str) -> list[TrainingFigure] | None:
    """HOOK for the `training` branch (Store.training_attempts, per unit): the practice cases a unit has done and
    their median scores, small groups hidden. None while the Store has no training results; [] when this user may
    not read the unit's results."""
    method = getattr(get_store(), "training_attempts", None)
    if method is None:
        return None
    try:
        attempts = method(require_user(), unit)
    except PermissionDenied:
        return []
    return training_figures((unit, a.case_id, a.score) for a in attempts)  # sub-units count for the unit asked


def training_case_title(case_id: str) -> str:
    """A practice case's title in the user's language, where the training library is there; else its id."""
    try:
        from risk.training import default_training  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return case_id
    found = default_training().cases.get(case_id)
    return str(found.title(session.lang())) if found is not None else case_id


def _frame(rows: Sequence[dict[str, Any]], columns: list[str]) -> Any:
    import pandas as pd  # only when the page is drawn

    return pd.DataFrame(list(rows), columns=columns)


def tables(data: NeedsAnalysis, unit: str) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """Each figure as a table in words (columns, rows), for one unit or all: the text alternative of the charts."""
    lang = session.lang()
    catalog = Catalog.default()
    keep = (lambda u: True) if unit == ALL else (lambda u: u == unit)
    cols = {
        k: t(f"needs.col.{k}")
        for k in (
            "unit",
            "month",
            "checklist",
            "item",
            "unknown",
            "assessed",
            "share",
            "assessments",
            "up",
            "down",
            "rate",
            "required",
            "not_started",
            "immediate",
            "not_done",
            "forms",
            "median",
        )
    }
    checklists = default_checklists()

    def cl_word(c: str) -> str:
        return checklist_name(checklists[c], lang) if c in checklists else c

    out: dict[str, tuple[list[str], list[dict[str, str]]]] = {}
    out["unknown"] = (
        [cols[k] for k in ("unit", "month", "checklist", "item", "unknown", "assessed", "share")],
        [
            {
                cols["unit"]: unit_word(f.unit),
                cols["month"]: f.month,
                cols["checklist"]: cl_word(f.checklist),
                cols["item"]: item_text(f.item, lang, catalog, width=70),
                cols["unknown"]: shown(f.unknown),
                cols["assessed"]: shown(f.assessed),
                cols["share"]: shown(f.share, percent),
            }
            for f in data.unknown_items
            if keep(f.unit)
        ],
    )
    out["overrides"] = (
        [cols[k] for k in ("unit", "month", "assessments", "up", "down", "rate")],
        [
            {
                cols["unit"]: unit_word(f.unit),
                cols["month"]: f.month,
                cols["assessments"]: shown(f.assessments),
                cols["up"]: shown(f.up),
                cols["down"]: shown(f.down),
                cols["rate"]: shown(f.rate, percent),
            }
            for f in data.overrides
            if keep(f.unit)
        ],
    )
    out["required"] = (
        [cols[k] for k in ("unit", "month", "required", "not_started")],
        [
            {
                cols["unit"]: unit_word(f.unit),
                cols["month"]: f.month,
                cols["required"]: shown(f.required),
                cols["not_started"]: shown(f.not_started),
            }
            for f in data.required_checklists
            if keep(f.unit)
        ],
    )
    out["steps"] = (
        [cols[k] for k in ("unit", "month", "immediate", "not_done")],
        [
            {
                cols["unit"]: unit_word(f.unit),
                cols["month"]: f.month,
                cols["immediate"]: shown(f.immediate),
                cols["not_done"]: shown(f.not_done),
            }
            for f in data.immediate_steps
            if keep(f.unit)
        ],
    )
    out["times"] = (
        [cols[k] for k in ("unit", "month", "forms", "median")],
        [
            {
                cols["unit"]: unit_word(f.unit),
                cols["month"]: f.month,
                cols["forms"]: shown(f.forms),
                cols["median"]: shown(f.median_minutes, lambda m: f"{m:g}"),
            }
            for f in data.form_times
            if keep(f.unit)
        ],
    )
    return out


def override_chart(data: NeedsAnalysis, unit: str) -> None:
    """Levels raised and lowered per month and unit (shown figures only; the table below has them all)."""
    import plotly.express as px

    rows = [
        {"month": f.month, "unit": unit_word(f.unit), "direction": t(f"needs.col.{d}"), "n": n}
        for f in data.overrides
        if unit in (ALL, f.unit)
        for d, n in (("up", f.up), ("down", f.down))
        if n is not None
    ]
    if not rows:
        return
    fig = px.bar(
        _frame(rows, ["month", "unit", "direction", "n"]),
        x="month",
        y="n",
        color="direction",
        pattern_shape="direction",
        facet_col="unit",
        barmode="group",
        labels={"n": t("needs.chart_count"), "month": t("needs.col.month"), "direction": t("needs.chart_direction")},
    )
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))  # "unit=Malmö" → "Malmö"
    alt = t("needs.chart_alt", n=sum(r["n"] for r in rows), months=len({r["month"] for r in rows}))
    st.plotly_chart(fig, width="stretch", alt=alt)


def page() -> None:
    user = require_user()
    lang = session.lang()
    st.title(t("needs.title"))
    data = get_store().needs_analysis(user)
    st.caption(t("needs.privacy", n=data.min_cell))
    if not data.units:
        st.info(t("needs.none"))
        return
    unit = st.selectbox(
        t("needs.unit"),
        [ALL, *data.units],
        format_func=lambda u: t("needs.all_units") if u == ALL else unit_word(u),
        key="needs.unit",
    )
    catalog = Catalog.default()
    st.subheader(t("needs.focus_title"))
    for need in data.needs:
        if unit not in (ALL, need.unit):
            continue
        name = md_escape(unit_word(need.unit))
        if need.focus:
            items = "; ".join(md_escape(item_text(i, lang, catalog, width=60)) for i in need.focus)
            st.markdown(f"**{name}**: {items}")
        else:
            st.markdown(f"**{name}**: {t('needs.no_focus')}")
        st.markdown(f"[{t('needs.assign', unit=name)}]({need.training_link})")
    figures = tables(data, unit)
    for key in ("unknown", "overrides", "required", "steps", "times"):
        st.subheader(t(f"needs.section.{key}"))
        st.caption(t(f"needs.explain.{key}"))
        if key == "overrides":
            override_chart(data, unit)
        columns, rows = figures[key]
        if rows:
            st.dataframe(_frame(rows, columns), hide_index=True, width="stretch")
        else:
            st.caption(t("needs.empty"))
    st.subheader(t("needs.section.training"))
    for u in data.units if unit == ALL else [unit]:
        results = training_results(u)
        if results is None:
            st.caption(t("needs.training_pending"))
            break
        st.markdown(f"**{md_escape(unit_word(u))}**")
        if not results:
            st.caption(cap(t("needs.training_none")))
            continue
        columns = [t("needs.col.case"), t("needs.col.attempts"), t("needs.col.median_score")]
        rows = [
            dict(zip(columns, (training_case_title(r.case_id), shown(r.attempts), shown(r.median_score)), strict=True))
            for r in results
        ]
        st.dataframe(_frame(rows, columns), hide_index=True, width="stretch")
    if any(v == t("figures.suppressed") for _, rows in figures.values() for row in rows for v in row.values()):
        st.caption(t("figures.suppressed_note", n=data.min_cell))
