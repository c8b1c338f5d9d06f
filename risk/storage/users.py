"""Accounts: single-site users with argon2 passwords and throttled logins, or OpenID Connect claims.

Sign-in is three steps so that a flood of wrong passwords never holds the write lock while argon2 works: read the
account and the locks (no write lock), check the password outside any transaction, then count or reset in one
short write transaction that checks the locks again once it holds them. Counts are atomic (an upsert that
returns the new count, and `failed_logins = failed_logins + 1`), so parallel attempts are all counted.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from risk.errors import InputError, Problem, problem
from risk.storage import schema as db
from risk.storage.access import ACCOUNT_MANAGERS
from risk.storage.accounts import (
    ACCOUNT_FREE_ATTEMPTS,
    CLIENT_FREE_ATTEMPTS,
    FAILURE_WINDOW,
    FREE_ATTEMPTS,
    ClaimMapping,
    UserInfo,
    account_problems,
    check_password,
    hasher,
    lock_after,
)
from risk.storage.base import (
    AuthError,
    PermissionDenied,
    StoreBase,
)
from risk.storage.identity import keyed_name

FORGET_FAILURES = timedelta(days=1)  # throttling rows with no failure and no lock for this long are removed


def _manager(by: UserInfo, what: str) -> None:
    if by.role not in ACCOUNT_MANAGERS:
        raise PermissionDenied(problem("admin_only", "user", f"only an admin may {what}"))


def _no_user(username: str) -> Problem:
    return problem("user_unknown", "username", f"username: no user {username!r}", value=username)


class UsersMixin(StoreBase):
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
        """Create an account: by an admin in the app, or by the system actor on the command line (`by` is
        required; the Store resolves it). Returns a description of the account, not a session.

        `organisation`: the key of the user's organisation or unit, of the same agency; default the agency's
        default organisation. `published_password`: a password everyone may know (the synthetic demo's), hashed
        with cheap argon2 parameters: a costly hash protects nothing there and cost a first start seconds."""
        assert by is not None  # the Store refuses a missing actor before this runs (store.py)
        _manager(by, "add users")
        problems = account_problems(username, password, agency, role)
        with self._tx() as s:
            if s.execute(select(db.User.id).where(db.User.username == username)).first():
                problems.append(
                    problem("username_taken", "username", f"username: {username!r} is already taken", value=username)
                )
            org = None
            if organisation is not None and organisation != agency:  # the agency's own key: its default
                org = s.execute(select(db.Organisation).where(db.Organisation.key == organisation)).scalar_one_or_none()
                if org is None or org.agency != agency:
                    problems.append(
                        problem(
                            "organisation_not_of_agency",
                            "organisation",
                            f"organisation: {organisation!r} is not an organisation of {agency}",
                            value=organisation,
                            agency=agency,
                        )
                    )
            if problems:
                raise InputError(problems)
            if org is None:
                org = self._default_organisation(s, agency)
            user = db.User(
                username=username,
                password_hash=(hasher(fast=True) if published_password else self._hasher).hash(password),
                agency=agency,
                organisation_id=org.id,
                role=role,
                created_at=self.clock(),
            )
            s.add(user)
            s.flush()
            info = UserInfo(user.id, username, agency, role)
            self._audit(
                s,
                by,
                "add_user",
                record=f"user:{user.id}",
                username=username,
                agency=agency,
                role=role,
                organisation=org.key,
            )
            return info

    def list_users(self, by: UserInfo | None = None) -> list[dict[str, Any]]:
        assert by is not None
        _manager(by, "list users")
        with self._tx() as s:
            orgs: dict[int, str] = {i: k for i, k in s.execute(select(db.Organisation.id, db.Organisation.key))}
            rows = s.execute(select(db.User).order_by(db.User.username)).scalars()
            return [
                {
                    "username": u.username,
                    "agency": u.agency,
                    "organisation": orgs.get(u.organisation_id) if u.organisation_id else u.agency,
                    "role": u.role,
                    "disabled": u.disabled,
                    "failed_logins": u.failed_logins,
                    "sso": u.oidc_subject is not None,
                }
                for u in rows
            ]

    def disable_user(self, username: str, by: UserInfo | None = None) -> None:
        """Disable an account: its open sessions are refused on their next call, at once."""
        assert by is not None
        _manager(by, "disable users")
        with self._tx() as s:
            user = s.execute(select(db.User).where(db.User.username == username)).scalar_one_or_none()
            if user is None:
                raise InputError([_no_user(username)])
            user.disabled = True
            self._audit(s, by, "disable_user", record=f"user:{user.id}")

    def enable_user(self, username: str, by: UserInfo | None = None) -> None:
        """Re-enable a disabled account (disabled by mistake, or back from leave): it may sign in again."""
        assert by is not None
        _manager(by, "enable users")
        with self._tx() as s:
            user = s.execute(select(db.User).where(db.User.username == username)).scalar_one_or_none()
            if user is None:
                raise InputError([_no_user(username)])
            if not user.disabled:
                raise InputError(
                    [problem("user_not_disabled", "username", f"username: {username} is not disabled", value=username)]
                )
            user.disabled = False
            self._audit(s, by, "enable_user", record=f"user:{user.id}")

    def is_demo(self) -> bool:
        """True when this database holds the synthetic demo (its accounts have a published password)."""
        with self._read() as s:
            return s.get(db.DeploymentMark, "demo") is not None

    def mark_demo(self, by: UserInfo | None = None) -> None:
        """Mark the database as a demo; only the system actor that loads the demo does this."""
        assert by is not None
        if by.role != "system":
            raise PermissionDenied("only the system actor loading the demo may mark a database as a demo")
        with self._tx() as s:
            if s.get(db.DeploymentMark, "demo") is None:
                s.add(db.DeploymentMark(name="demo", value="synthetic demo data", set_at=self.clock()))
                self._audit(s, by, "mark_demo")

    def authenticate(self, username: str, password: str, client: str | None = None) -> UserInfo:
        """A signed session for the user, or AuthError.

        `client` is the caller's network address (the app passes it). Failures are counted per (username,
        client) pair, per client and per account; a wrong password and an unknown username get the same answer,
        the same counting and about the same time, and nobody can lock an account for other clients at will.
        The typed username is never kept in the audit trail (it may be a password typed in the wrong field).
        """
        pair = keyed_name(self._key, "pair", f"{client or '-'}|{username}")
        client_key = keyed_name(self._key, "client", client or "-")
        now = self.clock()
        with self._read() as s:
            row = s.execute(select(db.User).where(db.User.username == username)).scalar_one_or_none()
            wait = self._lock_wait(s, [pair, client_key], row, now)
        if wait:
            self._login_refused(row, client_key, "locked")
            raise AuthError(f"too many failed attempts; try again in {wait} seconds", "locked", wait)
        stored = row.password_hash if row is not None else None
        correct = check_password(self._hasher, stored or self._dummy_hash(), password) and stored is not None
        refused: AuthError | None = None
        with self._tx() as s:
            now = self.clock()
            if correct and row is not None:
                user = s.execute(select(db.User).where(db.User.id == row.id).with_for_update()).scalar_one()
                wait = self._lock_wait(s, [pair, client_key], user, now, for_update=True)
                if wait:  # locked by parallel attempts while the password was being checked
                    refused = AuthError(f"too many failed attempts; try again in {wait} seconds", "locked", wait)
                    self._audit(s, None, "login_refused", record=f"user:{user.id}", why="locked", client=client_key)
                elif user.disabled:
                    refused = AuthError("this account is disabled", "disabled")
                    self._audit(s, None, "login_refused", record=f"user:{user.id}", why="disabled", client=client_key)
                else:
                    s.execute(delete(db.LoginThrottle).where(db.LoginThrottle.key == pair))
                    user.failed_logins, user.locked_until = 0, None
                    info = self._issue(user)
                    self._audit(s, info, "login", client=client_key)
            else:
                refused = self._count_failure(s, row, pair, client_key, now)
        if refused is not None:
            raise refused
        return info

    def _dummy_hash(self) -> str:
        """A hash made with the same settings, checked when there is no account: no timing hint."""
        if getattr(self, "_dummy", None) is None:
            self._dummy: str | None = self._hasher.hash(secrets.token_urlsafe(16))
        assert self._dummy is not None
        return self._dummy

    def _lock_wait(
        self, s: Session, keys: list[str], user: db.User | None, now: datetime, for_update: bool = False
    ) -> int:
        """Seconds until every lock on this attempt has passed (0: none)."""
        q = select(db.LoginThrottle.locked_until).where(db.LoginThrottle.key.in_(keys))
        until = [u for u in s.execute(q.with_for_update() if for_update else q).scalars() if u is not None]
        if user is not None and user.locked_until is not None:
            until.append(user.locked_until)
        latest = max(until, default=None)
        return int((latest - now).total_seconds()) + 1 if latest is not None and latest > now else 0

    def _count(self, s: Session, key: str, free: int, now: datetime) -> timedelta | None:
        """One more failure for `key`, atomically; the lock it now earns, if any."""
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        t = db.LoginThrottle
        stmt = (
            insert(t)
            .values(key=key, failures=1, last_failure_at=now, locked_until=None)
            .on_conflict_do_update(
                index_elements=[t.key],
                set_={
                    "failures": case((t.last_failure_at < now - FAILURE_WINDOW, 1), else_=t.failures + 1),
                    "last_failure_at": now,
                },
            )
            .returning(t.failures)
        )
        failures = int(s.execute(stmt).scalar_one())
        lock = lock_after(failures, free)
        if lock:
            s.execute(
                update(t)
                .where(t.key == key, or_(t.locked_until.is_(None), t.locked_until < now + lock))
                .values(locked_until=now + lock)
            )
        return lock

    def _count_failure(self, s: Session, row: db.User | None, pair: str, client_key: str, now: datetime) -> AuthError:
        locks = [self._count(s, pair, FREE_ATTEMPTS, now), self._count(s, client_key, CLIENT_FREE_ATTEMPTS, now)]
        record = None
        if row is not None:
            failures = s.execute(
                update(db.User)
                .where(db.User.id == row.id)
                .values(failed_logins=db.User.failed_logins + 1)
                .returning(db.User.failed_logins)
            ).scalar_one()
            account_lock = lock_after(failures, ACCOUNT_FREE_ATTEMPTS)
            if account_lock:
                s.execute(update(db.User).where(db.User.id == row.id).values(locked_until=now + account_lock))
            locks.append(account_lock)
            record = f"user:{row.id}"
        s.execute(
            delete(db.LoginThrottle).where(
                db.LoginThrottle.last_failure_at < now - FORGET_FAILURES,
                or_(db.LoginThrottle.locked_until.is_(None), db.LoginThrottle.locked_until < now),
            )
        )
        self._audit(s, None, "login_failed", record=record, client=client_key)
        lock = max((x for x in locks if x), default=None)
        if lock:
            wait = int(lock.total_seconds())
            return AuthError(
                f"wrong username or password; too many failed attempts, try again in {wait} seconds", "locked", wait
            )
        return AuthError("wrong username or password")

    def _login_refused(self, row: db.User | None, client_key: str, why: str) -> None:
        with self._tx() as s:
            record = f"user:{row.id}" if row is not None else None
            self._audit(s, None, "login_refused", record=record, why=why, client=client_key)

    def user_from_claims(self, claims: dict[str, Any], mapping: ClaimMapping | None = None) -> UserInfo:
        """Sign in through OpenID Connect: find or create the user of the token, with agency and role from claims."""
        try:
            subject, username, agency, role = (mapping or ClaimMapping()).map(claims)
        except ValueError as e:
            raise AuthError(str(e), "claims") from None
        with self._tx() as s:
            user = s.execute(select(db.User).where(db.User.oidc_subject == subject)).scalar_one_or_none()
            if user is None:
                user = db.User(
                    username=f"{username}",
                    password_hash=None,
                    agency=agency,
                    role=role,
                    oidc_subject=subject,
                    created_at=self.clock(),
                )
                if s.execute(select(db.User.id).where(db.User.username == username)).first():
                    user.username = f"{username}#{subject[:8]}"
                s.add(user)
                s.flush()
                self._audit(s, None, "add_user", record=f"user:{user.id}", via="oidc", agency=agency, role=role)
            elif user.disabled:
                raise AuthError("this account is disabled", "disabled")
            else:
                user.agency, user.role = agency, role  # the identity provider is the source of truth
            info = self._issue(user)
            self._audit(s, info, "login", via="oidc")
            return info
