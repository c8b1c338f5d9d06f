"""A setting that stops the server at start is said on the page in the page's language (issue 9: no English in the
Swedish view): each problem of the refusal in its own box, inside `pages.login.start_refused`, naming the setting."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from risk.errors import SamriskError
from tests.app.helpers import APP, TIMEOUT
from tests.app.test_language_leakage import leaks, shown
from tests.ui.helpers import no_exceptions
from ui.i18n import LANGUAGES, catalog, t
from ui.plain_text import md_escape
from ui.session import get_store

# (settings, the texts said: (code, its placeholders), the English each problem keeps for the log and the CLI)
CASES = {
    "short secret key": (
        {"SAMRISK_SECRET_KEY": "too-short"},
        [("secret_key_short", {"setting": "SAMRISK_SECRET_KEY", "least": 32})],
        ["SAMRISK_SECRET_KEY: use at least 32 random characters"],
    ),
    "weak password hash": (
        {"SAMRISK_SECRET_KEY": "k" * 40, "SAMRISK_PASSWORD_HASH": "m=1024,t=1,p=1"},
        [
            ("password_hash_weak", {"setting": "SAMRISK_PASSWORD_HASH", "part": "m", "value": 1024,
                                    "example": "m=19456,t=2,p=1"}),
            ("password_hash_weak", {"setting": "SAMRISK_PASSWORD_HASH", "part": "t", "value": 1,
                                    "example": "m=19456,t=2,p=1"}),
        ],
        ["SAMRISK_PASSWORD_HASH: m=1024 is below", "SAMRISK_PASSWORD_HASH: t=1 is below"],
    ),
    "short audit key": (  # an AuditKeyError, not an InputError: once a traceback in English
        {"SAMRISK_SECRET_KEY": "k" * 40, "SAMRISK_AUDIT_KEY": "short"},
        [("audit_key_short", {"setting": "SAMRISK_AUDIT_KEY", "size": 5, "least": 32})],
        ["audit key: SAMRISK_AUDIT_KEY is too short"],
    ),
    "anchor interval not a number": (  # once a ValueError's traceback
        {"SAMRISK_SECRET_KEY": "k" * 40, "SAMRISK_AUDIT_ANCHOR_INTERVAL": "tio"},
        [("audit_anchor_interval", {"setting": "SAMRISK_AUDIT_ANCHOR_INTERVAL", "value": "tio"})],
        ["SAMRISK_AUDIT_ANCHOR_INTERVAL: 'tio' is not a number of seconds"],
    ),
}  # fmt: skip
ENGLISH = {"the", "is", "use", "least", "random", "characters", "below", "minimum", "too", "short", "key"}


def as_shown(text: str) -> str:
    """Markdown's escapes (SAMRISK\\_SECRET\\_KEY) read as the page shows them."""
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", list(CASES))
def test_a_setting_that_stops_the_start_is_said_in_the_pages_language(
    case: str, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, said, english = CASES[case]
    monkeypatch.delenv("SAMRISK_PASSWORD_HASH", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_store.clear()
    with pytest.raises(SamriskError) as refused:  # what the command line and the log read: the English as before
        get_store()
    assert [p[: len(e)] for p, e in zip(refused.value.problems, english, strict=True)] == english
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["lang"] = lang  # as the language switch on the sign-in page leaves it
    at.run()
    no_exceptions(at)
    errors = [e.value for e in at.error]
    expected = [
        t("pages.login.start_refused", lang, problem=catalog(lang)[f"problems.settings.{code}"].format(
            **{k: md_escape(str(v)) for k, v in params.items()}))
        for code, params in said
    ]  # fmt: skip
    assert errors == expected
    for error in errors:
        assert as_shown(error).startswith(t("pages.login.start_refused", lang, problem=""))
        assert env.keys() & set(re.findall(r"SAMRISK_[A-Z_]+", as_shown(error))), error  # names the setting
        assert not any(e in as_shown(error) for e in refused.value.problems), error  # never the English itself
        if lang == "sv":
            prose = re.sub(r"SAMRISK_[A-Z_]+", " ", as_shown(error))  # the setting's name is a name, not English
            assert not {w.lower() for w in re.findall(r"[^\W\d_]+", prose)} & ENGLISH, error
    assert leaks(shown(at), lang) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_database_that_cannot_be_reached_is_said_with_what_to_check_and_a_reference(
    lang: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The server is down (nothing listens on the port): once SQLAlchemy's traceback; now what to check, in the
    page's language, with a reference that finds the details in the log. The address itself is never shown (it may
    hold a password)."""
    import logging

    url = "postgresql+psycopg://samrisk:hemligt@127.0.0.1:9/samrisk"
    monkeypatch.setenv("SAMRISK_DATABASE_URL", url)
    get_store.clear()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    with caplog.at_level(logging.ERROR, logger="samrisk.app"):
        at.run()
    no_exceptions(at)
    [error] = [e.value for e in at.error]
    [ref] = re.findall(r"E-[0-9A-F]{8}", error)
    assert as_shown(error) == t("start.database_unreachable", lang, ref=ref)
    assert "hemligt" not in error and "127.0.0.1" not in error and "psycopg" not in error
    assert any(ref in r.getMessage() and r.exc_info for r in caplog.records)
    assert leaks(shown(at), lang) == []
