"""Passwords (argon2), login throttling and identity-provider claims → agency and role."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from risk.errors import InputError, Problem, problem
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


PASSWORD_HASH_ENV = "SAMRISK_PASSWORD_HASH"
# argon2id's cost: m memory in KiB, t passes, p lanes. The default is argon2-cffi's, RFC 9106's second recommended
# option (64 MiB, 3 passes, 4 lanes). A deployment may set its own, never below OWASP's minimum for argon2id
# (Password Storage Cheat Sheet: "a minimum configuration of 19 MiB of memory, an iteration count of 2, and 1
# degree of parallelism"), nor above what a sign-in can afford.
DEFAULT_PASSWORD_HASH = {"m": 65536, "t": 3, "p": 4}
OWASP_MINIMUM = {"m": 19456, "t": 2, "p": 1}
PASSWORD_HASH_MAXIMUM = {"m": 1048576, "t": 10, "p": 16}
_HASH_SETTING = re.compile(r"^\s*([mtp])\s*=\s*(\d{1,8})\s*$")


def password_hash_parameters() -> dict[str, int]:
    """argon2id's parameters for new passwords: SAMRISK_PASSWORD_HASH (e.g. "m=19456,t=2,p=1"), else the default.
    InputError naming the setting for a value that cannot be read or is below OWASP's minimum."""
    raw = os.environ.get(PASSWORD_HASH_ENV, "").strip()
    if not raw:
        return dict(DEFAULT_PASSWORD_HASH)
    example = ",".join(f"{k}={v}" for k, v in OWASP_MINIMUM.items())
    found: dict[str, int] = {}
    for part in raw.split(","):
        matched = _HASH_SETTING.match(part)
        if matched is None or matched[1] in found:
            raise InputError(
                [
                    problem(
                        "settings.password_hash_unreadable",
                        PASSWORD_HASH_ENV,
                        f"{PASSWORD_HASH_ENV}: {raw!r}; give m (KiB), t and p once each, e.g. {example}",
                        setting=PASSWORD_HASH_ENV,
                        value=raw,
                        example=example,
                    )
                ]
            )
        found[matched[1]] = int(matched[2])
    problems: list[Problem] = [
        problem(
            "settings.password_hash_missing",
            PASSWORD_HASH_ENV,
            f"{PASSWORD_HASH_ENV}: {k} is missing, e.g. {example}",
            part=k,
            setting=PASSWORD_HASH_ENV,
            example=example,
        )
        for k in OWASP_MINIMUM
        if k not in found
    ]
    problems += [
        problem(
            "settings.password_hash_weak",
            PASSWORD_HASH_ENV,
            f"{PASSWORD_HASH_ENV}: {k}={found[k]} is below OWASP's minimum for argon2id ({example}); "
            "a weaker hash makes stolen password hashes easier to crack",
            part=k,
            value=found[k],
            setting=PASSWORD_HASH_ENV,
            example=example,
        )
        for k, least in OWASP_MINIMUM.items()
        if k in found and found[k] < least
    ]
    problems += [
        problem(
            "settings.password_hash_too_costly",
            PASSWORD_HASH_ENV,
            f"{PASSWORD_HASH_ENV}: {k}={found[k]} is more than {most}: every sign-in would wait for it",
            part=k,
            value=found[k],
            most=most,
            setting=PASSWORD_HASH_ENV,
        )
        for k, most in PASSWORD_HASH_MAXIMUM.items()
        if k in found and found[k] > most
    ]
    if problems:
        raise InputError(problems)
    return found


def hasher(fast: bool = False) -> PasswordHasher:
    """argon2id with the deployment's parameters (password_hash_parameters); `fast` only for tests, where hundreds
    of users are made, and for the synthetic demo's published password. A stored hash names its own parameters,
    so a hash made under other settings still verifies; it keeps them until the password is next set."""
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    cost = password_hash_parameters()
    return PasswordHasher(time_cost=cost["t"], memory_cost=cost["m"], parallelism=cost["p"])


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


def account_problems(username: str, password: str | None, agency: str, role: str) -> list[Problem]:
    problems = []
    if not username.strip():
        problems.append(problem("username_missing", "username", "username: must not be empty"))
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(
            problem(
                "password_short",
                "password",
                f"password: use at least {MIN_PASSWORD} characters (a passphrase is best)",
                least=MIN_PASSWORD,
            )
        )
    if agency not in {a.value for a in Agency}:
        problems.append(
            problem(
                "agency_unknown",
                "agency",
                f"agency: {agency!r} is not an agency; allowed: {', '.join(a.value for a in Agency)}",
                value=agency,
            )
        )
    if role not in ROLES:
        problems.append(
            problem("role_unknown", "role", f"role: {role!r} is not a role; allowed: {', '.join(ROLES)}", value=role)
        )
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
