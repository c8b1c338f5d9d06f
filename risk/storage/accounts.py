"""Passwords (argon2), login throttling and identity-provider claims → agency and role."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from risk.storage.access import ROLES
from risk.vocabulary import Agency

FREE_ATTEMPTS = 5  # per (username, client): then that client waits for that account
CLIENT_FREE_ATTEMPTS = 20  # per client, over all usernames: then the client waits for every account
ACCOUNT_FREE_ATTEMPTS = 100  # per account, over all clients: a brake on guessing from many addresses
FAILURE_WINDOW = timedelta(hours=1)  # a count starts again after this long without a failure
MAX_LOCK = timedelta(minutes=15)
MIN_PASSWORD = 12


@dataclass(frozen=True)
class UserInfo:
    """The signed-in user every Store call acts for.

    The fields describe the user for pages; the Store trusts only `token` (signed, expiring; see identity.py) and
    re-reads role and agency from the database on every call. A UserInfo made or edited by hand is refused.
    """

    id: int
    username: str
    agency: str
    role: str
    token: str = field(default="", repr=False, compare=False, kw_only=True)


def hasher(fast: bool = False) -> PasswordHasher:
    """argon2id; `fast` only for tests, where hundreds of users are made."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()


def check_password(ph: PasswordHasher, stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def lock_after(failures: int, free: int = FREE_ATTEMPTS) -> timedelta | None:
    """Failed logins are slowed down: after `free` failures, a lock that doubles, up to MAX_LOCK."""
    if failures < free:
        return None
    return min(timedelta(seconds=30 * 2 ** min(failures - free, 10)), MAX_LOCK)


def account_problems(username: str, password: str | None, agency: str, role: str) -> list[str]:
    problems = []
    if not username.strip():
        problems.append("username: must not be empty")
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(f"password: use at least {MIN_PASSWORD} characters (a passphrase is best)")
    if agency not in {a.value for a in Agency}:
        problems.append(f"agency: {agency!r} is not an agency; allowed: {', '.join(a.value for a in Agency)}")
    if role not in ROLES:
        problems.append(f"role: {role!r} is not a role; allowed: {', '.join(ROLES)}")
    return problems


@dataclass(frozen=True)
class ClaimMapping:
    """How an OpenID Connect identity provider's claims name the user, agency and role."""

    username_claim: str = "preferred_username"
    agency_claim: str = "samrisk_agency"
    role_claim: str = "samrisk_role"
    role_values: Mapping[str, str] | None = None  # provider role value → Samrisk role, if they differ

    def map(self, claims: Mapping[str, Any]) -> tuple[str, str, str, str]:
        """(subject, username, agency, role); ValueError naming the claim that is missing or wrong."""
        subject = str(claims.get("sub") or "")
        if not subject:
            raise ValueError("the identity token has no 'sub' claim")
        username = str(claims.get(self.username_claim) or claims.get("email") or subject)
        agency = str(claims.get(self.agency_claim) or "")
        raw_role = claims.get(self.role_claim)
        if isinstance(raw_role, list):
            raw_role = next((r for r in raw_role if (self.role_values or {}).get(r, r) in ROLES), None)
        role = (self.role_values or {}).get(str(raw_role), str(raw_role or ""))
        problems = account_problems(username, None, agency, role)
        if problems:
            raise ValueError(f"identity provider claims cannot be mapped: {'; '.join(problems)}")
        return subject, username, agency, role


def now_utc() -> datetime:
    from datetime import UTC

    return datetime.now(UTC).replace(tzinfo=None)
