"""The foundation of the Store: engine, one transaction per call, the audit chain, and opening a case.

Access control lives in this layer, not in the pages: every read and write opens the case through
`_open_case`, and every call writes a hash-chained audit entry in its own transaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from risk.errors import InputError
from risk.storage import schema as db
from risk.storage.access import (
    CaseAccess,
    ConcernFact,
    ConsentFact,
    Org,
    ShareFact,
    Viewer,
    assessment_basis,
    can_open_case,
)
from risk.storage.accounts import UserInfo, hasher, now_utc
from risk.storage.audit import GENESIS, HASHED, canonical, entry_hash, verify
from risk.storage.identity import SYSTEM_ID, SYSTEM_SESSION, issue_token, read_token, secret_key, session_lifetime
from risk.storage.migrate import upgrade

DEFAULT_DATA_DIR = Path(os.environ.get("SAMRISK_DATA_DIR", "var"))
READ_ONLY = "samrisk_read_only"  # execution option: a transaction that only reads (SQLite: no write lock)


class AuthError(Exception):
    """Wrong username or password, a disabled account, too many failed attempts, or unusable identity claims.

    `reason` (wrong_credentials, locked, disabled, claims, session) and `wait_seconds` let a page say it in the
    user's language; the message is the English wording for logs and the command line. `session`: the caller of
    a Store call is not signed in, or its session is forged, edited or expired.
    """

    def __init__(self, message: str, reason: str = "wrong_credentials", wait_seconds: int | None = None):
        super().__init__(message)
        self.reason = reason
        self.wait_seconds = wait_seconds


class PermissionDenied(Exception):
    """The user's agency and role give no access to this record."""


class NotFound(Exception):
    """No such case or record (also raised where telling would reveal that a case exists)."""


class ConflictError(Exception):
    """A save based on an older version: the newer version wins, the refused save is kept beside it."""

    def __init__(self, message: str, latest_version: int, kept_id: int):
        super().__init__(message)
        self.latest_version = latest_version
        self.kept_id = kept_id


def database_url(url: str | None = None) -> str:
    """The one setting: SAMRISK_DATABASE_URL (any SQLAlchemy URL); unset means a local SQLite file."""
    url = url or os.environ.get("SAMRISK_DATABASE_URL")
    if url:
        return url
    DEFAULT_DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DATA_DIR / 'samrisk.sqlite3'}"


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _: Any) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below decide
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")  # a reader does not wait for, or hold up, the one writer
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # one writer at a time: no lost update, no deadlock

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


class StoreBase:
    """Connection, transactions, audit and access checks shared by every part of the Store."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime] = now_utc,
        fast_hashing: bool = False,
        key: bytes | None = None,
    ):
        self.engine = engine
        self.clock = clock
        self._hasher = hasher(fast_hashing)
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._read_session = sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
        self._key = key if key is not None else secret_key(DEFAULT_DATA_DIR)
        self._session_lifetime = session_lifetime()

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        clock: Callable[[], datetime] = now_utc,
        fast_hashing: bool = False,
        key: bytes | None = None,
    ) -> Self:
        """Open (and migrate to the latest schema) the database of `url`, or the default SQLite file.

        `key` signs sessions; by default SAMRISK_SECRET_KEY, or a key generated into the data folder (identity.py).
        """
        store_key = key if key is not None else secret_key(DEFAULT_DATA_DIR)  # a bad key fails before migrating
        engine = _make_engine(database_url(url))
        with engine.begin() as conn:
            upgrade(conn)
        return cls(engine, clock, fast_hashing, store_key)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._session() as s, s.begin():
            yield s

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite it takes no write lock, so it never waits behind a writer."""
        with self._read_session() as s, s.begin():
            yield s

    # --- who is calling: every public call that acts for someone resolves them here first (store.py) ---

    def _issue(self, row: db.User) -> UserInfo:
        """A session for this user row; only authenticate and the identity-provider sign-in call this."""
        token = issue_token(self._key, row.id, self.clock() + self._session_lifetime)
        return _user_info(row, token)

    def system_actor(self, purpose: str) -> UserInfo:
        """The explicit actor of command-line and maintenance work (`system:<purpose>` in the audit trail).

        It may manage accounts, apply retention and load the demo; it has no role that opens a case. The
        operating-system account that started it is kept in the audit entry.
        """
        import getpass

        token = issue_token(self._key, SYSTEM_ID, self.clock() + SYSTEM_SESSION, purpose)
        actor = UserInfo(SYSTEM_ID, f"system:{purpose}", "system", "system", token=token)
        try:
            os_user = getpass.getuser()
        except (OSError, KeyError):  # no name for this uid (e.g. in a container)
            os_user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
        with self._tx() as s:
            self._audit(s, actor, "system_actor", os_user=os_user)
        return actor

    def resolve_user(self, user: UserInfo | None) -> UserInfo:
        """The caller as the database knows them now, or AuthError: not signed in, a forged, edited or expired
        session, a removed or disabled account. Role and agency come from the row, never from the object."""
        if not isinstance(user, UserInfo) or not user.token:
            raise AuthError("not signed in: this call needs the user returned by authenticate", "session")
        claims = read_token(self._key, user.token, self.clock())
        if claims is None:
            self._identity_refused(None, "session not signed by this deployment, or expired")
        assert claims is not None
        if claims.purpose is not None:
            actor = UserInfo(SYSTEM_ID, f"system:{claims.purpose}", "system", "system", token=user.token)
            if claims.user_id != SYSTEM_ID or actor != user:
                self._identity_refused(None, "system actor edited")
            return actor
        with self._read() as s:
            row = s.get(db.User, claims.user_id)
            current = None if row is None else _user_info(row, user.token)
            disabled = row is not None and row.disabled
        if current is None or current != user:
            self._identity_refused(claims.user_id, "user object differs from the account")
        assert current is not None
        if disabled:
            self._identity_refused(
                claims.user_id, "account disabled", AuthError("this account is disabled", "disabled")
            )
        return current

    def _identity_refused(self, user_id: int | None, why: str, error: AuthError | None = None) -> None:
        """Keep the refusal in the audit trail under no name (a forged object's name is never recorded)."""
        with self._tx() as s:
            self._audit(s, None, "identity_refused", record=f"user:{user_id}" if user_id is not None else None, why=why)
        raise error or AuthError("the session is not valid; sign in again", "session")

    def _audit(
        self,
        s: Session,
        user: UserInfo | None,
        action: str,
        case_id: int | None = None,
        record: str | None = None,
        **detail: Any,
    ) -> None:
        head = s.execute(select(db.AuditHead).where(db.AuditHead.id == 1).with_for_update()).scalar_one_or_none()
        if head is None:
            head = db.AuditHead(id=1, last_id=0, last_hash=GENESIS, count=0)
            s.add(head)
            s.flush()
        new_id: int = head.last_id + 1
        fields: dict[str, Any] = {
            "id": new_id,
            "at": self.clock().isoformat(timespec="microseconds"),
            "user_id": user.id if user else None,
            "username": user.username if user else None,
            "agency": user.agency if user else None,
            "action": action,
            "case_id": case_id,
            "record": record,
            "detail": canonical(detail),
            "prev_hash": head.last_hash,
        }
        digest = entry_hash(fields)
        s.add(db.AuditEntry(**fields, hash=digest))
        head.last_id, head.last_hash, head.count = new_id, digest, head.count + 1

    def verify_audit(self) -> list[str]:
        """[] when the audit trail is intact; otherwise one line per broken or altered entry."""
        with self._tx() as s:
            rows = s.execute(select(db.AuditEntry).order_by(db.AuditEntry.id)).scalars()
            entries = ({**{k: getattr(r, k) for k in HASHED}, "hash": r.hash} for r in rows)
            head = s.get(db.AuditHead, 1)
            return verify(
                entries,
                None if head is None else {"last_id": head.last_id, "last_hash": head.last_hash, "count": head.count},
            )

    def audit_entries(self, user: UserInfo, case_id: int | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Who did what, when. Admins see all entries (not case content); others only their own case's."""
        with self._tx() as s:
            q = select(db.AuditEntry).order_by(db.AuditEntry.id.desc()).limit(limit)
            if user.role != "admin":
                if case_id is None:
                    raise PermissionDenied("only an admin may read the whole audit trail")
                self._open_case(s, user, case_id)
            if case_id is not None:
                q = q.where(db.AuditEntry.case_id == case_id)
            rows = list(s.execute(q).scalars())
            self._audit(s, user, "read_audit", case_id)
            return [
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

    def _touch(self, s: Session, case_id: int) -> None:
        case = s.get(db.Case, case_id)
        if case is not None:
            case.last_activity = self.clock()

    def _tree(self, s: Session) -> dict[int, Org]:
        """Every organisation and unit, by id: a few hundred rows at most, read once per call."""
        return {o.id: Org(o.id, o.agency, o.parent_id, o.key) for o in s.execute(select(db.Organisation)).scalars()}

    def _default_organisation(self, s: Session, agency: str) -> db.Organisation:
        """The agency's default organisation (key = the agency), made on first use."""
        org = s.execute(select(db.Organisation).where(db.Organisation.key == agency)).scalar_one_or_none()
        if org is None:
            org = db.Organisation(key=agency, agency=agency, name=agency, parent_id=None, created_at=self.clock())
            s.add(org)
            s.flush()
        return org

    def _viewer(self, s: Session, user: UserInfo) -> Viewer:
        """The user as the database knows them now: their role, agency and organisation decide, not the caller."""
        row = s.get(db.User, user.id)
        if row is None or row.disabled:
            raise PermissionDenied(f"user {user.username} is not an active account")
        org = row.organisation_id
        if org is None:
            org = self._default_organisation(s, row.agency).id
        return Viewer(row.role, row.agency, org)

    def _access(self, s: Session, case_id: int, full: bool = True) -> CaseAccess:
        """What decides access to a case; `full=False` reads only its organisations (enough to open it for a write)."""
        organisations = set(
            s.execute(
                select(db.CaseOrganisation.organisation_id).where(db.CaseOrganisation.case_id == case_id)
            ).scalars()
        )
        tree = self._tree(s)
        if not full:
            return CaseAccess(organisations, tree)
        consents = [
            ConsentFact(
                c.person,
                _org_id(c.to_organisation_id),
                _org_id(c.holder_organisation_id),
                _org_id(c.recorded_by_organisation_id),
                c.signed_reference,
                c.recorded_at,
                c.withdrawn_at,
            )
            for c in s.execute(select(db.Consent).where(db.Consent.case_id == case_id)).scalars()
        ]
        reports = [
            ConcernFact(r.child, _org_id(r.from_organisation_id), _org_id(r.to_organisation_id))
            for r in s.execute(select(db.ConcernReport).where(db.ConcernReport.case_id == case_id)).scalars()
        ]
        shares = [
            ShareFact(x.checklist, x.subject, _org_id(x.organisation_id))
            for x in s.execute(select(db.ConferenceShare).where(db.ConferenceShare.case_id == case_id)).scalars()
        ]
        return CaseAccess(organisations, tree, consents, reports, shares)

    def _open_case(self, s: Session, user: UserInfo, case_id: int, full: bool = False) -> tuple[db.Case, CaseAccess]:
        """The case if it is shared with the user's organisation; with `full`, everything needed to filter what it
        sees (`_viewer` then gives the user as the decisions need them)."""
        case = s.get(db.Case, case_id)
        if case is None:
            raise NotFound(f"no case {case_id}")
        viewer = self._viewer(s, user)
        access = self._access(s, case_id, full)
        if not can_open_case(viewer, access):
            self._audit(s, user, "access_denied", case_id, f"case:{case_id}")
            s.commit()  # the denial itself is kept in the audit trail
            raise PermissionDenied(f"{user.role} at {user.agency} has no access to case {case_id}")
        return case, access

    def _persons(self, s: Session, case_id: int) -> list[db.Person]:
        return list(s.execute(select(db.Person).where(db.Person.case_id == case_id).order_by(db.Person.id)).scalars())

    def _require_person(self, s: Session, case_id: int, key: str) -> db.Person:
        p = s.execute(select(db.Person).where(db.Person.case_id == case_id, db.Person.key == key)).scalar_one_or_none()
        if p is None:
            raise InputError([f"person: no person {key!r} in case {case_id}"])
        return p

    def _visible_rows(
        self, s: Session, viewer: Viewer, case_id: int, access: CaseAccess
    ) -> list[tuple[db.Assessment, str]]:
        rows = s.execute(
            select(db.Assessment)
            .where(db.Assessment.case_id == case_id, db.Assessment.version.is_not(None))
            .order_by(db.Assessment.checklist, db.Assessment.subject, db.Assessment.version)
        ).scalars()
        out = []
        for r in rows:
            basis = assessment_basis(
                viewer,
                access,
                checklist=r.checklist,
                subject=r.subject,
                holder=_org_id(r.organisation_id),
                saved_at=r.saved_at,
            )
            if basis:
                out.append((r, basis))
        return out

    def _overrides(self, s: Session, ids: list[int]) -> dict[int, db.Override]:
        if not ids:
            return {}
        rows = s.execute(select(db.Override).where(db.Override.assessment_id.in_(ids)).order_by(db.Override.id))
        return {o.assessment_id: o for o in rows.scalars()}

    def _latest_row(self, s: Session, case_id: int, checklist: str, subject: str, agency: str) -> db.Assessment | None:
        return s.execute(
            select(db.Assessment)
            .where(
                db.Assessment.case_id == case_id,
                db.Assessment.checklist == checklist,
                db.Assessment.subject == subject,
                db.Assessment.agency == agency,
                db.Assessment.version.is_not(None),
            )
            .order_by(db.Assessment.version.desc())
            .limit(1)
        ).scalar_one_or_none()

    def _latest_version(self, s: Session, case_id: int, checklist: str, subject: str, agency: str) -> int | None:
        """Each agency keeps its own versions of its own assessment of a person."""
        return s.execute(
            select(func.max(db.Assessment.version)).where(
                db.Assessment.case_id == case_id,
                db.Assessment.checklist == checklist,
                db.Assessment.subject == subject,
                db.Assessment.agency == agency,
            )
        ).scalar_one_or_none()


def _user_info(row: db.User, token: str) -> UserInfo:
    """The one place a user row becomes a UserInfo (organisation goes here once users have one)."""
    return UserInfo(row.id, row.username, row.agency, row.role, token=token)


def _person_dict(p: db.Person) -> dict[str, Any]:
    d: dict[str, Any] = {"id": p.key, "role": p.role}
    if p.age is not None:
        d["age"] = p.age
    if p.gender is not None:
        d["gender"] = p.gender
    return d


def _org_id(value: int | None) -> int:
    """An organisation column: set on every write since migration 0003; 0 (no organisation) never matches."""
    return value if value is not None else 0


def _consent_dicts(access: CaseAccess) -> list[dict[str, Any]]:
    """Active consents as the contract has them (agencies), with the organisations they name beside."""
    agencies: dict[str, set[str]] = {}
    organisations: dict[str, set[str]] = {}
    for c in access.consents:
        org = access.tree.get(c.to_organisation)
        if c.withdrawn_at is None and org is not None:
            agencies.setdefault(c.person, set()).add(org.agency)
            organisations.setdefault(c.person, set()).add(org.key)
    return [
        {"person": p, "to_share_with": sorted(a), "to_organisations": sorted(organisations[p])}
        for p, a in sorted(agencies.items())
    ]
