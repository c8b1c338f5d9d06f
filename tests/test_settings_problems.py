"""What stops the server at start (a missing or short secret key, a bad SAMRISK_PASSWORD_HASH or
SAMRISK_SESSION_HOURS, a missing or short audit key, a database URL that cannot be used) is coded: each keeps its
English as before (the command line and the logs read it) and carries a code and parameters, so the sign-in page
says it in its own language (issue 9: no English in the Swedish view)."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from risk.errors import InputError, Problem, SamriskError
from risk.storage import Store
from risk.storage.accounts import password_hash_parameters
from risk.storage.audit import AuditKeyError, load_key
from risk.storage.base import anchor_interval_setting
from risk.storage.identity import secret_key, session_lifetime
from ui.i18n import catalog
from ui.problems import problem_texts

KEY = b"k" * 40
ENGLISH_WORDS = {"the", "is", "not", "with", "and", "of", "at", "least", "give", "set", "must", "when", "key", "file"}
EXAMPLE = "m=19456,t=2,p=1"


def refused(call: Callable[[], Any], kind: type[SamriskError] = InputError) -> SamriskError:
    with pytest.raises(kind) as e:
        call()
    return e.value


def coded(e: SamriskError) -> list[tuple[str, str, dict[str, Any]]]:
    return [(p.code, p.field, dict(p.params)) for p in e.details]


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting of the caller's: each test sets what it refuses."""
    for name in (
        "SAMRISK_SECRET_KEY",
        "SAMRISK_PRODUCTION",
        "SAMRISK_SESSION_HOURS",
        "SAMRISK_PASSWORD_HASH",
        "SAMRISK_AUDIT_KEY",
        "SAMRISK_AUDIT_KEY_FILE",
        "SAMRISK_AUDIT_KEY_CREATE",
        "SAMRISK_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)  # fmt: skip
    monkeypatch.setenv("SAMRISK_DATA_DIR", str(tmp_path))


def test_the_secret_key_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMRISK_SECRET_KEY", "short")
    e = refused(lambda: secret_key(tmp_path))
    assert e.problems == ["SAMRISK_SECRET_KEY: use at least 32 random characters"]
    assert coded(e) == [
        ("settings.secret_key_short", "SAMRISK_SECRET_KEY", {"setting": "SAMRISK_SECRET_KEY", "least": 32})
    ]
    monkeypatch.delenv("SAMRISK_SECRET_KEY")
    monkeypatch.setenv("SAMRISK_PRODUCTION", "1")
    e = refused(lambda: secret_key(tmp_path))
    assert e.problems == [
        "SAMRISK_SECRET_KEY: must be set when SAMRISK_PRODUCTION is set (e.g. `python -c 'import secrets; "
        "print(secrets.token_urlsafe(48))'`)"
    ]
    assert coded(e)[0][0] == "settings.secret_key_missing"
    assert coded(e)[0][2] == {"setting": "SAMRISK_SECRET_KEY", "production": "SAMRISK_PRODUCTION", "least": 32}
    monkeypatch.delenv("SAMRISK_PRODUCTION")
    (tmp_path / "secret.key").write_text("short", encoding="ascii")
    e = refused(lambda: secret_key(tmp_path))
    path = str(tmp_path / "secret.key")
    assert e.problems == [f"{path}: the secret key file is shorter than 32 characters; remove it"]
    assert coded(e) == [("settings.secret_key_file_short", "SAMRISK_SECRET_KEY", {"path": path, "least": 32})]


@pytest.mark.parametrize("raw", ["0", "200", "twelve"])
def test_the_session_hours_problem(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMRISK_SESSION_HOURS", raw)
    e = refused(session_lifetime)
    assert e.problems == [f"SAMRISK_SESSION_HOURS: {raw!r}; give hours between 0 and 168, e.g. 12"]
    params = {"setting": "SAMRISK_SESSION_HOURS", "value": raw, "most": 168}
    assert coded(e) == [("settings.session_hours", "SAMRISK_SESSION_HOURS", params)]


@pytest.mark.parametrize(
    ("setting", "english", "code", "params"),
    [
        ("64MiB", f"'64MiB'; give m (KiB), t and p once each, e.g. {EXAMPLE}", "settings.password_hash_unreadable",
         {"value": "64MiB", "example": EXAMPLE}),
        ("m=65536,t=3", f"p is missing, e.g. {EXAMPLE}", "settings.password_hash_missing",
         {"part": "p", "example": EXAMPLE}),
        ("m=19455,t=2,p=1", f"m=19455 is below OWASP's minimum for argon2id ({EXAMPLE}); a weaker hash makes stolen "
         "password hashes easier to crack", "settings.password_hash_weak",
         {"part": "m", "value": 19455, "example": EXAMPLE}),
        ("m=4194304,t=2,p=1", "m=4194304 is more than 1048576: every sign-in would wait for it",
         "settings.password_hash_too_costly", {"part": "m", "value": 4194304, "most": 1048576}),
    ],
)  # fmt: skip
def test_the_password_hash_problems(
    setting: str, english: str, code: str, params: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMRISK_PASSWORD_HASH", setting)
    e = refused(password_hash_parameters)
    assert e.problems == [f"SAMRISK_PASSWORD_HASH: {english}"]
    params = {"setting": "SAMRISK_PASSWORD_HASH", **params}
    assert coded(e) == [(code, "SAMRISK_PASSWORD_HASH", params)]  # numbers as ints: 19455 != "19455"


def test_the_audit_key_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMRISK_AUDIT_KEY", "short")
    e = refused(load_key, AuditKeyError)
    assert e.problems == ["audit key: SAMRISK_AUDIT_KEY is too short (5 bytes); use at least 32 random bytes"]
    params: dict[str, Any] = {"setting": "SAMRISK_AUDIT_KEY", "size": 5, "least": 32}
    assert coded(e) == [("settings.audit_key_short", "SAMRISK_AUDIT_KEY", params)]
    monkeypatch.delenv("SAMRISK_AUDIT_KEY")
    path = tmp_path / "audit.key"
    path.write_text("abcd\n", encoding="utf-8")  # hex: two bytes
    e = refused(load_key, AuditKeyError)
    assert e.problems == [f"audit key: key file {path} is too short (2 bytes); use at least 32 random bytes"]
    params = {"path": str(path), "size": 2, "least": 32}
    assert coded(e) == [("settings.audit_key_file_short", "SAMRISK_AUDIT_KEY", params)]
    path.unlink()
    monkeypatch.setenv("SAMRISK_AUDIT_KEY_CREATE", "0")
    e = refused(load_key, AuditKeyError)
    assert e.problems == [
        f"audit key: no SAMRISK_AUDIT_KEY and no key file at {path}; set one (see docs/deployment.md)"
    ]
    params = {"setting": "SAMRISK_AUDIT_KEY", "path": str(path)}
    assert coded(e) == [("settings.audit_key_missing", "SAMRISK_AUDIT_KEY", params)]
    path.mkdir()  # a folder where the key file should be: it cannot be read
    e = refused(load_key, AuditKeyError)
    assert e.problems[0].startswith(f"audit key: key file {path} cannot be read: ")
    [(code, _, params)] = coded(e)
    assert code == "settings.audit_key_unreadable" and params["path"] == str(path) and params["reason"]


@pytest.mark.parametrize("url", ["nonsense", "nosuchdb://host/samrisk"])
def test_a_database_url_that_cannot_be_used_names_the_setting_never_the_url(url: str, tmp_path: Path) -> None:
    e = refused(lambda: Store.open(url, key=KEY, fast_hashing=True))
    assert e.problems == [
        "database URL (SAMRISK_DATABASE_URL or --database): not a URL SQLAlchemy can use, "
        "e.g. postgresql+psycopg://samrisk@db/samrisk"
    ]
    params = {"setting": "SAMRISK_DATABASE_URL", "example": "postgresql+psycopg://samrisk@db/samrisk"}
    assert coded(e) == [("settings.database_url", "SAMRISK_DATABASE_URL", params)]


def test_a_database_driver_that_is_not_installed_is_named(tmp_path: Path) -> None:
    if importlib.util.find_spec("MySQLdb") is not None:
        pytest.skip("MySQLdb is installed here")
    e = refused(lambda: Store.open("mysql://samrisk:secret-password@db/samrisk", key=KEY, fast_hashing=True))
    assert e.problems == ["database URL (SAMRISK_DATABASE_URL or --database): its driver 'MySQLdb' is not installed"]
    params = {"setting": "SAMRISK_DATABASE_URL", "driver": "MySQLdb"}
    assert coded(e) == [("settings.database_driver", "SAMRISK_DATABASE_URL", params)]
    assert "secret-password" not in str(e)


def every_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Problem]:
    """One problem of every code above, each met through the call that raises it at start."""
    found: list[Problem] = []

    def meet(env: dict[str, str], call: Callable[[], Any]) -> None:
        with monkeypatch.context() as mp:
            for name, value in env.items():
                mp.setenv(name, value)
            with pytest.raises(SamriskError) as e:
                call()
            found.extend(e.value.details)

    meet({"SAMRISK_SECRET_KEY": "short"}, lambda: secret_key(tmp_path))
    meet({"SAMRISK_PRODUCTION": "1"}, lambda: secret_key(tmp_path))
    (tmp_path / "short").mkdir()
    (tmp_path / "short" / "secret.key").write_text("short", encoding="ascii")
    meet({}, lambda: secret_key(tmp_path / "short"))
    meet({"SAMRISK_SESSION_HOURS": "twelve"}, session_lifetime)
    for setting in ("64MiB", "m=65536,t=3", "m=19455,t=2,p=1", "m=4194304,t=2,p=1"):
        meet({"SAMRISK_PASSWORD_HASH": setting}, password_hash_parameters)
    meet({"SAMRISK_AUDIT_KEY": "short"}, load_key)
    (tmp_path / "audit.key").write_text("abcd", encoding="utf-8")
    meet({}, load_key)
    meet({"SAMRISK_AUDIT_KEY_FILE": str(tmp_path / "none.key"), "SAMRISK_AUDIT_KEY_CREATE": "0"}, load_key)
    meet({"SAMRISK_AUDIT_KEY_FILE": str(tmp_path)}, load_key)  # a folder: cannot be read
    meet({}, lambda: Store.open("nonsense", key=KEY, fast_hashing=True))
    meet({"SAMRISK_AUDIT_ANCHOR_INTERVAL": "tio"}, anchor_interval_setting)
    if importlib.util.find_spec("MySQLdb") is None:
        meet({}, lambda: Store.open("mysql://samrisk@db/samrisk", key=KEY, fast_hashing=True))
    return found


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", re.sub(r"\\(.)", r"\1", text).lower()))


def test_every_setting_problem_has_a_text_and_the_swedish_one_no_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = every_problem(tmp_path, monkeypatch)
    assert all(p.code.startswith("settings.") for p in found), [str(p) for p in found if not p.code]
    texts = {k.removeprefix("problems.") for k in catalog("sv") if k.startswith("problems.settings.")}
    missing_driver = {"settings.database_driver"} if importlib.util.find_spec("MySQLdb") else set()
    assert {p.code for p in found} | missing_driver == texts  # every text is met here, and nothing without one
    for p in found:
        named = set().union(*(words(str(v)) for v in p.params.values()))
        [sv] = problem_texts(InputError([p]), "sv")
        assert not (words(sv) - named) & ENGLISH_WORDS, (p.code, sv)
        assert "⟦" not in sv and str(p) not in sv
        for setting in ("SAMRISK_SECRET_KEY", "SAMRISK_PASSWORD_HASH", "SAMRISK_AUDIT_KEY"):
            if p.params.get("setting") == setting:
                assert setting.replace("_", "\\_") in sv, sv  # the name as it is, escaped for Markdown
        [en] = problem_texts(InputError([p]), "en")
        assert not any(c in w for w in words(en) - named for c in "åäö"), (p.code, en)
        assert "⟦" not in en
