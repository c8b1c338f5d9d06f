"""Browser sessions: a refresh (a new Streamlit session) signs the user in again from a signed cookie.

The cookie is a bearer credential, so everything is decided here, on the server: the row must exist (sign-out
deletes it), the browser must have been active within the deployment's idle timeout, the session must not be
older than its lifetime, the account must be enabled and its password unchanged. A resumed session gets a fresh
Store token, as a sign-in does, and is audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from risk.storage import schema as db
from risk.storage.accounts import UserInfo
from risk.storage.base import AuthError, StoreBase
from risk.storage.identity import credential_digest, issue_cookie, read_cookie

TOUCH_EVERY = timedelta(minutes=1)  # last_seen is written at most this often: no write per click


class BrowserSessionsMixin(StoreBase):
    def start_browser_session(self, user: UserInfo) -> str:
        """A cookie value that signs this user in again after a refresh, until sign-out, idle time or expiry."""
        now = self.clock()
        expires = now + self._session_lifetime
        cookie, digest = issue_cookie(self._key, expires)
        with self._tx() as s:
            row = s.get(db.User, user.id)
            assert row is not None  # resolved by the guard
            s.add(
                db.BrowserSession(
                    digest=digest,
                    user_id=row.id,
                    credential=credential_digest(row.password_hash, row.oidc_subject),
                    created_at=now,
                    last_seen=now,
                    expires_at=expires,
                )
            )
            self._audit(s, user, "browser_session_start")
        return cookie

    def resume_browser_session(self, cookie: str, idle: timedelta, client: str | None = None) -> UserInfo:
        """The user a browser's cookie stands for, with a fresh session; AuthError ("session", or "idle" when
        the browser was idle too long, or "disabled") otherwise. A refused cookie's row is deleted."""
        now = self.clock()
        digest = read_cookie(self._key, cookie, now)
        if digest is None:
            self._identity_refused(None, "browser cookie not signed by this deployment, or expired")
        with self._tx() as s:
            row = s.execute(select(db.BrowserSession).where(db.BrowserSession.digest == digest)).scalar_one_or_none()
            user = s.get(db.User, row.user_id) if row is not None else None
            why = _refusal(row, user, idle, now)
            if why is not None or user is None or row is None:
                if row is not None:
                    s.delete(row)
                self._audit(
                    s, None, "identity_refused", record=f"user:{row.user_id}" if row else None, why=why or "no row"
                )
            else:
                row.last_seen = now
                info = self._issue(user)
                self._audit(s, info, "browser_session_resume", client=client)
                return info
        reason = "idle" if why == "idle" else "disabled" if why == "account disabled" else "session"
        raise AuthError("the browser session is not valid; sign in again", reason)

    def touch_browser_session(self, user: UserInfo, cookie: str) -> None:
        """Activity: the idle time counts from now (written at most once a minute). Only the owner's cookie."""
        now = self.clock()
        with self._tx() as s:
            row = self._own_row(s, user, cookie)
            if row is not None and now - row.last_seen >= TOUCH_EVERY:
                row.last_seen = now

    def end_browser_session(self, cookie: str) -> None:
        """Sign-out: the cookie opens nothing any more, wherever a copy of it is."""
        digest = read_cookie(self._key, cookie, self.clock())
        if digest is None:
            return
        with self._tx() as s:
            row = s.execute(select(db.BrowserSession).where(db.BrowserSession.digest == digest)).scalar_one_or_none()
            if row is not None:
                s.execute(delete(db.BrowserSession).where(db.BrowserSession.id == row.id))
                self._audit(s, None, "browser_session_end", record=f"user:{row.user_id}")

    def _own_row(self, s: Session, user: UserInfo, cookie: str) -> db.BrowserSession | None:
        digest = read_cookie(self._key, cookie, self.clock())
        if digest is None:
            return None
        return s.execute(
            select(db.BrowserSession).where(db.BrowserSession.digest == digest, db.BrowserSession.user_id == user.id)
        ).scalar_one_or_none()


def _refusal(row: db.BrowserSession | None, user: db.User | None, idle: timedelta, now: datetime) -> str | None:
    """Why a browser session may not resume, or None."""
    if row is None or user is None:
        return "no such browser session (signed out)"
    if row.expires_at <= now:
        return "browser session expired"
    if now - row.last_seen > idle:
        return "idle"
    if user.disabled:
        return "account disabled"
    if row.credential != credential_digest(user.password_hash, user.oidc_subject):
        return "password changed since"
    return None
