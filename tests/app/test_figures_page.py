"""The supervisor's figures as a new supervisor meets them on the demo: groups and levels in words, a chart, and
the small groups that may not be shown said to be "not shown" rather than left out."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import sign_in, start, title
from tests.ui.helpers import no_exceptions, page_text
from ui import session
from ui.i18n import t

CODES = {"female", "male", "low", "moderate", "high", "severe", "police", "domestic_violence", "25-44", "unknown"}


def _figures(lang: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(session, "lang", lambda: lang)  # AppTest formats options outside the run
    at = start()
    at.session_state["lang"] = lang  # as the language switch on the sign-in page leaves it
    at.run()
    at = sign_in(at, "chef")
    no_exceptions(at)
    assert title(at) == t("pages.figures.title", lang)
    return at


def _cells(at: AppTest) -> set[str]:
    frame = at.table[0].value
    return {str(v) for v in frame.to_numpy().ravel()} | {str(i) for i in frame.index} | {str(c) for c in frame.columns}


def test_a_new_supervisor_sees_figures_by_gender_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _figures("sv", monkeypatch)
    frame = at.table[0].value
    assert list(frame.columns) == ["Låg", "Måttlig", "Hög", "Mycket hög"]
    assert list(frame.index) == ["Kvinna", "Man"]
    assert all(int(v) >= 5 for v in frame.to_numpy().ravel())  # the demo is large enough: nothing hidden
    assert not _cells(at) & CODES
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {trace["name"] for trace in spec["data"]} == {"Låg", "Måttlig", "Hög", "Mycket hög"}
    assert {x for trace in spec["data"] for x in trace["x"]} == {"Kvinna", "Man"}
    assert spec["layout"]["xaxis"]["title"]["text"] == "Kön"
    assert t("figures.suppressed_note", "sv", n=5) not in page_text(at)


def test_small_groups_are_said_to_be_hidden_not_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _figures("sv", monkeypatch)
    at.radio[0].set_value("age_band").run()
    no_exceptions(at)
    cells = _cells(at)
    assert "visas inte" in cells and "25–44 år" in cells and not cells & CODES
    assert t("figures.suppressed_note", "sv", n=5) in page_text(at)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    shown = {x for trace in spec["data"] for x in trace["x"]}
    assert shown and shown <= set(at.table[0].value.index)


def test_the_english_view_names_everything_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _figures("en", monkeypatch)
    assert list(at.table[0].value.index) == ["Female", "Male"]
    for by in ("age_band", "agency", "checklist"):
        at.radio[0].set_value(by).run()
        no_exceptions(at)
        cells = _cells(at)
        assert not cells & CODES, by
        assert not cells & {"Polisen", "Kvinna", "visas inte", "Våld i nära relation"}, by
    assert "Domestic violence" in " ".join(at.table[0].value.index)
