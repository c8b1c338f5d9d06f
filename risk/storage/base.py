"""The foundation of the Store: engine, one transaction per call, the audit chain, and opening a case.

Access control lives in this layer, not in the pages: every read and write opens the case through
`_open_case`, and every call writes a hash-chained audit entry in its own transaction.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from risk.errors import InputError, as_problems, problem
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
from risk.storage.accounts import UserInfo, hasher, now_utc, password_hash_parameters
from risk.storage.audit import (
    GENESIS,
    HASHED,
    SEAL_ACTION,
    AuditKey,
    ChainState,
    canonical,
    check_anchor,
    entry_hash,
    load_key,
    read_anchor,
    sign_anchor,
    verify,
    write_anchor,
)
from risk.storage.identity import SYSTEM_ID, SYSTEM_SESSION, issue_token, read_token, secret_key, session_lifetime
from risk.storage.migrate import upgrade

DATABASE_URL_ENV = "SAMRISK_DATABASE_URL"
DATABASE_URL_EXAMPLE = "postgresql+psycopg://samrisk@db/samrisk"
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
    """The user's agency and role give no access to this record.

    Each reason is English text, or a Problem (risk/errors.py) that is that text and its code and parameters too:
    the message joins the texts; `details` keeps them as data for a page to say in its language."""

    def __init__(self, *reasons: str):
        self.details = as_problems(reasons)
        super().__init__("; ".join(reasons))


class NotFound(Exception):
    """No such case or record (also raised where telling would reveal that a case exists)."""


class ConflictError(Exception):
    """A save based on an older version: the newer version wins, the refused save is kept beside it."""

    def __init__(self, message: str, latest_version: int, kept_id: int):
        self.details = as_problems([message])
        super().__init__(str(message))
        self.latest_version = latest_version
        self.kept_id = kept_id


def database_url(url: str | None = None) -> str:
    """The one setting: SAMRISK_DATABASE_URL (any SQLAlchemy URL); unset means a local SQLite file."""
    url = url or os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    DEFAULT_DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DATA_DIR / 'samrisk.sqlite3'}"


def _make_engine(url: str) -> Engine:
    """The engine of `url`; InputError naming the setting where SQLAlchemy cannot read the URL or its driver is not
    installed. The URL itself is never in the message: it may hold the database password."""
    try:
        return _engine(url)
    except ArgumentError:  # also NoSuchModuleError: an unknown database kind
        raise InputError(
            [
                problem(
                    "settings.database_url",
                    DATABASE_URL_ENV,
                    f"database URL ({DATABASE_URL_ENV} or --database): not a URL SQLAlchemy can use, "
                    f"e.g. {DATABASE_URL_EXAMPLE}",
                    setting=DATABASE_URL_ENV,
                    example=DATABASE_URL_EXAMPLE,
                )
            ]
        ) from None
    except ImportError as e:
        driver = e.name or "?"
        raise InputError(
            [
                problem(
                    "settings.database_driver",
                    DATABASE_URL_ENV,
                    f"database URL ({DATABASE_URL_ENV} or --database): its driver {driver!r} is not installed",
                    setting=DATABASE_URL_ENV,
                    driver=driver,
                )
            ]
        ) from None


def _engine(url: str) -> Engine:
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


def database_label(url: URL) -> str:
    """Which database an anchor belongs to: backend and database name (no host, user or password)."""
    name = url.database or ":memory:"
    if url.get_backend_name() == "sqlite":
        name = Path(name).name
    return f"{url.get_backend_name()}:{name}"


def default_anchor_path(url: URL) -> Path | None:
    """SAMRISK_AUDIT_ANCHOR; else beside a SQLite file, or in the data folder for a server database."""
    configured = os.environ.get("SAMRISK_AUDIT_ANCHOR")
    if configured:
        return Path(configured)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        return Path(f"{url.database}.audit-anchor.json")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in database_label(url))
    return Path(os.environ.get("SAMRISK_DATA_DIR", "var")) / f"audit-anchor-{safe}.json"


_log = logging.getLogger("samrisk.audit")
# Tables whose every row must be named by an audit entry of its creation: (table, how the entry names it).
_CREATION_ACTIONS = ("add_user", "create_case", "save_assessment", "save_conflict", "override", "save_safety_plan")
_RETENTION_ACTIONS = ("retention_delete", "retention_pseudonymise")


ANCHOR_INTERVAL_ENV = "SAMRISK_AUDIT_ANCHOR_INTERVAL"


def anchor_interval_setting() -> float:
    """SAMRISK_AUDIT_ANCHOR_INTERVAL: seconds between the audit anchor's writes (default 10); a value that is not a
    number of seconds of 0 or more is refused at start, naming the setting, not a traceback."""
    raw = os.environ.get(ANCHOR_INTERVAL_ENV, "10")
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise InputError(
            [
                problem(
                    "settings.audit_anchor_interval",
                    ANCHOR_INTERVAL_ENV,
                    f"{ANCHOR_INTERVAL_ENV}: {raw!r} is not a number of seconds (0 or more; default 10)",
                    setting=ANCHOR_INTERVAL_ENV,
                    value=raw,
                )
            ]
        )
    return seconds


@dataclass
class _PendingReads:
    """Audit entries of one read, waiting for the next batch."""

    entries: list[dict[str, Any]]
    done: bool = False
    error: BaseException | None = None
    head: tuple[int, str, int] | None = None


class StoreBase:
    """Connection, transactions, audit and access checks shared by every part of the Store."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime] = now_utc,
        fast_hashing: bool = False,
        key: bytes | None = None,
        *,
        audit_key: AuditKey | None = None,
        anchor_path: Path | None = None,
        anchor_interval: float | None = None,
    ):
        self.engine = engine
        self.clock = clock
        self._hasher = hasher(fast_hashing)
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._read_session = sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
        self._key = key if key is not None else secret_key(DEFAULT_DATA_DIR)
        self._session_lifetime = session_lifetime()
        self.audit_key = audit_key or load_key()
        self.anchor_path = anchor_path if anchor_path is not None else default_anchor_path(engine.url)
        self.anchor_interval = anchor_interval if anchor_interval is not None else anchor_interval_setting()
        self._anchor_lock = threading.Lock()
        self._anchored_at: float | None = None
        self._pending_lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: list[_PendingReads] = []
        self._writes = itertools.count(1)
        self.last_write = 0  # the number of the last committed change: a page's cached read is older if it differs

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        clock: Callable[[], datetime] = now_utc,
        fast_hashing: bool = False,
        key: bytes | None = None,
        audit_key: AuditKey | None = None,
        anchor_path: Path | None = None,
        anchor_interval: float | None = None,
    ) -> Self:
        """Open (and migrate to the latest schema) the database of `url`, or the default SQLite file.

        `key` signs sessions; by default SAMRISK_SECRET_KEY, or a key generated into the data folder (identity.py).
        The audit key comes from the deployment (SAMRISK_AUDIT_KEY or the key file, see `load_key`); a trail
        written before the key existed is sealed once with a keyed entry.
        """
        store_key = key if key is not None else secret_key(DEFAULT_DATA_DIR)  # a bad key fails before migrating
        if not fast_hashing:
            password_hash_parameters()  # so does a bad SAMRISK_PASSWORD_HASH
        engine = _make_engine(database_url(url))
        with engine.begin() as conn:
            upgrade(conn)
        store = cls(
            engine,
            clock,
            fast_hashing,
            store_key,
            audit_key=audit_key,
            anchor_path=anchor_path,
            anchor_interval=anchor_interval,
        )
        store._seal_legacy_trail()
        return store

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._session() as s:
            with s.begin():
                yield s
            appended = s.info.pop("audit_appended", None)
            reads = s.info.pop("audit_reads", None)
        if appended is not None:  # a change was committed (every change writes its audit entry)
            self.last_write = next(self._writes)
        if reads:  # before the caller gets the data: a read whose entry cannot be written fails
            appended = self._append_reads(reads) or appended
        if appended is not None:
            self._anchor_after_commit(*appended)

    def _entry(
        self, user: UserInfo | None, action: str, case_id: int | None, record: str | None, detail: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "at": self.clock().isoformat(timespec="microseconds"),
            "user_id": user.id if user else None,
            "username": user.username if user else None,
            "agency": user.agency if user else None,
            "action": action,
            "case_id": case_id,
            "record": record,
            "detail": canonical(detail),
        }

    def _append(self, s: Session, entry: dict[str, Any]) -> tuple[int, str, int]:
        """Chain one entry onto the head, which stays locked until the transaction ends."""
        head = s.info.get("audit_head_row")
        if head is None:
            head = s.execute(select(db.AuditHead).where(db.AuditHead.id == 1).with_for_update()).scalar_one_or_none()
            if head is None:
                head = db.AuditHead(id=1, last_id=0, last_hash=GENESIS, count=0)
                s.add(head)
                s.flush()
            s.info["audit_head_row"] = head
        fields = {**entry, "id": head.last_id + 1, "prev_hash": head.last_hash}
        digest = self.audit_key.entry_mac(fields)
        s.add(db.AuditEntry(**fields, hash=digest))
        head.last_id, head.last_hash, head.count = fields["id"], digest, head.count + 1
        s.info["audit_appended"] = (head.last_id, digest, head.count)
        return head.last_id, digest, head.count

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
        """The entry of a change, in the change's own transaction: both are kept, or neither."""
        self._append(s, self._entry(user, action, case_id, record, detail))

    def _audit_read(
        self,
        s: Session,
        user: UserInfo | None,
        action: str,
        case_id: int | None = None,
        record: str | None = None,
        **detail: Any,
    ) -> None:
        """The entry of a read: written when the read's transaction ends and before its data is returned, together
        with the entries of other reads waiting at that moment (group commit), so reads do not queue one by one
        on the chain's head."""
        s.info.setdefault("audit_reads", []).append(self._entry(user, action, case_id, record, detail))

    def _append_reads(self, entries: list[dict[str, Any]]) -> tuple[int, str, int] | None:
        """Append `entries` in a batch with whatever other threads have waiting; return when they are committed.

        One thread at a time (the leader) takes every waiting entry and writes them in one transaction: one head
        lock and one commit for the batch instead of one per read.
        """
        slot = _PendingReads(entries)
        with self._pending_lock:
            self._pending.append(slot)
        with self._flush_lock:
            if not slot.done:
                with self._pending_lock:
                    batch, self._pending = self._pending, []
                error: BaseException | None = None
                head: tuple[int, str, int] | None = None
                try:
                    with self._session() as s, s.begin():
                        for waiting in batch:
                            for entry in waiting.entries:
                                head = self._append(s, entry)
                except BaseException as e:  # every reader in the batch gets it: no data without an entry
                    error = e
                for waiting in batch:
                    waiting.error, waiting.done = error, True
                slot.head = head
        if slot.error is not None:
            raise slot.error
        return slot.head

    def _anchor_after_commit(self, last_id: int, last_hash: str, count: int) -> None:
        """Write the signed head outside the database on the first append and then every `anchor_interval` s."""
        if self.anchor_path is None:
            return
        with self._anchor_lock:
            now = time.monotonic()
            if self._anchored_at is not None and now - self._anchored_at < self.anchor_interval:
                return
            self._anchored_at = now
        try:
            self._write_anchor(last_id, last_hash, count)
        except OSError as e:  # the user's call is committed; the failure is logged and `audit verify` reports it
            _log.error("audit anchor could not be written to %s: %s", self.anchor_path, e)

    def _write_anchor(self, last_id: int, last_hash: str, count: int) -> bool:
        assert self.anchor_path is not None
        anchor = sign_anchor(
            self.audit_key,
            database_label(self.engine.url),
            last_id,
            last_hash,
            count,
            self.clock().isoformat(timespec="seconds"),
        )
        return write_anchor(self.anchor_path, anchor, self.audit_key)

    def anchor_audit(self) -> dict[str, Any]:
        """Write the current head, signed, to the anchor file (run on a schedule: `python -m risk audit anchor`)."""
        if self.anchor_path is None:
            raise InputError(["audit anchor: no anchor path for an in-memory database; set SAMRISK_AUDIT_ANCHOR"])
        with self._tx() as s:
            head = s.get(db.AuditHead, 1)
            last_id, last_hash, count = (head.last_id, head.last_hash, head.count) if head else (0, GENESIS, 0)
        written = self._write_anchor(last_id, last_hash, count)
        return {"path": str(self.anchor_path), "last_id": last_id, "count": count, "written": written}

    def _seal_legacy_trail(self) -> None:
        """Seal a trail written before the audit key (plain SHA-256) with one keyed, recorded entry.

        Only when the newest entry is a valid legacy entry and no anchor exists yet: once a trail is keyed and
        anchored, an unkeyed tail is reported by `verify_audit`, never sealed.
        """
        if self.anchor_path is not None and self.anchor_path.exists():
            return
        with self._tx() as s:
            head = s.execute(select(db.AuditHead).where(db.AuditHead.id == 1).with_for_update()).scalar_one_or_none()
            if head is None or head.count == 0:
                return
            last = s.get(db.AuditEntry, head.last_id)
            if last is None:
                return
            fields = {k: getattr(last, k) for k in HASHED}
            if last.hash != head.last_hash or entry_hash(fields) != last.hash:
                return  # already keyed, or broken: verify_audit says which
            before = {
                name: s.execute(select(func.max(table.id))).scalar_one_or_none() or 0
                for name, table in (
                    ("users", db.User),
                    ("cases", db.Case),
                    ("assessments", db.Assessment),
                    ("overrides", db.Override),
                )
            }
            self._audit(
                s,
                None,
                SEAL_ACTION,
                legacy_entries=head.count,
                legacy_last_hash=head.last_hash,
                key_id=self.audit_key.key_id,
                before=before,
            )

    def verify_audit(self) -> list[str]:
        """[] when the audit trail is intact; otherwise one line per broken, altered or missing entry or record.

        Checks the keyed chain, its head, the signed anchor outside the database, the content of every saved
        assessment and override against the digest in its audit entry, and that no case, user, assessment or
        override exists without the entry that created it (an emptied or restarted trail).
        """
        anchor = read_anchor(self.anchor_path) if self.anchor_path is not None else None
        anchor_id = None
        if anchor is not None and isinstance(anchor.get("last_id"), int):
            anchor_id = int(anchor["last_id"])
        with self._tx() as s:
            rows = s.execute(select(db.AuditEntry).order_by(db.AuditEntry.id)).scalars()
            entries = ({**{k: getattr(r, k) for k in HASHED}, "hash": r.hash} for r in rows)
            head = s.get(db.AuditHead, 1)
            problems, state = verify(
                entries,
                None if head is None else {"last_id": head.last_id, "last_hash": head.last_hash, "count": head.count},
                self.audit_key,
                anchor_id,
            )
            problems += check_anchor(anchor, self.anchor_path, self.audit_key, database_label(self.engine.url), state)
            problems += self._verify_records(s, state)
            return problems

    def _verify_records(self, s: Session, state: ChainState) -> list[str]:
        """Saved content against the digests in the trail, and records that no audit entry accounts for."""
        key = self.audit_key
        before: dict[str, int] = {}
        if state.legacy_entries and state.seal_detail:
            before = {k: int(v) for k, v in dict(state.seal_detail.get("before") or {}).items()}
        users: set[int] = set()
        cases: set[int] = set()
        retained: set[int] = set()
        saved: dict[int, tuple[int, str | None]] = {}  # assessment row -> (entry id, content digest)
        overridden: dict[int, tuple[int, str | None]] = {}
        planned: dict[int, tuple[int, str | None]] = {}  # safety plan version row -> (entry id, content digest)
        for entry_id, action, case_id, record, detail_text in s.execute(
            select(
                db.AuditEntry.id,
                db.AuditEntry.action,
                db.AuditEntry.case_id,
                db.AuditEntry.record,
                db.AuditEntry.detail,
            ).where(db.AuditEntry.action.in_((*_CREATION_ACTIONS, *_RETENTION_ACTIONS)))
        ):
            if action in _RETENTION_ACTIONS:
                if case_id is not None:
                    retained.add(case_id)
                continue
            if action == "add_user" and record and record.startswith("user:"):
                users.add(int(record.split(":", 1)[1]))
            elif action == "create_case" and case_id is not None:
                cases.add(case_id)
            try:
                detail = json.loads(detail_text)
            except ValueError:
                continue  # an altered entry: named by the chain check
            if action == "save_assessment" and "row" in detail:
                saved[int(detail["row"])] = (entry_id, detail.get("content"))
            elif action == "save_conflict" and "kept" in detail:
                saved[int(detail["kept"])] = (entry_id, detail.get("content"))
            elif action == "override" and "override" in detail:
                overridden[int(detail["override"])] = (entry_id, detail.get("content"))
            elif action == "save_safety_plan" and "row" in detail:
                planned[int(detail["row"])] = (entry_id, detail.get("content"))

        problems: list[str] = []

        def unaccounted(what: str, ids: list[int]) -> None:
            if ids:
                shown = ", ".join(str(i) for i in ids[:10]) + (" …" if len(ids) > 10 else "")
                problems.append(
                    f"{len(ids)} {what} with no audit entry of their creation (ids {shown}): written outside the "
                    "Store, or the audit trail was emptied or restarted"
                )

        unaccounted(
            "user(s)",
            [
                i
                for i in s.execute(select(db.User.id).order_by(db.User.id)).scalars()
                if i > before.get("users", 0) and i not in users
            ],
        )
        unaccounted(
            "case(s)",
            [
                i
                for i in s.execute(select(db.Case.id).order_by(db.Case.id)).scalars()
                if i > before.get("cases", 0) and i not in cases
            ],
        )
        rows = {r.id: r for r in s.execute(select(db.Assessment)).scalars()}
        unaccounted(
            "assessment version(s)",
            sorted(i for i in rows if i > before.get("assessments", 0) and i not in saved),
        )
        for row_id, (entry_id, digest) in sorted(saved.items()):
            row = rows.get(row_id)
            if row is None:
                if not _retention_explains(s, retained, entry_id):
                    problems.append(f"assessment record {row_id} saved in audit entry {entry_id} is missing (deleted)")
            elif row.case_id not in retained and digest != key.content_digest(assessment_content(row)):
                problems.append(
                    f"assessment record {row_id} ({row.checklist}:{row.subject} version {row.version}, case "
                    f"{row.case_id}): answers or result changed after the save in audit entry {entry_id}"
                )
        overrides = {o.id: o for o in s.execute(select(db.Override)).scalars()}
        unaccounted(
            "override(s)",
            sorted(i for i in overrides if i > before.get("overrides", 0) and i not in overridden),
        )
        for override_id, (entry_id, digest) in sorted(overridden.items()):
            o = overrides.get(override_id)
            if o is None:
                if not _retention_explains(s, retained, entry_id):
                    problems.append(f"override {override_id} made in audit entry {entry_id} is missing (deleted)")
            elif digest != key.content_digest(override_content(o)):
                case_id = rows[o.assessment_id].case_id if o.assessment_id in rows else None
                if case_id not in retained:
                    problems.append(
                        f"override {override_id} (case {case_id}): level or reason changed after audit entry {entry_id}"
                    )
        plans = {p.id: p for p in s.execute(select(db.SafetyPlan)).scalars()}
        unaccounted("safety plan version(s)", sorted(i for i in plans if i not in planned))
        for plan_id, (entry_id, digest) in sorted(planned.items()):
            plan = plans.get(plan_id)
            if plan is None:
                if not _retention_explains(s, retained, entry_id):
                    problems.append(
                        f"safety plan record {plan_id} saved in audit entry {entry_id} is missing (deleted)"
                    )
            elif plan.case_id not in retained and digest != key.content_digest(safety_plan_content(plan)):
                problems.append(
                    f"safety plan record {plan_id} ({plan.kind}:{plan.person} version {plan.version}, case "
                    f"{plan.case_id}): its content changed after the save in audit entry {entry_id}"
                )
        return problems

    def audit_entries(self, user: UserInfo, case_id: int | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Who did what, when. Admins see all entries (not case content); others only their own case's."""
        with self._tx() as s:
            q = select(db.AuditEntry).order_by(db.AuditEntry.id.desc()).limit(limit)
            if user.role != "admin":
                if case_id is None:
                    raise PermissionDenied(
                        problem("audit_admin_only", "user", "only an admin may read the whole audit trail")
                    )
                self._open_case(s, user, case_id)
            if case_id is not None:
                q = q.where(db.AuditEntry.case_id == case_id)
            rows = list(s.execute(q).scalars())
            self._audit_read(s, user, "read_audit", case_id)
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
            raise PermissionDenied(
                problem(
                    "account_inactive", "user", f"user {user.username} is not an active account", user=user.username
                )
            )
        org = row.organisation_id
        if org is None:
            org = self._default_organisation(s, row.agency).id
        return Viewer(row.role, row.agency, org)

    def _access(self, s: Session, case_id: int, full: bool = True) -> CaseAccess:
        """What decides access to a case; `full=False` reads only its organisations (enough to open it for a write)."""
        return self._access_many(s, [case_id], full)[case_id]

    def _access_many(
        self, s: Session, case_ids: Sequence[int], full: bool = True, tree: Mapping[int, Org] | None = None
    ) -> dict[int, CaseAccess]:
        """`_access` of several cases in one statement per kind of fact, however many cases (a page of a list)."""
        ids = list(dict.fromkeys(case_ids))
        organisations: dict[int, set[int]] = {cid: set() for cid in ids}
        if ids:
            for cid, org in s.execute(
                select(db.CaseOrganisation.case_id, db.CaseOrganisation.organisation_id).where(
                    db.CaseOrganisation.case_id.in_(ids)
                )
            ):
                organisations[cid].add(org)
        tree = tree if tree is not None else self._tree(s)
        if not full:
            return {cid: CaseAccess(organisations[cid], tree) for cid in ids}
        consents: dict[int, list[ConsentFact]] = {cid: [] for cid in ids}
        reports: dict[int, list[ConcernFact]] = {cid: [] for cid in ids}
        shares: dict[int, list[ShareFact]] = {cid: [] for cid in ids}
        if ids:
            for c in s.execute(select(db.Consent).where(db.Consent.case_id.in_(ids)).order_by(db.Consent.id)).scalars():
                consents[c.case_id].append(
                    ConsentFact(
                        c.person,
                        _org_id(c.to_organisation_id),
                        _org_id(c.holder_organisation_id),
                        _org_id(c.recorded_by_organisation_id),
                        c.signed_reference,
                        c.recorded_at,
                        c.withdrawn_at,
                    )
                )
            for r in s.execute(
                select(db.ConcernReport).where(db.ConcernReport.case_id.in_(ids)).order_by(db.ConcernReport.id)
            ).scalars():
                reports[r.case_id].append(
                    ConcernFact(r.child, _org_id(r.from_organisation_id), _org_id(r.to_organisation_id))
                )
            for x in s.execute(
                select(db.ConferenceShare).where(db.ConferenceShare.case_id.in_(ids)).order_by(db.ConferenceShare.id)
            ).scalars():
                shares[x.case_id].append(ShareFact(x.checklist, x.subject, _org_id(x.organisation_id)))
        return {cid: CaseAccess(organisations[cid], tree, consents[cid], reports[cid], shares[cid]) for cid in ids}

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
            raise PermissionDenied(
                problem(
                    "case_no_access",
                    "case",
                    f"{user.role} at {user.agency} has no access to case {case_id}",
                    role=user.role,
                    agency=user.agency,
                )
            )
        return case, access

    def _persons(self, s: Session, case_id: int) -> list[db.Person]:
        return list(s.execute(select(db.Person).where(db.Person.case_id == case_id).order_by(db.Person.id)).scalars())

    def _require_person(self, s: Session, case_id: int, key: str) -> db.Person:
        p = s.execute(select(db.Person).where(db.Person.case_id == case_id, db.Person.key == key)).scalar_one_or_none()
        if p is None:
            raise InputError(
                [problem("person_unknown", "person", f"person: no person {key!r} in case {case_id}", person=key)]
            )
        return p

    def _visible_rows(
        self, s: Session, viewer: Viewer, case_id: int, access: CaseAccess
    ) -> list[tuple[db.Assessment, str]]:
        return self._visible_rows_many(s, viewer, {case_id: access})[case_id]

    def _visible_rows_many(
        self, s: Session, viewer: Viewer, accesses: Mapping[int, CaseAccess]
    ) -> dict[int, list[tuple[db.Assessment, str]]]:
        """The saved versions the viewer may see, with why, of each case in `accesses`: one statement for all."""
        out: dict[int, list[tuple[db.Assessment, str]]] = {cid: [] for cid in accesses}
        if not accesses:
            return out
        rows = s.execute(
            select(db.Assessment)
            .where(db.Assessment.case_id.in_(list(accesses)), db.Assessment.version.is_not(None))
            .order_by(db.Assessment.case_id, db.Assessment.checklist, db.Assessment.subject, db.Assessment.version)
        ).scalars()
        for r in rows:
            basis = assessment_basis(
                viewer,
                accesses[r.case_id],
                checklist=r.checklist,
                subject=r.subject,
                holder=_org_id(r.organisation_id),
                saved_at=r.saved_at,
            )
            if basis:
                out[r.case_id].append((r, basis))
        return out

    def _overrides(self, s: Session, ids: list[int]) -> dict[int, db.Override]:
        if not ids:
            return {}
        rows = s.execute(select(db.Override).where(db.Override.assessment_id.in_(ids)).order_by(db.Override.id))
        return {o.assessment_id: o for o in rows.scalars()}

    def _latest_row(
        self, s: Session, case_id: int, checklist: str, subject: str, agency: str, about_key: str | None = None
    ) -> db.Assessment | None:
        """The latest saved version of an agency's assessment of a person; `about_key` narrows it to one perpetrator
        (None: whichever was saved last)."""
        q = select(db.Assessment).where(
            db.Assessment.case_id == case_id,
            db.Assessment.checklist == checklist,
            db.Assessment.subject == subject,
            db.Assessment.agency == agency,
            db.Assessment.version.is_not(None),
        )
        if about_key is not None:
            q = q.where(db.Assessment.about_key == about_key)
        return s.execute(q.order_by(db.Assessment.version.desc()).limit(1)).scalar_one_or_none()


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


def assessment_content(row: db.Assessment) -> dict[str, Any]:
    """What a save's audit entry vouches for: the answers, the result and where they belong."""
    return {
        "case_id": row.case_id,
        "checklist": row.checklist,
        "subject": row.subject,
        "about": row.about,
        "agency": row.agency,
        "version": row.version,
        "answers": row.answers,
        "result": row.result,
        "level": row.level,
    }


def safety_plan_content(row: db.SafetyPlan) -> dict[str, Any]:
    """What the audit entry of a safety plan's save digests: a plan changed afterwards no longer matches it."""
    return {
        "person": row.person,
        "kind": row.kind,
        "version": row.version,
        "content": row.content,
        "language": row.language,
    }


def override_content(o: db.Override) -> dict[str, Any]:
    return {"assessment_id": o.assessment_id, "level": o.level, "reason": o.reason, "made_by": o.made_by}


def _retention_explains(s: Session, retained: set[int], entry_id: int) -> bool:
    """A record gone because retention deleted its case: the save entry's case has a retention entry."""
    case_id = s.execute(select(db.AuditEntry.case_id).where(db.AuditEntry.id == entry_id)).scalar_one_or_none()
    return case_id in retained
