"""Follow-up for supervisors and trainers: aggregate figures only, never a person; broken down by gender."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from risk.vocabulary import LEVEL_ORDER
from ui.session import get_store, require_user, t

MIN_CELL = 5  # smaller groups are not shown, so no one can be recognised in a figure


def page() -> None:
    user = require_user()
    st.title(t("pages.figures.title"))
    st.caption(t("pages.figures.privacy", n=MIN_CELL))
    rows = get_store().statistics(user)["rows"]
    if not rows:
        st.info(t("pages.figures.none"))
        return
    df = pd.DataFrame(rows)
    by = st.radio(
        t("pages.figures.by"),
        ["gender", "age_band", "agency", "checklist"],
        horizontal=True,
        format_func=lambda c: t(f"pages.figures.{c}"),
    )
    counts = df.groupby([by, "level"]).size().reset_index(name="n")
    counts = counts[counts["n"] >= MIN_CELL]
    if counts.empty:
        st.info(t("pages.figures.too_few", n=MIN_CELL))
        return
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
