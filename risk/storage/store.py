"""The one storage service: every read and change of a case goes through here.

Access control and audit live here, not in the pages, so nothing can bypass them.
One transaction per call; saving never overwrites; every call that touches a case
writes a hash-chained audit entry in the same transaction.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from risk import __version__
from risk.checklists import default_checklists
from risk.errors import InputError
from risk.models import Person as PersonModel
from risk.storage import schema as db
from risk.storage.access import CASE_WORKER_ROLES, CaseAccess, ConsentFact, assessment_basis, can_open_case
from risk.storage.accounts import (
    ClaimMapping,
    UserInfo,
    account_problems,
    check_password,
    hasher,
    lock_after,
    now_utc,
)
from risk.storage.audit import GENESIS, HASHED, canonical, entry_hash, verify
from risk.storage.migrate import upgrade
from risk.vocabulary import Agency, Context, RiskLevel

DEFAULT_DATA_DIR = Path(os.environ.get("SAMRISK_DATA_DIR", "var"))
ACTION_STATUSES = ("planned", "in_progress", "done", "cancelled")


class AuthError(Exception):
    """Wrong username or password, a disabled account, or too many failed attempts."""


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
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # one writer at a time: no lost update, no deadlock

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


@dataclass
class CaseSummary:
    id: int
    reference: str
    context: str
    owner_agency: str
    level: str | None
    assessments: int
    overdue_actions: int
    reassessment_due: date | None
    last_activity: datetime
    synthetic: bool


@dataclass
class CasePage:
    items: list[CaseSummary]
    total: int
    page: int
    page_size: int


class Store:
    """Cases, assessments, consents, action plans, users and the audit trail."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = now_utc, fast_hashing: bool = False):
        self.engine = engine
        self.clock = clock
        self._hasher = hasher(fast_hashing)
        self._session = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(
        cls, url: str | None = None, *, clock: Callable[[], datetime] = now_utc, fast_hashing: bool = False
    ) -> Store:
        """Open (and migrate to the latest schema) the database of `url`, or the default SQLite file."""
        engine = _make_engine(database_url(url))
        with engine.begin() as conn:
            upgrade(conn)
        return cls(engine, clock, fast_hashing)

    def close(self) -> None:
        self.engine.dispose()

    # ---- transactions and audit ----------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._session() as s, s.begin():
            yield s

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

    # ---- accounts ---------------------------------------------------------------------------------

    def add_user(self, username: str, password: str, agency: str, role: str, by: UserInfo | None = None) -> UserInfo:
        """Create an account (from the command line, or by an admin in the app)."""
        problems = account_problems(username, password, agency, role)
        if by is not None and by.role != "admin":
            raise PermissionDenied("only an admin may add users")
        with self._tx() as s:
            if s.execute(select(db.User.id).where(db.User.username == username)).first():
                problems.append(f"username: {username!r} is already taken")
            if problems:
                raise InputError(problems)
            user = db.User(
                username=username,
                password_hash=self._hasher.hash(password),
                agency=agency,
                role=role,
                created_at=self.clock(),
            )
            s.add(user)
            s.flush()
            info = UserInfo(user.id, username, agency, role)
            self._audit(s, by, "add_user", record=f"user:{user.id}", username=username, agency=agency, role=role)
            return info

    def list_users(self, by: UserInfo | None = None) -> list[dict[str, Any]]:
        if by is not None and by.role != "admin":
            raise PermissionDenied("only an admin may list users")
        with self._tx() as s:
            rows = s.execute(select(db.User).order_by(db.User.username)).scalars()
            return [
                {
                    "username": u.username,
                    "agency": u.agency,
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
                refused = AuthError(f"too many failed attempts; try again in {wait} seconds")
            elif user.disabled or not check_password(self._hasher, user.password_hash, password):
                user.failed_logins += 1
                lock = lock_after(user.failed_logins)
                user.locked_until = now + lock if lock else None
                self._audit(s, None, "login_failed", record=f"user:{user.id}", failures=user.failed_logins)
                refused = AuthError("this account is disabled" if user.disabled else "wrong username or password")
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
            raise AuthError(str(e)) from None
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
                raise AuthError("this account is disabled")
            else:
                user.agency, user.role = agency, role  # the identity provider is the source of truth
            info = UserInfo(user.id, user.username, user.agency, user.role)
            self._audit(s, info, "login", via="oidc")
            return info

    # ---- cases --------------------------------------------------------------------------------------

    def create_case(
        self, user: UserInfo, reference: str, context: str = "police_intake", synthetic: bool = False
    ) -> int:
        if user.role not in CASE_WORKER_ROLES and user.role != "coordinator":
            raise PermissionDenied(f"a {user.role} cannot create cases")
        problems = []
        if not reference.strip():
            problems.append("reference: give the agency's own record reference (no personal identity number)")
        if context not in {c.value for c in Context}:
            problems.append(f"context: {context!r}; allowed: {', '.join(c.value for c in Context)}")
        if problems:
            raise InputError(problems)
        with self._tx() as s:
            now = self.clock()
            case = db.Case(
                reference=reference.strip(),
                context=context,
                owner_agency=user.agency,
                created_by=user.id,
                created_at=now,
                last_activity=now,
                synthetic=synthetic,
            )
            s.add(case)
            s.flush()
            s.add(db.CaseAgency(case_id=case.id, agency=user.agency, added_by=user.id, added_at=now))
            self._audit(s, user, "create_case", case.id, f"case:{case.id}", context=context)
            return case.id

    def add_agency(self, user: UserInfo, case_id: int, agency: str) -> None:
        """Bring another agency into the case (a referral or a case conference). It sees only what it may."""
        if agency not in {a.value for a in Agency}:
            raise InputError([f"agency: {agency!r}; allowed: {', '.join(a.value for a in Agency)}"])
        with self._tx() as s:
            self._open_case(s, user, case_id)
            if s.get(db.CaseAgency, (case_id, agency)) is None:
                s.add(db.CaseAgency(case_id=case_id, agency=agency, added_by=user.id, added_at=self.clock()))
            self._touch(s, case_id)
            self._audit(s, user, "add_agency", case_id, f"case:{case_id}", agency=agency)

    def add_person(self, user: UserInfo, case_id: int, person: dict[str, Any]) -> None:
        try:
            p = PersonModel.model_validate(person)
        except Exception as e:  # pydantic ValidationError: report in the contract's words
            from pydantic import ValidationError

            from risk.validation import _pydantic_problems

            if isinstance(e, ValidationError):
                raise InputError([f"person.{m}" for m in _pydantic_problems(e)]) from None
            raise
        with self._tx() as s:
            self._open_case(s, user, case_id)
            exists = s.execute(select(db.Person).where(db.Person.case_id == case_id, db.Person.key == p.id)).first()
            if exists:
                raise InputError([f"person.id: {p.id!r} is already in this case; choose another id"])
            s.add(
                db.Person(
                    case_id=case_id, key=p.id, role=p.role.value, age=p.age, gender=p.gender.value if p.gender else None
                )
            )
            self._touch(s, case_id)
            self._audit(s, user, "add_person", case_id, f"person:{p.id}", role=p.role.value)

    def _touch(self, s: Session, case_id: int) -> None:
        case = s.get(db.Case, case_id)
        if case is not None:
            case.last_activity = self.clock()

    def _access(self, s: Session, case_id: int, full: bool = True) -> CaseAccess:
        """What decides access to a case; `full=False` reads only its agencies (enough to open it for a write)."""
        agencies = set(s.execute(select(db.CaseAgency.agency).where(db.CaseAgency.case_id == case_id)).scalars())
        if not full:
            return CaseAccess(agencies)
        consents = [
            ConsentFact(c.person, c.to_agency, c.recorded_at, c.withdrawn_at)
            for c in s.execute(select(db.Consent).where(db.Consent.case_id == case_id)).scalars()
        ]
        reported = set(s.execute(select(db.ConcernReport.child).where(db.ConcernReport.case_id == case_id)).scalars())
        shares = {
            (x.checklist, x.subject, x.agency)
            for x in s.execute(select(db.ConferenceShare).where(db.ConferenceShare.case_id == case_id)).scalars()
        }
        return CaseAccess(agencies, consents, reported, shares)

    def _open_case(self, s: Session, user: UserInfo, case_id: int, full: bool = False) -> tuple[db.Case, CaseAccess]:
        """The case if the user's agency takes part in it; with `full`, everything needed to filter what it sees."""
        case = s.get(db.Case, case_id)
        if case is None:
            raise NotFound(f"no case {case_id}")
        access = self._access(s, case_id, full)
        if not can_open_case(user.role, user.agency, access):
            self._audit(s, user, "access_denied", case_id, f"case:{case_id}")
            s.commit()  # the denial itself is kept in the audit trail
            raise PermissionDenied(f"{user.role} at {user.agency} has no access to case {case_id}")
        return case, access

    # ---- assessments ---------------------------------------------------------------------------------

    def _persons(self, s: Session, case_id: int) -> list[db.Person]:
        return list(s.execute(select(db.Person).where(db.Person.case_id == case_id).order_by(db.Person.id)).scalars())

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

    def save_assessment(
        self,
        user: UserInfo,
        case_id: int,
        assessment: dict[str, Any],
        base_version: int | None = None,
        reassess_by: date | None = None,
    ) -> int:
        """Save a new version; ConflictError if `base_version` is not the latest (the refused save is kept)."""
        from risk.engine import assess

        if user.role not in CASE_WORKER_ROLES:
            raise PermissionDenied(f"a {user.role} cannot save assessments")
        checklist = str(assessment.get("checklist", ""))
        subject = str(assessment.get("subject", ""))
        with self._tx() as s:
            case, _ = self._open_case(s, user, case_id)
            persons = self._persons(s, case_id)
            case_file = {
                "context": case.context,
                "persons": [_person_dict(p) for p in persons],
                "assessments": [
                    {
                        **{k: v for k, v in assessment.items() if k in ("checklist", "subject", "about", "answers")},
                        "agency": user.agency,
                    }
                ],
            }
            result = assess(case_file)  # InputError names every problem; nothing is written
            scored = result.assessments[0]
            latest = self._latest_version(s, case_id, checklist, subject, user.agency)
            row = db.Assessment(
                case_id=case_id,
                checklist=checklist,
                subject=subject,
                about=assessment.get("about"),
                base_version=base_version,
                agency=user.agency,
                context=case.context,
                answers={k: str(v) for k, v in (assessment.get("answers") or {}).items()},
                result=scored.model_dump(mode="json"),
                level=scored.computed_level.value,
                checklist_version=default_checklists()[checklist].version,
                engine_version=__version__,
                saved_by=user.id,
                saved_at=self.clock(),
                reassess_by=reassess_by,
            )
            if latest != base_version:
                row.conflict_with = latest
                s.add(row)
                s.flush()
                kept = row.id
                self._audit(
                    s,
                    user,
                    "save_conflict",
                    case_id,
                    f"assessment:{checklist}:{subject}",
                    base_version=base_version,
                    latest=latest,
                    kept=kept,
                )
            else:
                row.version = (latest or 0) + 1
                s.add(row)
                try:
                    s.flush()
                except IntegrityError:
                    # Another save took this version number between our read and write.
                    s.rollback()
                    return self._keep_conflict(user, case_id, assessment, base_version, row)
                self._touch(s, case_id)
                self._discard_draft(s, user, case_id, checklist, subject)
                self._audit(
                    s,
                    user,
                    "save_assessment",
                    case_id,
                    f"assessment:{checklist}:{subject}:{row.version}",
                    level=row.level,
                )
                return row.version
        raise ConflictError(
            f"{checklist} for {subject} was saved by someone else (version {latest}) after version {base_version} "
            f"that you started from. Your answers are kept (record {kept}); open the latest version and re-apply them.",
            latest or 0,
            kept,
        )

    def _keep_conflict(
        self, user: UserInfo, case_id: int, assessment: dict[str, Any], base_version: int | None, row: db.Assessment
    ) -> int:
        with self._tx() as s:
            latest = self._latest_version(s, case_id, row.checklist, row.subject, row.agency)
            kept = db.Assessment(
                **{
                    c: getattr(row, c)
                    for c in (
                        "case_id",
                        "checklist",
                        "subject",
                        "about",
                        "base_version",
                        "agency",
                        "context",
                        "answers",
                        "result",
                        "level",
                        "checklist_version",
                        "engine_version",
                        "saved_by",
                        "saved_at",
                        "reassess_by",
                    )
                },
                conflict_with=latest,
            )
            s.add(kept)
            s.flush()
            self._audit(
                s,
                user,
                "save_conflict",
                case_id,
                f"assessment:{row.checklist}:{row.subject}",
                base_version=base_version,
                latest=latest,
                kept=kept.id,
            )
            kept_id = kept.id
        raise ConflictError(
            f"{row.checklist} for {row.subject} was saved by someone else (version {latest}) after version "
            f"{base_version}. Your answers are kept (record {kept_id}); open the latest version and re-apply them.",
            latest or 0,
            kept_id,
        )

    def save_override(
        self, user: UserInfo, case_id: int, checklist: str, subject: str, level: str, reason: str
    ) -> None:
        """Override the level of the latest version, with a required written reason; both levels are kept."""
        problems = []
        if level not in {lv.value for lv in RiskLevel}:
            problems.append(f"level: {level!r}; allowed: {', '.join(lv.value for lv in RiskLevel)}")
        if not reason or not reason.strip():
            problems.append("reason: write why the level is changed; a reason is required")
        if problems:
            raise InputError(problems)
        with self._tx() as s:
            self._open_case(s, user, case_id)
            row = self._latest_row(s, case_id, checklist, subject, user.agency)
            if row is None:
                raise NotFound(f"no {checklist} assessment of {subject} in case {case_id}")
            if row.agency != user.agency or user.role not in CASE_WORKER_ROLES:
                raise PermissionDenied("only the agency that made an assessment may override its level")
            s.add(
                db.Override(
                    assessment_id=row.id, level=level, reason=reason.strip(), made_by=user.id, made_at=self.clock()
                )
            )
            self._touch(s, case_id)
            self._audit(
                s,
                user,
                "override",
                case_id,
                f"assessment:{checklist}:{subject}:{row.version}",
                computed=row.level,
                level=level,
            )

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

    # ---- drafts -------------------------------------------------------------------------------------

    def save_draft(
        self,
        user: UserInfo,
        case_id: int,
        checklist: str,
        subject: str,
        answers: dict[str, str],
        about: str | None = None,
        base_version: int | None = None,
    ) -> None:
        """Keep the answers of an assessment in progress, so a browser refresh loses nothing."""
        with self._tx() as s:
            self._open_case(s, user, case_id)
            draft = self._draft(s, user, case_id, checklist, subject)
            if draft is None:
                draft = db.Draft(user_id=user.id, case_id=case_id, checklist=checklist, subject=subject)
                s.add(draft)
            draft.answers, draft.about, draft.base_version = dict(answers), about, base_version
            draft.updated_at = self.clock()
            self._audit(s, user, "save_draft", case_id, f"draft:{checklist}:{subject}", answered=len(answers))

    def get_draft(self, user: UserInfo, case_id: int, checklist: str, subject: str) -> dict[str, Any] | None:
        with self._tx() as s:
            self._open_case(s, user, case_id)
            draft = self._draft(s, user, case_id, checklist, subject)
            self._audit(s, user, "read_draft", case_id, f"draft:{checklist}:{subject}")
            if draft is None:
                return None
            return {
                "answers": dict(draft.answers),
                "about": draft.about,
                "base_version": draft.base_version,
                "updated_at": draft.updated_at.isoformat(),
            }

    def list_drafts(self, user: UserInfo) -> list[dict[str, Any]]:
        with self._tx() as s:
            rows = s.execute(select(db.Draft).where(db.Draft.user_id == user.id)).scalars()
            return [
                {
                    "case_id": d.case_id,
                    "checklist": d.checklist,
                    "subject": d.subject,
                    "updated_at": d.updated_at.isoformat(),
                }
                for d in rows
            ]

    def _draft(self, s: Session, user: UserInfo, case_id: int, checklist: str, subject: str) -> db.Draft | None:
        return s.execute(
            select(db.Draft).where(
                db.Draft.user_id == user.id,
                db.Draft.case_id == case_id,
                db.Draft.checklist == checklist,
                db.Draft.subject == subject,
            )
        ).scalar_one_or_none()

    def _discard_draft(self, s: Session, user: UserInfo, case_id: int, checklist: str, subject: str) -> None:
        s.execute(
            delete(db.Draft).where(
                db.Draft.user_id == user.id,
                db.Draft.case_id == case_id,
                db.Draft.checklist == checklist,
                db.Draft.subject == subject,
            )
        )

    # ---- consent, concern reports, conference sharing -------------------------------------------------

    def record_consent(self, user: UserInfo, case_id: int, person: str, to_share_with: list[str]) -> None:
        allowed = {a.value for a in Agency}
        bad = [a for a in to_share_with if a not in allowed]
        if bad or not to_share_with:
            raise InputError([f"to_share_with: {bad or 'empty'}; allowed: {', '.join(sorted(allowed))}"])
        with self._tx() as s:
            self._open_case(s, user, case_id)
            self._require_person(s, case_id, person)
            for agency in to_share_with:
                s.add(
                    db.Consent(
                        case_id=case_id, person=person, to_agency=agency, recorded_by=user.id, recorded_at=self.clock()
                    )
                )
            self._touch(s, case_id)
            self._audit(s, user, "record_consent", case_id, f"person:{person}", to=sorted(to_share_with))

    def withdraw_consent(self, user: UserInfo, case_id: int, person: str, agency: str) -> None:
        """Stops sharing from now on: what was saved afterwards is no longer shared with that agency."""
        with self._tx() as s:
            self._open_case(s, user, case_id)
            rows = list(
                s.execute(
                    select(db.Consent).where(
                        db.Consent.case_id == case_id,
                        db.Consent.person == person,
                        db.Consent.to_agency == agency,
                        db.Consent.withdrawn_at.is_(None),
                    )
                ).scalars()
            )
            if not rows:
                raise InputError([f"consent: {person} has no active consent to share with {agency}"])
            for c in rows:
                c.withdrawn_at, c.withdrawn_by = self.clock(), user.id
            self._audit(s, user, "withdraw_consent", case_id, f"person:{person}", agency=agency)

    def report_concern(self, user: UserInfo, case_id: int, child: str) -> None:
        """Record that a concern report about a child was made; social services then see that child's assessments."""
        with self._tx() as s:
            self._open_case(s, user, case_id)
            p = self._require_person(s, case_id, child)
            if not (p.role == "child" or (p.age is not None and p.age < 18)):
                raise InputError([f"child: {child} is not a child (role child or under 18)"])
            s.add(
                db.ConcernReport(
                    case_id=case_id, child=child, from_agency=user.agency, made_by=user.id, made_at=self.clock()
                )
            )
            if s.get(db.CaseAgency, (case_id, "social_services")) is None:
                s.add(db.CaseAgency(case_id=case_id, agency="social_services", added_by=user.id, added_at=self.clock()))
            self._touch(s, case_id)
            self._audit(s, user, "concern_report", case_id, f"person:{child}")

    def share_with_conference(self, user: UserInfo, case_id: int, checklist: str, subject: str, basis: str) -> None:
        """Share one of the agency's own assessments with the case conference, on a stated basis."""
        from risk.rules import default_rules

        with self._tx() as s:
            _, access = self._open_case(s, user, case_id, full=True)
            row = self._latest_row(s, case_id, checklist, subject, user.agency)
            if row is None or row.agency != user.agency:
                raise PermissionDenied("an agency may share only its own assessments")
            if basis == "consent":
                if not any(c.person == subject and c.withdrawn_at is None for c in access.consents):
                    raise InputError([f"basis: {subject} has no active consent recorded; record it first"])
            elif basis not in default_rules().provisions:
                raise InputError([f"basis: {basis!r}; give 'consent' or a provision id of law.yaml"])
            s.add(
                db.ConferenceShare(
                    case_id=case_id,
                    checklist=checklist,
                    subject=subject,
                    agency=user.agency,
                    basis=basis,
                    shared_by=user.id,
                    shared_at=self.clock(),
                )
            )
            self._audit(s, user, "share_with_conference", case_id, f"assessment:{checklist}:{subject}", basis=basis)

    def _require_person(self, s: Session, case_id: int, key: str) -> db.Person:
        p = s.execute(select(db.Person).where(db.Person.case_id == case_id, db.Person.key == key)).scalar_one_or_none()
        if p is None:
            raise InputError([f"person: no person {key!r} in case {case_id}"])
        return p

    # ---- reading a case ---------------------------------------------------------------------------------

    def _visible_rows(
        self, s: Session, user: UserInfo, case_id: int, access: CaseAccess
    ) -> list[tuple[db.Assessment, str]]:
        rows = s.execute(
            select(db.Assessment)
            .where(db.Assessment.case_id == case_id, db.Assessment.version.is_not(None))
            .order_by(db.Assessment.checklist, db.Assessment.subject, db.Assessment.version)
        ).scalars()
        out = []
        for r in rows:
            basis = assessment_basis(
                user.role,
                user.agency,
                access,
                checklist=r.checklist,
                subject=r.subject,
                owner=r.agency,
                saved_at=r.saved_at,
            )
            if basis:
                out.append((r, basis))
        return out

    def get_case(self, user: UserInfo, case_id: int) -> dict[str, Any]:
        """The case file of the contract, holding only what this user may see; PermissionDenied if none of it."""
        with self._tx() as s:
            case, access = self._open_case(s, user, case_id, full=True)
            visible = self._visible_rows(s, user, case_id, access)
            latest: dict[tuple[str, str, str], tuple[db.Assessment, str]] = {}
            for row, basis in visible:
                latest[(row.checklist, row.subject, row.agency)] = (row, basis)
            overrides = self._overrides(s, [r.id for r, _ in latest.values()])
            file = {
                "id": case.id,
                "reference": case.reference,
                "context": case.context,
                "synthetic": case.synthetic,
                "owner_agency": case.owner_agency,
                "agencies": sorted(access.agencies),
                "persons": [_person_dict(p) for p in self._persons(s, case_id)],
                "consents": _consent_dicts(access.consents),
                "assessments": [
                    {
                        "checklist": r.checklist,
                        "subject": r.subject,
                        **({"about": r.about} if r.about else {}),
                        "answers": dict(r.answers),
                        "version": r.version,
                        "agency": r.agency,
                        "saved_at": r.saved_at.isoformat(),
                        "visible_because": basis,
                        "reassess_by": r.reassess_by.isoformat() if r.reassess_by else None,
                    }
                    for r, basis in latest.values()
                ],
                "overrides": [
                    {
                        "checklist": r.checklist,
                        "subject": r.subject,
                        "agency": r.agency,
                        "level": o.level,
                        "reason": o.reason,
                    }
                    for r, _ in latest.values()
                    if (o := overrides.get(r.id)) is not None
                ],
                "concern_reports": sorted(access.concern_reported_children),
            }
            self._audit(
                s,
                user,
                "read_case",
                case_id,
                f"case:{case_id}",
                assessments=[f"{r.checklist}:{r.subject}:{r.version}" for r, _ in latest.values()],
            )
            return file

    def _overrides(self, s: Session, ids: list[int]) -> dict[int, db.Override]:
        if not ids:
            return {}
        rows = s.execute(select(db.Override).where(db.Override.assessment_id.in_(ids)).order_by(db.Override.id))
        return {o.assessment_id: o for o in rows.scalars()}

    def assessment_history(self, user: UserInfo, case_id: int, checklist: str, subject: str) -> list[dict[str, Any]]:
        """Every visible version of one assessment, oldest first, with level and who saved it."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id, full=True)
            rows = [
                (r, b)
                for r, b in self._visible_rows(s, user, case_id, access)
                if r.checklist == checklist and r.subject == subject
            ]
            overrides = self._overrides(s, [r.id for r, _ in rows])
            self._audit(s, user, "read_history", case_id, f"assessment:{checklist}:{subject}")
            return [
                {
                    "version": r.version,
                    "agency": r.agency,
                    "saved_at": r.saved_at.isoformat(),
                    "computed_level": r.level,
                    "level": overrides[r.id].level if r.id in overrides else r.level,
                    "answers": dict(r.answers),
                    "result": r.result,
                }
                for r, _ in rows
            ]

    def conflicts(self, user: UserInfo, case_id: int) -> list[dict[str, Any]]:
        """Refused saves of this user's agency, kept so nothing entered is lost."""
        with self._tx() as s:
            self._open_case(s, user, case_id)
            rows = s.execute(
                select(db.Assessment).where(
                    db.Assessment.case_id == case_id,
                    db.Assessment.version.is_(None),
                    db.Assessment.agency == user.agency,
                )
            ).scalars()
            self._audit(s, user, "read_conflicts", case_id)
            return [
                {
                    "id": r.id,
                    "checklist": r.checklist,
                    "subject": r.subject,
                    "base_version": r.base_version,
                    "conflict_with": r.conflict_with,
                    "answers": dict(r.answers),
                    "saved_at": r.saved_at.isoformat(),
                }
                for r in rows
            ]

    def assess_case(self, user: UserInfo, case_id: int, lang: str = "en") -> dict[str, Any]:
        """The engine's result on what this user may see of the case (JSON-ready)."""
        from risk.engine import assess

        case = self.get_case(user, case_id)
        return assess(case, lang=lang).model_dump(mode="json")

    # ---- action plan ---------------------------------------------------------------------------------------

    def add_action(
        self,
        user: UserInfo,
        case_id: int,
        step_id: str,
        owner_agency: str,
        responsible: str,
        due_date: date | None,
        status: str = "planned",
        note: str | None = None,
    ) -> str:
        problems = _action_problems(owner_agency, responsible, status)
        if problems:
            raise InputError(problems)
        with self._tx() as s:
            self._open_case(s, user, case_id)
            item = str(uuid.uuid4())
            s.add(
                db.ActionItem(
                    case_id=case_id,
                    item=item,
                    version=1,
                    step_id=step_id,
                    owner_agency=owner_agency,
                    responsible=responsible.strip(),
                    due_date=due_date,
                    status=status,
                    note=note,
                    saved_by=user.id,
                    saved_at=self.clock(),
                )
            )
            self._touch(s, case_id)
            self._audit(s, user, "add_action", case_id, f"action:{item}", step=step_id, owner=owner_agency)
            return item

    def update_action(self, user: UserInfo, case_id: int, item: str, base_version: int, **changes: Any) -> int:
        """A new version of an action item; ConflictError if someone changed it since `base_version`."""
        with self._tx() as s:
            self._open_case(s, user, case_id)
            current = s.execute(
                select(db.ActionItem)
                .where(db.ActionItem.item == item, db.ActionItem.case_id == case_id)
                .order_by(db.ActionItem.version.desc())
                .limit(1)
            ).scalar_one_or_none()
            if current is None:
                raise NotFound(f"no action item {item} in case {case_id}")
            if current.version != base_version:
                raise ConflictError(
                    f"the action item was changed (version {current.version}) after version {base_version}; reload it",
                    current.version,
                    current.id,
                )
            fields = {
                k: getattr(current, k) for k in ("step_id", "owner_agency", "responsible", "due_date", "status", "note")
            }
            unknown = set(changes) - set(fields)
            if unknown:
                raise InputError([f"{k}: not a field of an action item" for k in sorted(unknown)])
            fields.update(changes)
            problems = _action_problems(fields["owner_agency"], fields["responsible"], fields["status"])
            if problems:
                raise InputError(problems)
            s.add(
                db.ActionItem(
                    case_id=case_id,
                    item=item,
                    version=current.version + 1,
                    saved_by=user.id,
                    saved_at=self.clock(),
                    **fields,
                )
            )
            self._touch(s, case_id)
            self._audit(
                s, user, "update_action", case_id, f"action:{item}:{current.version + 1}", changed=sorted(changes)
            )
            return current.version + 1

    def list_actions(self, user: UserInfo, case_id: int) -> list[dict[str, Any]]:
        with self._tx() as s:
            self._open_case(s, user, case_id)
            rows = list(
                s.execute(
                    select(db.ActionItem)
                    .where(db.ActionItem.case_id == case_id)
                    .order_by(db.ActionItem.item, db.ActionItem.version)
                ).scalars()
            )
            latest: dict[str, db.ActionItem] = {}
            first: dict[str, db.ActionItem] = {}
            for r in rows:
                latest[r.item] = r
                first.setdefault(r.item, r)
            today = self.clock().date()
            self._audit(s, user, "read_actions", case_id)
            return sorted(
                (
                    {
                        "item": r.item,
                        "version": r.version,
                        "step_id": r.step_id,
                        "owner_agency": r.owner_agency,
                        "responsible": r.responsible,
                        "due_date": r.due_date.isoformat() if r.due_date else None,
                        "status": r.status,
                        "note": r.note,
                        "created_at": first[r.item].saved_at.isoformat(),
                        "updated_at": r.saved_at.isoformat(),
                        "overdue": bool(r.due_date and r.due_date < today and r.status in ("planned", "in_progress")),
                    }
                    for r in latest.values()
                ),
                key=lambda a: (a["due_date"] or "9999", a["step_id"]),
            )

    def timeline(self, user: UserInfo, case_id: int) -> list[dict[str, Any]]:
        """Levels of every visible assessment version and every action-item change, in time order."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id, full=True)
            rows = self._visible_rows(s, user, case_id, access)
            overrides = self._overrides(s, [r.id for r, _ in rows])
            events: list[dict[str, Any]] = [
                {
                    "at": r.saved_at.isoformat(),
                    "kind": "assessment",
                    "what": f"{r.checklist}:{r.subject}",
                    "agency": r.agency,
                    "version": r.version,
                    "computed_level": r.level,
                    "level": overrides[r.id].level if r.id in overrides else r.level,
                }
                for r, _ in rows
            ]
            for a in s.execute(select(db.ActionItem).where(db.ActionItem.case_id == case_id)).scalars():
                events.append(
                    {
                        "at": a.saved_at.isoformat(),
                        "kind": "action",
                        "what": a.step_id,
                        "agency": a.owner_agency,
                        "version": a.version,
                        "status": a.status,
                        "due_date": a.due_date.isoformat() if a.due_date else None,
                    }
                )
            self._audit(s, user, "read_timeline", case_id)
            return sorted(events, key=lambda e: e["at"])

    # ---- lists and figures ---------------------------------------------------------------------------------

    def list_cases(self, user: UserInfo, search: str = "", page: int = 1, page_size: int = 20) -> CasePage:
        """The cases of the user's agency, newest activity first, paginated in the database."""
        if user.role not in (*CASE_WORKER_ROLES, "coordinator"):
            raise PermissionDenied(f"a {user.role} does not see individual cases")
        page, page_size = max(page, 1), min(max(page_size, 1), 100)
        with self._tx() as s:
            q = (
                select(db.Case)
                .join(db.CaseAgency, db.CaseAgency.case_id == db.Case.id)
                .where(db.CaseAgency.agency == user.agency)
            )
            if search.strip():
                q = q.where(db.Case.reference.ilike(f"%{search.strip()}%"))
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar_one()
            cases = list(
                s.execute(
                    q.order_by(db.Case.last_activity.desc(), db.Case.id.desc())
                    .offset((page - 1) * page_size)
                    .limit(page_size)
                ).scalars()
            )
            items = [self._summary(s, user, c) for c in cases]
            self._audit(
                s, user, "list_cases", None, None, page=page, search=bool(search.strip()), cases=[c.id for c in cases]
            )
            return CasePage(items, total, page, page_size)

    def _summary(self, s: Session, user: UserInfo, case: db.Case) -> CaseSummary:
        access = self._access(s, case.id)
        latest: dict[tuple[str, str, str], db.Assessment] = {}
        for r, _ in self._visible_rows(s, user, case.id, access):
            latest[(r.checklist, r.subject, r.agency)] = r
        overrides = self._overrides(s, [r.id for r in latest.values()])
        levels = [
            RiskLevel(overrides[r.id].level if r.id in overrides else r.level) for r in latest.values() if r.level
        ]
        today = self.clock().date()
        actions: dict[str, db.ActionItem] = {}
        for a in s.execute(
            select(db.ActionItem).where(db.ActionItem.case_id == case.id).order_by(db.ActionItem.version)
        ).scalars():
            actions[a.item] = a
        overdue = sum(
            1 for a in actions.values() if a.due_date and a.due_date < today and a.status in ("planned", "in_progress")
        )
        due = [r.reassess_by for r in latest.values() if r.reassess_by]
        return CaseSummary(
            case.id,
            case.reference,
            case.context,
            case.owner_agency,
            max(levels, key=lambda lv: lv.rank).value if levels else None,
            len(latest),
            overdue,
            min(due) if due else None,
            case.last_activity,
            case.synthetic,
        )

    def statistics(self, user: UserInfo) -> dict[str, Any]:
        """Aggregate figures only (supervisors, trainers): latest levels by checklist, agency, gender and age band."""
        if user.role not in ("supervisor", "admin", "coordinator"):
            raise PermissionDenied("figures are for supervisors")
        with self._tx() as s:
            latest = (
                select(
                    db.Assessment.case_id,
                    db.Assessment.checklist,
                    db.Assessment.subject,
                    db.Assessment.agency,
                    func.max(db.Assessment.version).label("v"),
                )
                .where(db.Assessment.version.is_not(None))
                .group_by(db.Assessment.case_id, db.Assessment.checklist, db.Assessment.subject, db.Assessment.agency)
                .subquery()
            )
            q = (
                select(
                    db.Assessment.checklist, db.Assessment.agency, db.Assessment.level, db.Person.gender, db.Person.age
                )
                .join(
                    latest,
                    (db.Assessment.case_id == latest.c.case_id)
                    & (db.Assessment.checklist == latest.c.checklist)
                    & (db.Assessment.subject == latest.c.subject)
                    & (db.Assessment.agency == latest.c.agency)
                    & (db.Assessment.version == latest.c.v),
                )
                .join(
                    db.Person, (db.Person.case_id == db.Assessment.case_id) & (db.Person.key == db.Assessment.subject)
                )
            )
            if user.role == "supervisor":  # a supervisor follows up their own agency
                q = q.where(db.Assessment.agency == user.agency)
            rows = s.execute(q).all()
            self._audit(s, user, "read_statistics", rows=len(rows))
            return {
                "rows": [
                    {"checklist": c, "agency": a, "level": lv, "gender": g or "unknown", "age_band": _age_band(age)}
                    for c, a, lv, g, age in rows
                ]
            }

    # ---- export and retention ------------------------------------------------------------------------------

    def export_case(self, user: UserInfo, case_id: int) -> dict[str, Any]:
        """The person's right of access: the case file with every visible version and the action plan."""
        case = self.get_case(user, case_id)
        history: dict[str, list[dict[str, Any]]] = {}
        for a in case["assessments"]:
            key = f"{a['checklist']}:{a['subject']}"
            history[key] = self.assessment_history(user, case_id, a["checklist"], a["subject"])
        with self._tx() as s:
            self._audit(s, user, "export_case", case_id, f"case:{case_id}")
        return {**case, "history": history, "actions": self.list_actions(user, case_id)}

    def apply_retention(
        self, older_than_days: int, mode: str = "pseudonymise", by: UserInfo | None = None
    ) -> list[int]:
        """Delete or pseudonymise cases with no activity for `older_than_days`; each leaves an audit entry."""
        if by is not None and by.role != "admin":
            raise PermissionDenied("only an admin may apply retention")
        if mode not in ("pseudonymise", "delete"):
            raise InputError([f"mode: {mode!r}; allowed: pseudonymise, delete"])
        if older_than_days < 1:
            raise InputError(["older_than_days: must be at least 1"])
        cutoff = self.clock() - timedelta(days=older_than_days)
        done: list[int] = []
        with self._tx() as s:
            cases = list(
                s.execute(
                    select(db.Case).where(db.Case.last_activity < cutoff, db.Case.pseudonymised_at.is_(None))
                ).scalars()
            )
            for case in cases:
                if mode == "delete":
                    s.delete(case)
                else:
                    case.reference = (
                        f"pseudonym-{uuid.uuid5(uuid.NAMESPACE_OID, f'{case.id}:{case.reference}').hex[:12]}"
                    )
                    case.pseudonymised_at = self.clock()
                    for p in self._persons(s, case.id):
                        p.age = _age_band_floor(p.age)
                    for table in (db.Draft, db.ActionItem):
                        s.execute(delete(table).where(table.case_id == case.id))
                    for row in s.execute(select(db.Assessment).where(db.Assessment.case_id == case.id)).scalars():
                        row.answers = {}
                        row.result = None
                    for o in s.execute(
                        select(db.Override).join(db.Assessment).where(db.Assessment.case_id == case.id)
                    ).scalars():
                        o.reason = "(removed by retention)"
                self._audit(s, by, f"retention_{mode}", case.id, f"case:{case.id}", older_than_days=older_than_days)
                done.append(case.id)
        return done


def _person_dict(p: db.Person) -> dict[str, Any]:
    d: dict[str, Any] = {"id": p.key, "role": p.role}
    if p.age is not None:
        d["age"] = p.age
    if p.gender is not None:
        d["gender"] = p.gender
    return d


def _consent_dicts(consents: list[ConsentFact]) -> list[dict[str, Any]]:
    active: dict[str, set[str]] = {}
    for c in consents:
        if c.withdrawn_at is None:
            active.setdefault(c.person, set()).add(c.to_agency)
    return [{"person": p, "to_share_with": sorted(a)} for p, a in sorted(active.items())]


def _action_problems(owner_agency: str, responsible: str, status: str) -> list[str]:
    problems = []
    if owner_agency not in {a.value for a in Agency}:
        problems.append(f"owner_agency: {owner_agency!r}; allowed: {', '.join(a.value for a in Agency)}")
    if not responsible or not responsible.strip():
        problems.append("responsible: name the person or function responsible")
    if status not in ACTION_STATUSES:
        problems.append(f"status: {status!r}; allowed: {', '.join(ACTION_STATUSES)}")
    return problems


def _age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    for upper, label in ((12, "0-12"), (17, "13-17"), (24, "18-24"), (44, "25-44"), (64, "45-64")):
        if age <= upper:
            return label
    return "65+"


def _age_band_floor(age: int | None) -> int | None:
    if age is None:
        return None
    return {"0-12": 0, "13-17": 13, "18-24": 18, "25-44": 25, "45-64": 45, "65+": 65}[_age_band(age)]
