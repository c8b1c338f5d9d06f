"""Signing in and out, the lock after repeated wrong passwords, and the language switch."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import PASSWORD, button, click, nav_titles, open_page, sign_in, signed_in, start, title
from tests.ui.helpers import no_exceptions, page_text
from ui.i18n import t


def language(at: AppTest, code: str) -> AppTest:
    """Switch the language. In English, stay off pages with select boxes: AppTest formats their options in the test's
    thread, where the app's t() finds no session and answers in Swedish, so the next run would fail."""
    at.segmented_control(key="lang_choice").set_value(code)
    at.run()
    no_exceptions(at)
    return at


def test_swedish_by_default_english_after_switching_and_back() -> None:
    at = start()
    switch = at.segmented_control(key="lang_choice")
    assert switch.label == "Språk" and switch.value == "sv"
    assert switch.options == ["Svenska", "English"]
    assert [b.label for b in at.main.button] == ["Logga in"]
    assert at.main.text_input[0].label == "Användarnamn"

    language(at, "en")
    assert [b.label for b in at.main.button] == ["Sign in"]
    assert at.main.text_input[0].label == "Username"
    sign_in(at, "polis")
    assert title(at) == "Cases"
    assert nav_titles(at) == ["Cases", "Intake", "Result", "Case conference", "Guidance", "May I tell?", "Training"]
    assert "Signed in: polis (police officer, police)" in page_text(at.sidebar)
    assert "51 cases · page 1 of 6" in page_text(at.main)
    assert [b.label for b in at.main.button][:2] == ["New case", "Open"]

    language(at, "sv")
    assert title(at) == "Ärenden"  # the same page, now in Swedish
    assert nav_titles(at) == [
        "Ärenden",
        "Intag",
        "Resultat",
        "Ärendemöte",
        "Kunskapsstöd",
        "Får jag berätta?",
        "Övning",
    ]
    assert "51 ärenden · sida 1 av 6" in page_text(at.main)
    open_page(at, "Ärendemöte")
    assert t("notice", "sv") in page_text(at.main)


def test_the_language_is_kept_when_signing_out() -> None:
    at = language(signed_in("polis"), "en")
    click(at, "Sign out")
    assert title(at) == "Samrisk"
    assert [b.label for b in at.main.button] == ["Sign in"]
    assert "user" not in at.session_state


def test_a_bad_sign_in_shows_an_error_and_signs_no_one_in() -> None:
    at = sign_in(start(), "polis", "not-the-password")
    no_exceptions(at)
    assert [e.value for e in at.error] == ["Fel användarnamn eller lösenord."]
    assert "user" not in at.session_state
    assert nav_titles(at) == ["Logga in", "Kunskapsstöd"]
    sign_in(at, "ingen-sadan", PASSWORD)  # an unknown user gets the same answer
    assert [e.value for e in at.error] == ["Fel användarnamn eller lösenord."]
    assert "user" not in at.session_state


def test_signing_in_keeps_no_password_and_draws_the_first_page_in_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sign-in happens in the submit button's callback: the run after it is the user's first page, not the
    sign-in page drawn once more before a rerun (issue 9: a whole run and page render of every sign-in)."""
    from ui.pages import cases, login

    pages: list[str] = []
    monkeypatch.setattr(login, "page", _counted(login.page, "login", pages))
    monkeypatch.setattr(cases, "page", _counted(cases.page, "cases", pages))
    at = start()
    assert pages == ["login"]
    sign_in(at, "polis")
    assert pages == ["login", "cases"], pages
    assert title(at) == "Ärenden"
    assert "login.password" not in at.session_state
    assert PASSWORD not in list(at.session_state.values())


def _counted(page: Callable[[], None], name: str, pages: list[str]) -> Callable[[], None]:
    def counted() -> None:
        pages.append(name)
        page()

    return counted


def test_five_wrong_passwords_lock_the_account() -> None:
    at = language(start(), "en")
    locked = "Too many failed sign-ins. The account is locked – try again in 30 seconds."
    for n in range(5):
        sign_in(at, "vard", "not-the-password")
        assert [e.value for e in at.error] == [locked if n == 4 else "Wrong username or password."]
    sign_in(at, "vard", PASSWORD)  # even the right password waits now
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("Too many failed sign-ins. The account is locked – try again in")
    assert "user" not in at.session_state
    assert title(at) == "Samrisk"
    # another account is not affected
    sign_in(at, "soc", PASSWORD)
    assert title(at) == "Cases"


def test_an_admin_adds_a_user_who_then_shows_in_the_list() -> None:
    at = signed_in("admin")
    assert title(at) == "Användare"
    form = next(f for f in at.main.form if "Lägg till användare" in [b.label for b in f.button])
    form.text_input[0].input("nyanstalld")
    form.text_input[1].input("en-lang-losenfras-2026")
    form.selectbox[0].set_value("healthcare")
    form.selectbox[1].set_value("clinician")
    button(form, "Lägg till användare").click()
    at.run()
    no_exceptions(at)
    assert [s.value for s in at.success] == ["nyanstalld är tillagd."]
    users = at.dataframe[0].value
    added = users[users["Användarnamn"] == "nyanstalld"][["Myndighet", "Roll"]].values.tolist()
    assert added == [["Hälso- och sjukvården", "Vårdpersonal"]]  # in words, not codes
    disable = next(f for f in at.main.form if "Inaktivera användare" in [b.label for b in f.button])
    assert "nyanstalld" in disable.selectbox[0].options


def test_an_admin_checks_the_audit_chain() -> None:
    at = open_page(signed_in("admin"), "Granskningslogg")
    click(at, "Kontrollera loggens kedja")
    assert [s.value for s in at.success] == [t("pages.admin.intact", "sv")]
