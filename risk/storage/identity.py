"""Who is calling: signed, expiring session tokens, the deployment's secret key, and keyed client names.

A `UserInfo` is only a description; what the Store believes is its `token`, an HMAC over the user id and an
expiry that only `authenticate`, the identity-provider mapping and `system_actor` issue. Every Store call checks
the token and then reads role and agency from the user's row, so a hand-made or edited `UserInfo` is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from risk.errors import InputError, problem

SECRET_KEY_ENV = "SAMRISK_SECRET_KEY"
PRODUCTION_ENV = "SAMRISK_PRODUCTION"
SESSION_HOURS_ENV = "SAMRISK_SESSION_HOURS"
SECRET_KEY_FILE = "secret.key"
MIN_SECRET_CHARS = 32
DEFAULT_SESSION = timedelta(hours=12)
SYSTEM_SESSION = timedelta(hours=1)
SYSTEM_ID = 0  # the system actor has no row in users; no row ever gets id 0
_PURPOSE = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")


def production() -> bool:
    """SAMRISK_PRODUCTION set to anything but empty/0/false: no demo data, no generated secret key."""
    return os.environ.get(PRODUCTION_ENV, "").strip().lower() not in ("", "0", "false", "no")


def secret_key(data_dir: Path) -> bytes:
    """SAMRISK_SECRET_KEY, or (outside production) a random key generated once into the data folder."""
    configured = os.environ.get(SECRET_KEY_ENV, "")
    if configured:
        if len(configured) < MIN_SECRET_CHARS:
            raise InputError(
                [
                    problem(
                        "settings.secret_key_short",
                        SECRET_KEY_ENV,
                        f"{SECRET_KEY_ENV}: use at least {MIN_SECRET_CHARS} random characters",
                        setting=SECRET_KEY_ENV,
                        least=MIN_SECRET_CHARS,
                    )
                ]
            )
        return configured.encode()
    if production():
        raise InputError(
            [
                problem(
                    "settings.secret_key_missing",
                    SECRET_KEY_ENV,
                    f"{SECRET_KEY_ENV}: must be set when {PRODUCTION_ENV} is set (e.g. `python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))'`)",
                    setting=SECRET_KEY_ENV,
                    production=PRODUCTION_ENV,
                    least=MIN_SECRET_CHARS,
                )
            ]
        )
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # appears whole or not at all; a concurrent first start keeps the first key
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_SECRET_CHARS:
        raise InputError(
            [
                problem(
                    "settings.secret_key_file_short",
                    SECRET_KEY_ENV,
                    f"{path}: the secret key file is shorter than {MIN_SECRET_CHARS} characters; remove it",
                    path=str(path),
                    least=MIN_SECRET_CHARS,
                )
            ]
        )
    return key.encode()


def session_lifetime() -> timedelta:
    raw = os.environ.get(SESSION_HOURS_ENV, "")
    if not raw:
        return DEFAULT_SESSION
    try:
        hours = float(raw)
    except ValueError:
        hours = 0
    if not 0 < hours <= 24 * 7:
        raise InputError(
            [
                problem(
                    "settings.session_hours",
                    SESSION_HOURS_ENV,
                    f"{SESSION_HOURS_ENV}: {raw!r}; give hours between 0 and 168, e.g. 12",
                    setting=SESSION_HOURS_ENV,
                    value=raw,
                    most=24 * 7,
                )
            ]
        )
    return timedelta(hours=hours)


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says: a user id (or the system actor's purpose) and when it stops being valid."""

    user_id: int
    purpose: str | None  # set only for the system actor
    expires: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _sign(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, f"samrisk-session|{body}".encode(), hashlib.sha256).digest())


def issue_token(key: bytes, user_id: int, expires: datetime, purpose: str | None = None) -> str:
    """`v1.<user id>.<purpose or ->.<expiry, epoch microseconds>.<nonce>.<signature>`."""
    if purpose is not None and not _PURPOSE.match(purpose):
        raise InputError([f"system actor: {purpose!r}; use lower-case letters, digits, - and _"])
    stamp = int((expires - datetime(1970, 1, 1)).total_seconds() * 1_000_000)
    body = f"v1.{user_id}.{purpose or '-'}.{stamp}.{secrets.token_urlsafe(12)}"
    return f"{body}.{_sign(key, body)}"


def read_token(key: bytes, token: str, now: datetime) -> TokenClaims | None:
    """The claims of a token this deployment signed and that has not expired; None for anything else."""
    if not isinstance(token, str) or token.count(".") != 5:
        return None
    body, signature = token.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(key, body)):
        return None
    _, raw_id, purpose, stamp, _nonce = body.split(".")
    try:
        user_id = int(raw_id)
        expires = datetime(1970, 1, 1) + timedelta(microseconds=int(stamp))
    except ValueError:
        return None
    if expires <= now:
        return None
    return TokenClaims(user_id, None if purpose == "-" else purpose, expires)


def keyed_name(key: bytes, kind: str, value: str) -> str:
    """A stable pseudonym for a client address or a typed username: throttling rows and the audit never hold
    the text itself (a password typed into the username field must not be kept)."""
    return f"{kind}:" + hmac.new(key, f"samrisk-{kind}|{value}".encode(), hashlib.sha256).hexdigest()[:32]


COOKIE_VERSION = "c1"


def issue_cookie(key: bytes, expires: datetime) -> tuple[str, str]:
    """A browser-session cookie and the digest its row is kept under: `c1.<secret>.<expiry>.<signature>`.

    The secret is random (256 bits); the database keeps only its digest, so a copy of the database opens no
    browser. The signature makes a tampered or invented cookie fail before any database read."""
    secret = secrets.token_urlsafe(32)
    stamp = int((expires - datetime(1970, 1, 1)).total_seconds())
    body = f"{COOKIE_VERSION}.{secret}.{stamp}"
    return f"{body}.{_sign(key, 'cookie|' + body)}", cookie_digest(secret)


def cookie_digest(secret: str) -> str:
    return hashlib.sha256(f"samrisk-browser|{secret}".encode()).hexdigest()


def read_cookie(key: bytes, cookie: str, now: datetime) -> str | None:
    """The digest of the row a valid, unexpired cookie of this deployment points to; None for anything else."""
    if not isinstance(cookie, str) or len(cookie) > 200 or cookie.count(".") != 3:
        return None
    body, signature = cookie.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(key, "cookie|" + body)):
        return None
    version, secret, stamp = body.split(".")
    try:
        expires = datetime(1970, 1, 1) + timedelta(seconds=int(stamp))
    except (ValueError, OverflowError):
        return None
    if version != COOKIE_VERSION or expires <= now:
        return None
    return cookie_digest(secret)


def credential_digest(password_hash: str | None, oidc_subject: str | None) -> str:
    """What a browser session is bound to: a password change (or a new identity-provider subject) ends it."""
    return hashlib.sha256(f"samrisk-credential|{password_hash or '-'}|{oidc_subject or '-'}".encode()).hexdigest()
