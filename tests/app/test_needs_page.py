"""The needs analysis as a supervisor meets it on the demo: per unit and month, in words, hidden groups said to be
hidden, and a link that sends the unit's most often unknown items to the training page."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import nav_titles, open_page, sign_in, start, title
from tests.ui.helpers import no_exceptions, page_text
from ui import session
from ui.i18n import cap, t


def _needs(lang: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(session, "lang", lambda: lang)
    at = start()
    at.session_state["lang"] = lang
    at.run()
    at = sign_in(at, "chef")
    no_exceptions(at)
    assert t("needs.title", lang) in nav_titles(at)
    at = open_page(at, t("needs.title", lang))
    assert title(at) == t("needs.title", lang)
    return at


def test_a_supervisor_sees_the_needs_of_each_unit_with_a_training_link(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _needs("sv", monkeypatch)
    text = page_text(at)
    for key in ("unknown", "overrides", "required", "steps", "times", "training"):
        assert t(f"needs.section.{key}", "sv") in text, key
    links = [str(m.value) for m in at.markdown if "](training?unit=" in str(m.value)]
    assert links and all("unit=police" in link for link in links)  # the demo's one unit: the police default
    assert "&focus=dv." in links[0]  # the demo leaves domestic-violence items unknown
    frames = [d.value for d in at.dataframe]
    assert frames and list(frames[0].columns)[:2] == ["Enhet", "Månad"]
    units = {str(v) for f in frames for v in f.get("Enhet", [])}
    assert units == {"Polisen"}  # the unit in words, not the key
    assert t("needs.training_pending", "sv") not in text  # the training branch is in: results per unit are read


def test_the_english_view_is_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _needs("en", monkeypatch)
    frames = [d.value for d in at.dataframe]
    assert frames and list(frames[0].columns)[:2] == ["Unit", "Month"]
    cells = {str(v) for f in frames for v in f.to_numpy().ravel()}
    assert not cells & {"Polisen", "visas inte", "Våld i nära relation"}
    if at.get("plotly_chart"):
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        assert {trace["name"] for trace in spec["data"]} <= {"Raised", "Lowered"}


def test_case_workers_have_no_needs_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "lang", lambda: "sv")
    at = sign_in(start(), "polis")
    no_exceptions(at)
    assert t("needs.title", "sv") not in nav_titles(at)


def test_the_units_training_results_are_shown_as_medians(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime

    from risk.training import TraineeWork, default_training, expert_work
    from tests.app.helpers import PASSWORD
    from ui.session import get_store

    at = _needs("sv", monkeypatch)  # the demo database of this test is in place
    assert cap(t("needs.training_none", "sv")) in page_text(at)  # no practice case done yet
    store = get_store()
    officer = store.authenticate("polis", PASSWORD, client="tests")
    case = next(iter(default_training().cases.values()))
    for work in [expert_work(case)] * 4 + [TraineeWork()]:
        store.save_training_attempt(officer, case.id, work, datetime(2026, 11, 27, 8, 0))
    at = _needs("sv", monkeypatch)
    frames = [d.value for d in at.dataframe if "Övningsfall" in d.value.columns]
    assert len(frames) == 1
    row = frames[0].iloc[0]
    assert row["Övningsfall"] == case.title("sv") and row["Försök"] == "5"
    assert float(row["Medianpoäng"]) > 0
