"""A refresh keeps the user signed in: the app writes a signed cookie at sign-in and signs in again from it in a new
session; a tampered, spent or signed-out cookie gives the sign-in page, never an error. (AppTest sends no
cookies, so the cookie the browser would send is handed to `ui.session.browser_cookie`.)"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import ui.session
from tests.app.helpers import click, signed_in, start, title
from tests.ui.helpers import no_exceptions
from ui.i18n import t


def cookie_scripts(at: AppTest) -> list[str]:
    return [b for b in (str(el.proto.body) for el in at.sidebar.get("html")) if "samrisk_session" in b]


def refresh(monkeypatch: pytest.MonkeyPatch, cookie: str | None) -> AppTest:
    """A new browser session (a refresh) in which the browser sends `cookie`."""
    monkeypatch.setattr(ui.session, "browser_cookie", lambda: cookie)
    at = start()
    no_exceptions(at)
    return at


def test_sign_in_writes_the_cookie_and_a_refresh_keeps_the_user_signed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_in("polis")
    cookie = at.session_state["cookie"]
    scripts = cookie_scripts(at)
    assert len(scripts) == 1 and f"samrisk_session={cookie};" in scripts[0]
    assert "SameSite=Strict" in scripts[0] and "Max-Age=43200" in scripts[0] and '"; Secure"' in scripts[0]
    click(at, "Nytt ärende")
    assert cookie_scripts(at) == []  # written once, not on every click

    again = refresh(monkeypatch, cookie)
    assert again.session_state["user"].username == "polis"
    assert title(again) == "Ärenden"
    assert not [i for i in again.main.text_input if i.label == "Lösenord"]


@pytest.mark.parametrize(
    "forged",
    ["c1.AAAA.99999999999.BBBB", "not-a-cookie", "c1.." + "x" * 50],
)
def test_a_forged_cookie_gives_the_sign_in_page(monkeypatch: pytest.MonkeyPatch, forged: str) -> None:
    at = refresh(monkeypatch, forged)
    assert "user" not in at.session_state
    assert title(at) == "Samrisk"
    assert [b.label for b in at.main.button] == ["Logga in"]
    assert any("samrisk_session=; Path=/; Max-Age=0" in s for s in cookie_scripts(at))  # removed from the browser


def test_tampered_cookie_of_a_real_session_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    cookie = signed_in("polis").session_state["cookie"]
    version, secret, stamp, signature = cookie.split(".")
    at = refresh(monkeypatch, f"{version}.{secret}.{int(stamp) + 3600}.{signature}")
    assert "user" not in at.session_state


def test_after_sign_out_the_cookie_opens_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_in("polis")
    cookie = at.session_state["cookie"]
    click(at, t("pages.sign_out", "sv"))
    assert "user" not in at.session_state
    assert any("Max-Age=0" in s for s in cookie_scripts(at))
    again = refresh(monkeypatch, cookie)  # a copy of the cookie, kept by someone
    assert "user" not in again.session_state
    assert [b.label for b in again.main.button] == ["Logga in"]


def test_idle_too_long_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_in("polis")
    cookie = at.session_state["cookie"]
    monkeypatch.setenv("SAMRISK_IDLE_MINUTES", "0.0000001")  # every pause is longer than this
    again = refresh(monkeypatch, cookie)
    assert "user" not in again.session_state
    assert t("pages.login.idle_signed_out", "sv", minutes="1e-07") in [i.value for i in again.info]
