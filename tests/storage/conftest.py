"""Every storage test runs against SQLite and PostgreSQL.

PostgreSQL: 127.0.0.1:5432, user postgres, trust auth (SAMRISK_TEST_PG_URL overrides). A database of
its own is created once per run and emptied before each test. Outside CI the PostgreSQL runs skip,
saying why, when no server answers; in CI (CI=true) they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from risk import storage
from risk.storage import UserInfo
from risk.storage.audit import AuditKey
from risk.storage.reports import Retained

ADMIN_URL = os.environ.get("SAMRISK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TABLES = (
    "audit",
    "audit_head",
    "action_items",
    "safety_plans",
    "conference_shares",
    "concern_reports",
    "consents",
    "drafts",
    "browser_sessions",
    "training_attempts",
    "training_assignments",
    "overrides",
    "assessments",
    "persons",
    "person_changes",
    "case_search_terms",
    "case_agencies",
    "case_organisations",
    "cases",
    "users",
    "organisations",
    "login_throttle",
    "deployment_marks",
)


KEY = b"test-secret-key-" + b"0" * 32  # sessions in tests are signed with this, not the data folder's key


class Store(storage.Store):
    """The Store of the tests: `add_user` without `by` acts as the system actor and signs the new user in, so a
    test reads as a story ("anna = store.add_user(...)"). The real Store refuses a missing actor. Sessions last
    ten years, so tests that move the clock by days keep their users signed in (test_identity.py tests expiry)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._session_lifetime = timedelta(days=3650)

    def add_user(
        self,
        username: str,
        password: str,
        agency: str,
        role: str,
        by: UserInfo | None = None,
        organisation: str | None = None,
        *,
        published_password: bool = False,
    ) -> UserInfo:
        options = {"organisation": organisation, "published_password": published_password}
        if by is not None:
            return super().add_user(username, password, agency, role, by=by, **options)
        super().add_user(username, password, agency, role, by=self.system_actor("tests"), **options)
        return self.authenticate(username, password, client="tests")

    def add_organisation(
        self, key: str, name: str, agency: str, parent: str | None = None, by: UserInfo | None = None
    ) -> str:
        return super().add_organisation(key, name, agency, parent=parent, by=by or self.system_actor("tests"))

    def list_users(self, by: UserInfo | None = None) -> list[dict[str, object]]:
        return super().list_users(by or self.system_actor("tests"))

    def disable_user(self, username: str, by: UserInfo | None = None) -> None:
        super().disable_user(username, by or self.system_actor("tests"))

    def apply_retention(
        self,
        older_than_days: int,
        mode: str = "pseudonymise",
        by: UserInfo | None = None,
        training_days: int | None = None,
    ) -> Retained:
        return super().apply_retention(older_than_days, mode, by or self.system_actor("tests"), training_days)

    def apply_training_retention(self, older_than_days: int, by: UserInfo | None = None) -> tuple[int, int]:
        return super().apply_training_retention(older_than_days, by or self.system_actor("tests"))


class Clock:
    """A clock the tests move by hand: lockouts, withdrawals and retention without sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, 0)

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)  # strictly increasing, like real time
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


TEST_AUDIT_KEY = "7e57" * 16  # a fixed test key (32 bytes): the command-line runs inherit it


@pytest.fixture(autouse=True)
def audit_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The audit key and, per test, an anchor file of its own (the PostgreSQL database is reused between tests)."""
    anchor = tmp_path / "audit-anchor.json"
    monkeypatch.setenv("SAMRISK_AUDIT_KEY", TEST_AUDIT_KEY)
    monkeypatch.setenv("SAMRISK_AUDIT_ANCHOR", str(anchor))
    return anchor


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    name = f"samrisk_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # no server here
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and did not answer at {ADMIN_URL}: {e}")
        pytest.skip(f"PostgreSQL tests skipped: no server at {ADMIN_URL} ({type(e).__name__})")
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    Store.open(url, key=KEY, audit_key=AuditKey(bytes.fromhex(TEST_AUDIT_KEY), "test")).close()  # migrate once
    yield url
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'samrisk.sqlite3'}"
    url: str = request.getfixturevalue("pg_url")
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(backend: str, clock: Clock) -> Iterator[Store]:
    s = Store.open(backend, clock=clock, fast_hashing=True, key=KEY)
    yield s
    s.close()
