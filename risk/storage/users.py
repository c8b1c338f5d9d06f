"""Accounts: single-site users with argon2 passwords and throttled logins, or OpenID Connect claims."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from risk.errors import InputError
from risk.storage import schema as db
from risk.storage.accounts import ClaimMapping, UserInfo, account_problems, check_password, lock_after
from risk.storage.base import (
    AuthError,
    PermissionDenied,
    StoreBase,
)


class UsersMixin(StoreBase):
    def add_user(
        self,
        username: str,
        password: str,
        agency: str,
        role: str,
        by: UserInfo | None = None,
        organisation: str | None = None,
    ) -> UserInfo:
        """Create an account (from the command line, or by an admin in the app).

        `organisation`: the key of the user's organisation or unit, of the same agency; default the agency's
        default organisation."""
        problems = account_problems(username, password, agency, role)
        if by is not None and by.role != "admin":
            raise PermissionDenied("only an admin may add users")
        with self._tx() as s:
            if s.execute(select(db.User.id).where(db.User.username == username)).first():
                problems.append(f"username: {username!r} is already taken")
            org = None
            if organisation is not None and organisation != agency:  # the agency's own key: its default
                org = s.execute(select(db.Organisation).where(db.Organisation.key == organisation)).scalar_one_or_none()
                if org is None or org.agency != agency:
                    problems.append(f"organisation: {organisation!r} is not an organisation of {agency}")
            if problems:
                raise InputError(problems)
            if org is None:
                org = self._default_organisation(s, agency)
            user = db.User(
                username=username,
                password_hash=self._hasher.hash(password),
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
        if by is not None and by.role != "admin":
            raise PermissionDenied("only an admin may list users")
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
        if by is not None and by.role != "admin":
            raise PermissionDenied("only an admin may disable users")
        with self._tx() as s:
            user = s.execute(select(db.User).where(db.User.username == username)).scalar_one_or_none()
            if user is None:
                raise InputError([f"username: no user {username!r}"])
            user.disabled = True
            self._audit(s, by, "disable_user", record=f"user:{user.id}")

    def authenticate(self, username: str, password: str) -> UserInfo:
        """The user, or AuthError. Failed attempts are counted; after five the account is locked for a while."""
        refused: AuthError | None = None
        with self._tx() as s:  # committed also on failure: the count and the audit entry must stay
            user = s.execute(select(db.User).where(db.User.username == username)).scalar_one_or_none()
            now = self.clock()
            if user is None:
                self._hasher.hash(password)  # same work as a real check: no timing hint that the name is free
                self._audit(s, None, "login_failed", record=None, username=username, why="unknown user")
                refused = AuthError("wrong username or password")
            elif user.locked_until is not None and user.locked_until > now:
                wait = int((user.locked_until - now).total_seconds()) + 1
                self._audit(s, None, "login_refused", record=f"user:{user.id}", why="locked")
                refused = AuthError(f"too many failed attempts; try again in {wait} seconds", "locked", wait)
            elif user.disabled or not check_password(self._hasher, user.password_hash, password):
                user.failed_logins += 1
                lock = lock_after(user.failed_logins)
                user.locked_until = now + lock if lock else None
                self._audit(s, None, "login_failed", record=f"user:{user.id}", failures=user.failed_logins)
                if user.disabled:
                    refused = AuthError("this account is disabled", "disabled")
                elif lock:
                    wait = int(lock.total_seconds())
                    refused = AuthError(
                        f"wrong username or password; too many failed attempts, try again in {wait} seconds",
                        "locked",
                        wait,
                    )
                else:
                    refused = AuthError("wrong username or password")
            else:
                user.failed_logins, user.locked_until = 0, None
                info = UserInfo(user.id, user.username, user.agency, user.role)
                self._audit(s, info, "login")
        if refused is not None:
            raise refused
        return info

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
            info = UserInfo(user.id, user.username, user.agency, user.role)
            self._audit(s, info, "login", via="oidc")
            return info
