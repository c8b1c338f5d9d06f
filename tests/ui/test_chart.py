"""contribution_chart: one bar per yes item with its points, critical ones marked, the unknown and unasked
items as the uncertain part, and the score range in the title."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from risk import assess
from risk.checklists import default_checklists
from tests.conftest import dv, make_case
from tests.ui.helpers import example_case
from ui.components import chart_alt, contribution_chart

DV = default_checklists()["domestic_violence"]


def bars(fig: go.Figure, kind: str) -> dict[str, tuple[float, bool]]:
    """item id → (bar length, critical) over the traces of one kind."""
    out: dict[str, tuple[float, bool]] = {}
    for trace in fig.data:
        meta: dict[str, Any] = trace.meta
        if meta["kind"] == kind:
            for item, x in zip(trace.customdata, trace.x, strict=True):
                out[item] = (x, meta["critical"])
    return out


def test_bars_are_the_yes_items_with_their_points() -> None:
    result = assess(example_case(), lang="sv").assessments[0]
    fig = contribution_chart(result, DV, "sv")
    yes = bars(fig, "yes")
    assert yes == {c.item: (c.points, c.critical) for c in result.contributions}
    assert sum(x for x, _ in yes.values()) == result.score
    assert yes["dv.strangulation"] == (4, True)


def test_critical_items_come_first_and_are_marked() -> None:
    result = assess(example_case(), lang="sv").assessments[0]
    fig = contribution_chart(result, DV, "sv")
    first = fig.data[0]
    assert first.meta == {"kind": "yes", "critical": True}
    assert list(first.customdata) == ["dv.strangulation"]
    assert first.y[0].startswith("▲ ")
    assert first.marker.pattern.shape == "x"  # not colour alone


def test_unknown_items_are_the_uncertain_part_and_the_title_gives_the_range() -> None:
    result = assess(example_case(), lang="sv").assessments[0]
    fig = contribution_chart(result, DV, "sv")
    uncertain = bars(fig, "uncertain")
    assert set(uncertain) == {"dv.weapon_access", "dv.victim_fears_lethal"}
    assert sum(x for x, _ in uncertain.values()) == result.score_max - result.score == 7
    assert fig.layout.title.text == "Poäng 10 – kan bli upp till 17"
    assert "7 poäng" in fig.layout.title.subtitle.text
    assert "ger 10 poäng" in chart_alt(result, DV, "sv")


def test_unasked_items_count_as_uncertain_too() -> None:
    result = assess(make_case(assessments=[dv({"dv.strangulation": "yes"})]), lang="en").assessments[0]
    fig = contribution_chart(result, DV, "en", max_open=None)
    uncertain = bars(fig, "uncertain")
    assert set(uncertain) == {i for i in result.unasked_items if DV.items[i].points > 0}
    assert result.score + sum(x for x, _ in uncertain.values()) == result.score_max
    assert fig.layout.title.text == f"Score 4 – could be up to {result.score_max}"


def test_many_open_items_share_one_bar_beyond_the_cap() -> None:
    result = assess(make_case(assessments=[dv({"dv.strangulation": "yes"})]), lang="en").assessments[0]
    every = [i for i in result.unasked_items if DV.items[i].points > 0]
    critical = [i for i in every if DV.items[i].critical]
    fig = contribution_chart(result, DV, "en", max_open=3)
    trace = next(tr for tr in fig.data if tr.meta["kind"] == "uncertain")
    assert sorted(trace.customdata[:-1]) == sorted(critical)  # critical open items keep their own bar, first
    shared = trace.customdata[-1].split(",")
    assert set(critical) | set(shared) == set(every)
    assert trace.y[-1] == f"{len(every) - len(critical)} more questions"
    assert result.score + sum(trace.x) == result.score_max
