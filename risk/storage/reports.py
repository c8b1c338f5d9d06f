"""Lists, figures and retention: the case list, aggregate statistics, pseudonymisation and deletion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from risk.errors import InputError
from risk.storage import schema as db
from risk.storage.access import (
    ACCOUNT_MANAGERS,
    MIN_CELL,
    root,
    statistics_scope,
    suppress_small_cells,
)
from risk.storage.accounts import UserInfo
from risk.storage.audit import AuditKey
from risk.storage.base import (
    PermissionDenied,
    StoreBase,
)
from risk.storage.search import index_reference


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


RETENTION_ACTIONS = {"pseudonymise": "retention_pseudonymise", "delete": "retention_delete"}  # audit codes
STATISTICS_DIMENSIONS = ("checklist", "agency", "level", "gender", "age_band")


AGE_BANDS: tuple[tuple[int, str], ...] = ((12, "0-12"), (17, "13-17"), (24, "18-24"), (44, "25-44"), (64, "45-64"))
OLDEST_BAND = "65+"
UNKNOWN = "unknown"  # a missing level, gender or age in the figures


def _age_band(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    for upper, label in AGE_BANDS:
        if age <= upper:
            return label
    return OLDEST_BAND


def _dimension_columns() -> dict[str, ColumnElement[str] | InstrumentedAttribute[str]]:
    """Each figure dimension as an SQL expression, so the database groups and counts (the same bands as
    `_age_band`)."""
    age_band = case(
        (db.Person.age.is_(None), UNKNOWN),
        *((db.Person.age <= upper, label) for upper, label in AGE_BANDS),
        else_=OLDEST_BAND,
    )
    return {
        "checklist": db.Assessment.checklist,
        "agency": db.Assessment.agency,
        "level": func.coalesce(db.Assessment.level, UNKNOWN),
        "gender": func.coalesce(db.Person.gender, UNKNOWN),
        "age_band": age_band,
    }


def _age_band_floor(age: int | None) -> int | None:
    if age is None:
        return None
    return {"0-12": 0, "13-17": 13, "18-24": 18, "25-44": 25, "45-64": 45, "65+": 65}[_age_band(age)]


class ReportsMixin(StoreBase):
    def statistics(self, user: UserInfo, by: Sequence[str] = ("checklist", "level")) -> dict[str, Any]:
        """Counts of latest assessment levels grouped `by` (checklist, agency, level, gender, age_band): never a
        row, and no count below MIN_CELL (those cells come back as None, with enough others hidden that none
        can be worked out). Supervisors and coordinators see their own organisation's figures, admins all.
        The database groups and counts: no assessment row reaches Python."""
        dims = tuple(by)
        bad = [d for d in dims if d not in STATISTICS_DIMENSIONS]
        if bad or not dims or len(set(dims)) != len(dims):
            raise InputError([f"by: {list(dims)}; give one or more of {', '.join(STATISTICS_DIMENSIONS)}, once each"])
        with self._tx() as s:
            viewer = self._viewer(s, user)
            scope = statistics_scope(viewer)
            if scope is None:
                raise PermissionDenied("figures are for supervisors")
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
            rows = (
                select(*(column.label(name) for name, column in _dimension_columns().items()))
                .select_from(db.Assessment)
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
            if scope == "organisation":  # the user's own organisation, all its units
                tree = self._tree(s)
                home = root(tree, viewer.organisation)
                rows = rows.where(db.Assessment.organisation_id.in_([o for o in tree if root(tree, o) == home]))
            flat = rows.subquery()
            grouped = [flat.c[d] for d in dims]
            counts: dict[tuple[str, ...], int] = {
                tuple(str(v) for v in row[:-1]): int(row[-1])
                for row in s.execute(select(*grouped, func.count()).group_by(*grouped))
            }
            cells = suppress_small_cells(counts, MIN_CELL)
            self._audit_read(s, user, "read_statistics", by=list(dims), cells=len(cells), scope=scope)
            return {
                "by": list(dims),
                "min_cell": MIN_CELL,
                "scope": scope,
                "cells": [
                    {**dict(zip(dims, key, strict=True)), "count": n, "suppressed": n is None}
                    for key, n in sorted(cells.items())
                ],
            }

    def apply_retention(
        self,
        older_than_days: int,
        mode: str = "pseudonymise",
        by: UserInfo | None = None,
        training_days: int | None = None,
    ) -> Retained:
        """Delete or pseudonymise cases with no activity for `older_than_days`; each leaves an audit entry. Then the
        training records past `training_days` (the same period when None) are deleted (`apply_training_retention`).
        Returns the ids of the cases, with the training rows deleted beside them.

        Runs as the database owner (it changes append-only tables), from `python -m risk retention apply`.
        """
        if by is None or by.role not in ACCOUNT_MANAGERS:  # the Store resolved `by` (store.py)
            raise PermissionDenied("only an admin or the system actor may apply retention")
        if mode not in RETENTION_ACTIONS:
            raise InputError([f"mode: {mode!r}; allowed: {', '.join(RETENTION_ACTIONS)}"])
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
                    _pseudonymise_case(s, self.audit_key, case, self.clock())
                self._audit(s, by, RETENTION_ACTIONS[mode], case.id, f"case:{case.id}", older_than_days=older_than_days)
                done.append(case.id)
        attempts, assignments = self.apply_training_retention(
            older_than_days if training_days is None else training_days, by
        )
        return Retained(done, training_attempts=attempts, training_assignments=assignments)

    def apply_training_retention(self, older_than_days: int, by: UserInfo | None = None) -> tuple[int, int]:
        """Delete practice attempts finished more than `older_than_days` ago, and assignments whose due date (or,
        without one, the day they were made) is that old; returns how many of each. One audit entry says how many.

        An attempt is a person's work and results (personal data about an employee): nothing of it is kept past
        the period, as pseudonymising would leave nothing a trainer could use. Never touches a case.
        """
        if by is None or by.role not in ACCOUNT_MANAGERS:
            raise PermissionDenied("only an admin or the system actor may apply retention")
        if older_than_days < 1:
            raise InputError(["training_days: must be at least 1"])
        cutoff = self.clock() - timedelta(days=older_than_days)
        with self._tx() as s:
            old_attempts = delete(db.TrainingAttempt).where(db.TrainingAttempt.finished_at < cutoff)
            old_assignments = delete(db.TrainingAssignment).where(
                or_(
                    db.TrainingAssignment.due < cutoff.date(),
                    db.TrainingAssignment.due.is_(None) & (db.TrainingAssignment.assigned_at < cutoff),
                )
            )
            attempts = len(s.execute(old_attempts.returning(db.TrainingAttempt.id)).all())
            assignments = len(s.execute(old_assignments.returning(db.TrainingAssignment.id)).all())
            self._audit(
                s,
                by,
                "retention_training",
                None,
                "training",
                older_than_days=older_than_days,
                attempts=attempts,
                assignments=assignments,
            )
        return attempts, assignments


class Retained(list[int]):
    """The ids of the cases retention pseudonymised or deleted, with the training rows it deleted beside them."""

    def __init__(self, cases: Sequence[int], *, training_attempts: int = 0, training_assignments: int = 0) -> None:
        super().__init__(cases)
        self.training_attempts = training_attempts
        self.training_assignments = training_assignments


def retention_pseudonym(key: AuditKey, reference: str) -> str:
    """A keyed pseudonym for a case reference: whoever holds the key can find a known reference's case again;
    nobody without it can confirm a guessed reference by hashing it."""
    return "pseudonym-" + key.mac({"purpose": "retention_pseudonym", "reference": reference})[:20]


def _pseudonymise_case(s: Session, key: AuditKey, case: db.Case, now: datetime) -> None:
    """Keep the figures (levels, roles, age bands, gender, dates); remove what could identify a person.

    Removed: the reference (keyed pseudonym), answers and results, override reasons, action items (responsible,
    notes), drafts; person ids, which users may have typed as names, become `victim-1`, `child-2`, ... in every
    table that refers to them. Audit entries are not changed (that would break the chain): they hold person ids
    and record names, never answers, reasons or references.
    """
    case.reference = retention_pseudonym(key, case.reference)
    index_reference(s, case)  # the old reference's words go with it
    case.pseudonymised_at = now
    persons = list(s.execute(select(db.Person).where(db.Person.case_id == case.id).order_by(db.Person.id)).scalars())
    seen: dict[str, int] = {}
    renamed: dict[str, str] = {}
    for p in persons:
        seen[p.role] = seen.get(p.role, 0) + 1
        renamed[p.key] = f"{p.role}-{seen[p.role]}"
    for p in persons:
        p.key = f"~{p.id}"  # first a name no person has, so that two renamings never collide
        p.age = _age_band_floor(p.age)
    s.flush()
    for p, new_key in zip(persons, renamed.values(), strict=True):
        p.key = new_key
    for table in (db.Draft, db.ActionItem, db.PersonChange, db.SafetyPlan):
        s.execute(delete(table).where(table.case_id == case.id))
    for row in s.execute(select(db.Assessment).where(db.Assessment.case_id == case.id)).scalars():
        row.answers = {}
        row.result = None
        row.subject = renamed.get(row.subject, row.subject)
        row.about = renamed.get(row.about, row.about) if row.about else None
    for o in s.execute(select(db.Override).join(db.Assessment).where(db.Assessment.case_id == case.id)).scalars():
        o.reason = "(removed by retention)"
    for c in s.execute(select(db.Consent).where(db.Consent.case_id == case.id)).scalars():
        c.person = renamed.get(c.person, c.person)
    for r in s.execute(select(db.ConcernReport).where(db.ConcernReport.case_id == case.id)).scalars():
        r.child = renamed.get(r.child, r.child)
    for x in s.execute(select(db.ConferenceShare).where(db.ConferenceShare.case_id == case.id)).scalars():
        x.subject = renamed.get(x.subject, x.subject)
