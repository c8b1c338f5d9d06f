"""A refresh keeps the user signed in through a signed cookie, and nothing else does: tested as an attacker would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from risk.storage import AuthError, Store
from risk.storage.identity import issue_cookie
from tests.storage.conftest import KEY, Clock

PASS = "correct-horse-battery"
IDLE = timedelta(minutes=30)


@pytest.fixture
def anna(store: Store):  # type: ignore[no-untyped-def]
    store.add_user("anna", PASS, agency="police", role="officer")
    return store.authenticate("anna", PASS)


def refused(store: Store, cookie: str, reason: str = "session") -> None:
    with pytest.raises(AuthError) as e:
        store.resume_browser_session(cookie, IDLE)
    assert e.value.reason == reason


def test_a_refresh_resumes_the_same_user_with_a_fresh_session(store: Store, anna, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    cookie = store.start_browser_session(anna)
    clock.advance(minutes=20)
    again = store.resume_browser_session(cookie, IDLE)
    assert (again.id, again.username, again.role) == (anna.id, "anna", "officer")
    assert again.token != anna.token
    store.list_drafts(again)  # the Store believes it
    clock.advance(minutes=29)  # idle counts from the last resume
    assert store.resume_browser_session(cookie, IDLE).username == "anna"


def test_the_database_keeps_no_cookie(store: Store, anna) -> None:  # type: ignore[no-untyped-def]
    cookie = store.start_browser_session(anna)
    with store.engine.begin() as c:
        rows = [str(v) for r in c.execute(text("SELECT * FROM browser_sessions")) for v in r]
    secret = cookie.split(".")[1]
    assert not any(secret in v or cookie in v for v in rows)


def other_end(text: str, n: int) -> str:
    """`text` with its last `n` characters changed: "A"s, or "B"s where it already ended in "A"s (a random secret
    or signature ends in "A" one time in 64, and was then sent back unchanged)."""
    end = "A" * n if text[-n:] != "A" * n else "B" * n
    return text[:-n] + end


def test_tampered_and_invented_cookies_are_refused(store: Store, anna) -> None:  # type: ignore[no-untyped-def]
    cookie = store.start_browser_session(anna)
    version, secret, stamp, signature = cookie.split(".")
    for forged in (
        f"{version}.{other_end(secret, 1)}.{stamp}.{signature}",  # another secret
        f"{version}.{secret}.{int(stamp) + 86400 * 365}.{signature}",  # a longer life
        f"{version}.{secret}.{stamp}.{other_end(signature, 2)}",  # another signature
        "",
        "c1..0.",
        "x" * 5000,
    ):
        refused(store, forged)
    made_elsewhere, _ = issue_cookie(b"another-deployment-key-" + b"1" * 32, store.clock() + timedelta(hours=1))
    refused(store, made_elsewhere)
    assert store.resume_browser_session(cookie, IDLE).username == "anna"  # the real one still works


def test_a_signed_cookie_without_a_session_row_is_refused(store: Store, anna, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    made_here, _ = issue_cookie(KEY, clock.now + timedelta(hours=1))  # signed with the key, never started
    refused(store, made_here)


def test_idle_too_long_or_expired(store: Store, anna, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    cookie = store.start_browser_session(anna)
    clock.advance(minutes=31)
    refused(store, cookie, "idle")
    refused(store, cookie)  # and the row is gone: it never comes back
    old = store.start_browser_session(store.authenticate("anna", PASS))
    clock.advance(days=3651)  # past the session lifetime (ten years in the tests' Store)
    refused(store, old)


def test_touch_moves_the_idle_time_only_for_the_owner(store: Store, anna, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    store.add_user("bo", PASS, agency="police", role="officer")
    bo = store.authenticate("bo", PASS)
    cookie = store.start_browser_session(anna)
    clock.advance(minutes=20)
    store.touch_browser_session(bo, cookie)  # another user cannot keep anna's browser alive
    clock.advance(minutes=15)
    refused(store, cookie, "idle")
    cookie = store.start_browser_session(store.authenticate("anna", PASS))
    clock.advance(minutes=20)
    store.touch_browser_session(anna, cookie)
    clock.advance(minutes=15)
    assert store.resume_browser_session(cookie, IDLE).username == "anna"


def test_sign_out_ends_it_everywhere_a_copy_is(store: Store, anna) -> None:  # type: ignore[no-untyped-def]
    cookie = store.start_browser_session(anna)
    other_browser = store.start_browser_session(anna)
    store.end_browser_session(cookie)
    refused(store, cookie)
    assert store.resume_browser_session(other_browser, IDLE).username == "anna"  # a sign-out ends its own browser


def test_disabled_account_and_changed_password(store: Store, anna) -> None:  # type: ignore[no-untyped-def]
    cookie = store.start_browser_session(anna)
    with store.engine.begin() as c:
        c.execute(text("UPDATE users SET password_hash = 'changed' WHERE username = 'anna'"))
    refused(store, cookie)
    store.add_user("bo", PASS, agency="police", role="officer")
    bo = store.authenticate("bo", PASS)
    bos = store.start_browser_session(bo)
    store.disable_user("bo")
    refused(store, bos, "disabled")


def test_every_step_is_audited(store: Store, anna) -> None:  # type: ignore[no-untyped-def]
    cookie = store.start_browser_session(anna)
    store.resume_browser_session(cookie, IDLE)
    store.end_browser_session(cookie)
    refused(store, cookie)
    with store.engine.begin() as c:
        actions = [r[0] for r in c.execute(text("SELECT action FROM audit ORDER BY id"))]
    assert actions[-4:] == [
        "browser_session_start",
        "browser_session_resume",
        "browser_session_end",
        "identity_refused",
    ]
    assert store.verify_audit() == []
