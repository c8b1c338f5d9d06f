"""Reading the audit trail: filtered by user, case, action and date, one page at a time in the database.

The trail grows with every read and change, so it is never loaded whole: the database counts the matching entries
and returns only the page asked for (LIMIT/OFFSET, newest first). Who may read what is decided in access.py
(`audit_trail_scope`); the read itself is audited like every other read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from risk.errors import InputError
from risk.storage import schema as db
from risk.storage.access import audit_trail_scope
from risk.storage.accounts import UserInfo
from risk.storage.base import PermissionDenied, StoreBase

MAX_PAGE_SIZE = 200
NO_USER = ""  # the filter value for entries written without a signed-in user (failed sign-ins, refusals)


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; None means any. `until` is inclusive (the whole day, UTC)."""

    username: str | None = None
    case_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None

    def problems(self) -> list[str]:
        if self.since is not None and self.until is not None and self.since > self.until:
            return [f"since: {self.since} is after until: {self.until}; give a from-date on or before the to-date"]
        if self.case_id is not None and self.case_id < 1:
            return [f"case_id: {self.case_id}; give a case number (1 or more)"]
        return []

    def detail(self) -> dict[str, Any]:
        """The filter as the audit entry of the read records it (the case has the entry's own column)."""
        return {k: str(v) for k, v in vars(self).items() if v is not None and k != "case_id"}


@dataclass
class AuditPage:
    entries: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    page: int = 1
    page_size: int = 50
    up_to: int = 0  # the newest entry id these pages cover: pass it back for the next page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _where(q: Select[Any], f: AuditFilter) -> Select[Any]:
    e = db.AuditEntry
    if f.username is not None:
        q = q.where(e.username.is_(None) if f.username == NO_USER else e.username == f.username)
    if f.case_id is not None:
        q = q.where(e.case_id == f.case_id)
    if f.action is not None:
        q = q.where(e.action == f.action)
    # `at` is ISO text in UTC (base.py `_entry`), so text order is time order and a date is a prefix
    if f.since is not None:
        q = q.where(e.at >= f.since.isoformat())
    if f.until is not None:
        q = q.where(e.at < (f.until + timedelta(days=1)).isoformat())
    return q


class AuditTrailMixin(StoreBase):
    def audit_trail(
        self,
        user: UserInfo,
        filters: AuditFilter | None = None,
        page: int = 1,
        page_size: int = 50,
        up_to: int | None = None,
    ) -> AuditPage:
        """One page of the audit entries that match `filters`, newest first, with how many match in all.

        Reading the trail adds to it, so pages are cut from the entries up to `up_to` (the `up_to` of the first
        page's answer; default the newest entry): turning a page never shows an entry twice or skips one.
        An admin reads the whole trail; a case worker or coordinator only a case they may open (give `case_id`).
        Entries say who did what to which record and when, never case content."""
        f = filters or AuditFilter()
        problems = f.problems()
        if problems:
            raise InputError(problems)
        page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
        with self._tx() as s:
            scope = audit_trail_scope(self._viewer(s, user))
            if scope is None:
                raise PermissionDenied(f"a {user.role} does not read the audit trail")
            if scope == "case":
                if f.case_id is None:
                    raise PermissionDenied("only an admin may read the whole audit trail; give a case")
                self._open_case(s, user, f.case_id)
            if up_to is None:
                up_to = int(s.execute(select(func.coalesce(func.max(db.AuditEntry.id), 0))).scalar_one())
            upto = db.AuditEntry.id <= up_to
            total = s.execute(_where(select(func.count()).select_from(db.AuditEntry), f).where(upto)).scalar_one()
            rows = s.execute(
                _where(select(db.AuditEntry), f)
                .where(upto)
                .order_by(db.AuditEntry.id.desc())
                .offset((page - 1) * page_size)
                .limit(page_size)
            ).scalars()
            entries = [
                {
                    "id": r.id,
                    "at": r.at,
                    "username": r.username,
                    "agency": r.agency,
                    "action": r.action,
                    "case_id": r.case_id,
                    "record": r.record,
                }
                for r in rows
            ]
            self._audit_read(s, user, "read_audit", f.case_id, page=page, filter=f.detail())
            return AuditPage(entries, total, page, page_size, up_to)
