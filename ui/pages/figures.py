"""Follow-up for supervisors and trainers: aggregate figures only, never a person; broken down by gender.

The Store counts and suppresses small groups itself (`Store.statistics`); this page only draws what it gets.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from risk.vocabulary import LEVEL_ORDER
from ui.session import get_store, require_user, t


def page() -> None:
    user = require_user()
    st.title(t("pages.figures.title"))
    by = st.radio(
        t("pages.figures.by"),
        ["gender", "age_band", "agency", "checklist"],
        horizontal=True,
        format_func=lambda c: t(f"pages.figures.{c}"),
    )
    stats = get_store().statistics(user, by=(by, "level"))
    st.caption(t("pages.figures.privacy", n=stats["min_cell"]))
    if not stats["cells"]:
        st.info(t("pages.figures.none"))
        return
    counts = pd.DataFrame([c for c in stats["cells"] if not c["suppressed"]])
    if counts.empty:
        st.info(t("pages.figures.too_few", n=stats["min_cell"]))
        return
    counts = counts.rename(columns={"count": "n"})
    order = [lv.value for lv in LEVEL_ORDER]
    counts["level_word"] = counts["level"].map(lambda lv: t(f"level.{lv}"))
    fig = px.bar(
        counts,
        x=by,
        y="n",
        color="level_word",
        barmode="group",
        pattern_shape="level_word",
        category_orders={"level": order},
        labels={"n": t("pages.figures.count"), by: t(f"pages.figures.{by}"), "level_word": t("level.label")},
    )
    st.plotly_chart(fig, width="stretch")
    st.dataframe(counts.pivot_table(index=by, columns="level", values="n", fill_value=0), width="stretch")
