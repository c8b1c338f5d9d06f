"""Follow-up for supervisors and trainers: aggregate figures only, never a person, every label in words.

The Store groups, counts and suppresses small groups itself (`Store.statistics`); this page only names and draws
what it gets. A suppressed group is shown as "not shown", never left out: a missing bar would read as zero.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from risk.checklists import default_checklists
from risk.vocabulary import LEVEL_ORDER
from ui import session
from ui.i18n import cap, catalog
from ui.labels import LEVEL_COLOURS, checklist_name
from ui.session import get_store, require_user, t

DIMENSIONS = ("gender", "age_band", "agency", "checklist")
UNKNOWN = "unknown"  # risk/storage/reports.py: a missing level, gender or age
LEVELS = [lv.value for lv in LEVEL_ORDER]


def value_word(dimension: str, value: str) -> str:
    """A group's name in the user's language: 'female' → 'kvinna', '25-44' → '25–44 år', 'police' → 'Polisen'."""
    keys = {
        "level": f"level.{value}",
        "gender": f"pages.gender.{value}",
        "age_band": f"figures.age_bands.{value}",
        "agency": f"agency.{value}",
    }
    if dimension == "checklist":
        found = default_checklists().get(value)
        if found is not None:
            return checklist_name(found, session.lang())
    key = keys.get(dimension, "")
    if key in catalog(session.lang()):
        return cap(t(key))
    return cap(t("figures.unknown")) if value == UNKNOWN else value


def _order(dimension: str, values: set[str]) -> list[str]:
    known = {"level": LEVELS, "age_band": [*catalog_age_bands(), UNKNOWN]}.get(dimension)
    if known:
        return [v for v in known if v in values] + sorted(values - set(known))
    return sorted(values, key=lambda v: (v == UNKNOWN, value_word(dimension, v)))


def catalog_age_bands() -> list[str]:
    prefix = "figures.age_bands."
    return [k.removeprefix(prefix) for k in catalog(session.lang()) if k.startswith(prefix)]


def table(by: str, cells: list[dict[str, Any]]) -> tuple[list[str], list[str], dict[str, dict[str, str]]]:
    """Rows (groups) × columns (levels) in words; a suppressed cell says so, a group with none says 0."""
    groups = _order(by, {c[by] for c in cells})
    levels = _order("level", {c["level"] for c in cells})
    hidden = t("figures.suppressed")
    found = {(c[by], c["level"]): hidden if c["suppressed"] else str(c["count"]) for c in cells}
    rows = {value_word(by, g): {value_word("level", lv): found.get((g, lv), "0") for lv in levels} for g in groups}
    return [value_word(by, g) for g in groups], [value_word("level", lv) for lv in levels], rows


def chart(by: str, cells: list[dict[str, Any]]) -> None:
    import pandas as pd  # only this page draws a chart: not imported for every page of every role
    import plotly.express as px

    shown = [c for c in cells if not c["suppressed"]]
    frame = pd.DataFrame(
        {
            "group": [value_word(by, c[by]) for c in shown],
            "level": [value_word("level", c["level"]) for c in shown],
            "n": [c["count"] for c in shown],
        }
    )
    groups, levels, _ = table(by, cells)
    fig = px.bar(
        frame,
        x="group",
        y="n",
        color="level",
        barmode="group",
        pattern_shape="level",
        category_orders={"group": groups, "level": levels},
        color_discrete_map={value_word("level", lv): colour for lv, colour in LEVEL_COLOURS.items()},
        labels={"n": t("pages.figures.count"), "group": cap(t(f"pages.figures.{by}")), "level": t("level.label")},
    )
    alt = t(
        "pages.figures.chart_alt", by=t(f"pages.figures.{by}"), n=int(frame["n"].sum()), groups=frame["group"].nunique()
    )
    st.plotly_chart(fig, width="stretch", alt=alt)  # the alt becomes the chart's aria-label: read out, not seen


def page() -> None:
    import pandas as pd  # imported when the page is drawn, not when the app starts

    user = require_user()
    st.title(t("pages.figures.title"))
    by = st.radio(t("pages.figures.by"), DIMENSIONS, horizontal=True, format_func=lambda c: t(f"pages.figures.{c}"))
    stats = get_store().statistics(user, by=(by, "level"))
    st.caption(t("pages.figures.privacy", n=stats["min_cell"]))
    cells: list[dict[str, Any]] = stats["cells"]
    if not cells:
        st.info(t("pages.figures.none"))
        return
    if all(c["suppressed"] for c in cells):
        st.info(t("pages.figures.too_few", n=stats["min_cell"]))
    else:
        chart(by, cells)
    _, levels, rows = table(by, cells)
    st.table(pd.DataFrame.from_dict(rows, orient="index", columns=levels).rename_axis(cap(t(f"pages.figures.{by}"))))
    if any(c["suppressed"] for c in cells):
        st.caption(t("figures.suppressed_note", n=stats["min_cell"]))
