"""The admin's audit trail page: actions in words, filters that narrow, pages that turn, and dates the wrong way
round named without a trace."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import button, click, open_page, selectbox, sign_in, start, title
from tests.ui.helpers import page_text
from ui import session
from ui.i18n import t


def _audit(lang: str = "sv", monkeypatch: pytest.MonkeyPatch | None = None) -> AppTest:
    if monkeypatch is not None:  # AppTest calls format_func outside the run, where the session has no language
        monkeypatch.setattr(session, "lang", lambda: lang)
    at = start()
    at.session_state["lang"] = lang  # as the language switch on the sign-in page leaves it
    at.run()  # on the sign-in page
    at = sign_in(at, "admin")
    return open_page(at, t("audit.title", lang))


def test_the_trail_shows_actions_in_words_and_pages_through_the_database() -> None:
    at = _audit()
    assert title(at) == "Granskningslogg"
    table = at.dataframe[0].value
    assert list(table.columns) == [
        t(f"audit.columns.{c}", "sv") for c in ("id", "at", "username", "agency", "action", "case_id", "record")
    ]
    actions = set(table["Händelse"])
    assert {"Inloggad", "Ärende skapat", "Bedömning sparad"} & actions
    assert not {a for a in actions if "_" in a}, actions  # no code such as save_assessment
    assert "Påbörjad bedömning" not in actions and len(table) == 50
    caption = next(c.value for c in at.caption if "poster" in c.value)
    assert caption.startswith(tuple("123456789")) and "sida 1 av" in caption
    first_ids = list(table["Nr"])
    at = click(at, "Nästa sida")
    assert "sida 2 av" in page_text(at)
    assert max(at.dataframe[0].value["Nr"]) < min(first_ids)


def test_filters_by_user_action_case_and_date() -> None:
    at = _audit()
    selectbox(at, "Användare").set_value("vard")
    selectbox(at, "Händelse").set_value("save_assessment")
    at.date_input[0].set_value(date(2000, 1, 1))
    at = click(at, "Visa")
    table = at.dataframe[0].value
    assert set(table["Användare"]) == {"vard"} and set(table["Händelse"]) == {"Bedömning sparad"}
    assert all(r.startswith("Bedömning: ") for r in table["Post"])  # the checklist in words, not its code
    assert all(r.endswith(", version 1") for r in table["Post"])
    assert not [r for r in table["Post"] if "psychiatric" in r or "criminal_network" in r]
    case = int(table["Ärende"].iloc[0])
    selectbox(at, "Användare").set_value("\x00all")
    selectbox(at, "Händelse").set_value("\x00all")
    at.number_input[0].set_value(case)
    at = click(at, "Visa")
    assert set(at.dataframe[0].value["Ärende"]) == {str(case)}


def test_dates_the_wrong_way_round_are_named_and_the_filter_kept() -> None:
    at = _audit()
    at.date_input[0].set_value(date(2026, 12, 2))
    at.date_input[1].set_value(date(2026, 12, 1))
    at = click(at, "Visa")
    assert t("audit.dates_reversed", "sv") in [e.value for e in at.error]
    assert at.date_input[0].value == date(2026, 12, 2) and at.date_input[1].value == date(2026, 12, 1)
    assert not at.dataframe


def test_the_english_view_has_english_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _audit("en", monkeypatch)
    assert title(at) == "Audit trail"
    actions = set(at.dataframe[0].value["Action"])
    assert "Signed in" in actions or "Case created" in actions
    assert not actions & {t(f"audit.actions.{c}", "sv") for c in ("login", "create_case", "save_assessment")}
    button(at, "Next page")
