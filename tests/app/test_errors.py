"""A fault on a page reaches the user as a short message with a reference id: no traceback, SQL or server path.

Written as an attacker would try it: a police officer points the session at a health-care case their
organisation does not take part in; and a fault deep in the Store carries SQL text and a server path.
"""

from __future__ import annotations

import logging
import sqlite3

import pytest

from risk.storage import Store
from tests.app.helpers import LEAKS, REF, open_page, said_with_a_reference, shown_text, sign_in, signed_in, start, title
from tests.conftest import ROOT


def _case_id(url: str, reference: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as c:
        row = c.execute("SELECT id FROM cases WHERE reference LIKE ?", (f"{reference}%",)).fetchone()
    assert row is not None, reference
    return int(row[0])


def test_another_organisations_case_shows_a_message_and_a_reference(
    database: str, caplog: pytest.LogCaptureFixture
) -> None:
    at = signed_in("polis")
    at.session_state["case_id"] = _case_id(database, "DEMO-002")  # health care's case: polis is not in it
    with caplog.at_level(logging.WARNING, logger="samrisk.app"):
        at = open_page(at, "Resultat")  # fails the test if a traceback (an exception element) is shown
    assert title(at) == "Resultat"
    [error] = at.error
    assert "Du har inte behörighet till detta" in error.value
    [ref] = REF.findall(error.value)
    shown = shown_text(at)
    assert "Akuten, bilolycka" not in shown  # nothing of the case itself
    for leak in LEAKS:
        assert leak not in shown, leak
    assert any(ref in r.getMessage() for r in caplog.records), "the reference finds the log entry"


def test_an_unexpected_fault_shows_a_reference_in_the_users_language(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("(sqlite3.OperationalError) SELECT * FROM consents -- /srv/samrisk/var/samrisk.sqlite3")

    at = signed_in("polis")
    at.session_state["lang"] = at.session_state["lang_choice"] = "en"
    at.run()
    monkeypatch.setattr(Store, "list_cases", broken)
    with caplog.at_level(logging.ERROR, logger="samrisk.app"):
        at = open_page(at, "Cases")
    assert "Something went wrong" in said_with_a_reference(at, caplog)


def test_production_config_hides_error_details() -> None:
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_a_fault_while_signing_in_shows_a_reference_and_signs_no_one_in(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Sign-in runs in the form's callback (ui/pages/login.py, submit): a fault there is said by the page's run."""

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("(sqlite3.OperationalError) SELECT * FROM users -- /srv/samrisk/var/samrisk.sqlite3")

    at = start()
    monkeypatch.setattr(Store, "authenticate", broken)
    with caplog.at_level(logging.ERROR, logger="samrisk.app"):
        sign_in(at, "polis")
    assert not at.exception
    assert "Något gick fel" in said_with_a_reference(at, caplog)
    assert "user" not in at.session_state
    assert title(at) == "Samrisk"
