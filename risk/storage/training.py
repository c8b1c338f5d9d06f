"""Training results per person and unit, and practice cases assigned to a unit (issue 11).

An attempt is the trainee's work on a synthetic practice case and its feedback (risk.training); it is never a case:
nothing here touches `cases`, `persons` or `assessments`. Who sees what is decided in access.py; every change and
every read of others' results is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from risk.errors import InputError, problem
from risk.storage import schema as db
from risk.storage.access import Org, assignment_problems, may_read_attempt, may_train, sees_assignments_of, within
from risk.storage.accounts import UserInfo
from risk.storage.base import PermissionDenied, StoreBase

if TYPE_CHECKING:  # the practice cases and the engine are imported on use: the sign-in page needs neither
    from risk.training import Feedback, TraineeWork


@dataclass(frozen=True)
class Attempt:
    id: int
    username: str
    unit: str
    case_id: str
    case_version: str
    started_at: datetime
    finished_at: datetime
    score: int
    feedback: Feedback


@dataclass(frozen=True)
class Assignment:
    unit: str
    case_id: str
    assigned_by: str
    assigned_at: datetime
    due: date | None


class TrainingMixin(StoreBase):
    def save_training_attempt(self, user: UserInfo, case_id: str, work: TraineeWork, started_at: datetime) -> Attempt:
        """Score the trainee's work against the practice case (the engine, never the caller, decides the feedback)
        and keep it under the trainee and their unit."""
        from risk.training import default_training, feedback

        case = default_training().cases.get(case_id)
        if case is None:
            raise InputError(
                [problem("practice_case_unknown", "case", f"case: {case_id!r} is not a practice case", value=case_id)]
            )
        result = feedback(case, work)
        now = self.clock()
        with self._tx() as s:
            viewer = self._viewer(s, user)
            if not may_train(viewer):
                raise PermissionDenied(
                    problem("practice_role", "user", "this role does not work practice cases", role=viewer.role)
                )
            row = db.TrainingAttempt(
                user_id=user.id,
                organisation_id=viewer.organisation,
                case_key=case.id,
                case_version=case.version,
                started_at=min(started_at, now),
                finished_at=now,
                score=result.score,
                work=work.model_dump(mode="json"),
                feedback=result.model_dump(mode="json"),
            )
            s.add(row)
            s.flush()
            self._audit(s, user, "training_attempt", record=f"training:{row.id}", case=case.id, score=result.score)
            return self._attempt(s, row)

    def training_attempts(self, user: UserInfo, unit: str | None = None, case_id: str | None = None) -> list[Attempt]:
        """Own attempts (unit None), or a unit's attempts for a trainer (the unit and its sub-units); newest first."""
        with self._tx() as s:
            viewer = self._viewer(s, user)
            tree = self._tree(s)
            q = select(db.TrainingAttempt).order_by(db.TrainingAttempt.finished_at.desc(), db.TrainingAttempt.id.desc())
            org = self._unit_id(s, unit)
            if unit is None:
                q = q.where(db.TrainingAttempt.user_id == user.id)
            else:
                if assignment_problems(viewer, org, tree):
                    self._audit(s, user, "training_results_refused", record=f"organisation:{unit}")
                    s.commit()  # the refusal itself is kept in the audit trail
                    raise PermissionDenied(
                        problem(
                            "training_results_trainer_only",
                            "unit",
                            "only a trainer of this unit may read its training results",
                        )
                    )
            if case_id is not None:
                q = q.where(db.TrainingAttempt.case_key == case_id)
            rows = [
                r
                for r in s.execute(q).scalars()
                if may_read_attempt(viewer, user.id, r.user_id, r.organisation_id, tree)
                and (org is None or within(tree, r.organisation_id, org))
            ]
            if unit is not None:
                self._audit_read(s, user, "read_training_results", record=f"organisation:{unit}", n=len(rows))
            return [self._attempt(s, r) for r in rows]

    def assign_training(self, by: UserInfo, unit: str, case_ids: list[str], due: date | None = None) -> list[str]:
        """Assign practice cases to a unit (a trainer, to their own unit or a sub-unit); returns the cases newly
        assigned (an assignment already there is kept, its due date updated)."""
        from risk.training import default_training

        library = default_training().cases
        unknown = [c for c in case_ids if c not in library]
        if unknown or not case_ids:
            raise InputError(
                [
                    problem("practice_case_unknown", "case", f"case: {c!r} is not a practice case", value=c)
                    for c in unknown
                ]
                or [problem("practice_case_none", "case", "case: choose at least one practice case")]
            )
        with self._tx() as s:
            viewer = self._viewer(s, by)
            tree = self._tree(s)
            org = self._unit_id(s, unit)
            problems = assignment_problems(viewer, org, tree)
            if problems:
                self._audit(s, by, "assign_training_refused", record=f"organisation:{unit}")
                s.commit()
                if org is None:
                    raise InputError(problems)
                raise PermissionDenied(*problems)
            assert org is not None
            existing = {
                r.case_key: r
                for r in s.execute(
                    select(db.TrainingAssignment).where(db.TrainingAssignment.organisation_id == org)
                ).scalars()
            }
            added: list[str] = []
            now = self.clock()
            for case_id in dict.fromkeys(case_ids):
                row = existing.get(case_id)
                if row is not None:
                    row.due = due
                    continue
                s.add(
                    db.TrainingAssignment(
                        organisation_id=org, case_key=case_id, assigned_by=by.id, assigned_at=now, due=due
                    )
                )
                added.append(case_id)
            self._audit(
                s,
                by,
                "assign_training",
                record=f"organisation:{unit}",
                cases=list(dict.fromkeys(case_ids)),
                due=due.isoformat() if due else None,
            )
            return added

    def training_assignments(self, user: UserInfo, unit: str | None = None) -> list[Assignment]:
        """The practice cases assigned to the user's unit (and units above it), or, for a trainer, to `unit`."""
        with self._tx() as s:
            viewer = self._viewer(s, user)
            tree = self._tree(s)
            target = self._unit_id(s, unit) if unit is not None else None
            if unit is not None and (target is None or not sees_assignments_of(viewer, target, tree)):
                raise PermissionDenied(
                    problem("assignments_not_yours", "unit", "you may not read this unit's assignments")
                )
            rows = s.execute(select(db.TrainingAssignment).order_by(db.TrainingAssignment.assigned_at)).scalars()
            keys = {o.id: o.key for o in tree.values()}
            out = []
            for r in rows:
                if target is not None and r.organisation_id != target:
                    continue
                if target is None and r.organisation_id not in _ancestors(tree, viewer.organisation):
                    continue
                by = s.get(db.User, r.assigned_by)
                out.append(
                    Assignment(
                        unit=keys.get(r.organisation_id, ""),
                        case_id=r.case_key,
                        assigned_by=by.username if by else "",
                        assigned_at=r.assigned_at,
                        due=r.due,
                    )
                )
            return out

    def training_units(self, user: UserInfo) -> list[str]:
        """The units whose training a trainer answers for: their own and its sub-units (none for others)."""
        with self._tx() as s:
            viewer = self._viewer(s, user)
            tree = self._tree(s)
            return sorted(o.key for o in tree.values() if not assignment_problems(viewer, o.id, tree))

    def _unit_id(self, s: Session, key: str | None) -> int | None:
        if key is None:
            return None
        row = s.execute(select(db.Organisation).where(db.Organisation.key == key)).scalar_one_or_none()
        return row.id if row is not None else None

    def _attempt(self, s: Session, r: db.TrainingAttempt) -> Attempt:
        from risk.training import Feedback

        u = s.get(db.User, r.user_id)
        o = s.get(db.Organisation, r.organisation_id)
        return Attempt(
            id=r.id,
            username=u.username if u else "",
            unit=o.key if o else "",
            case_id=r.case_key,
            case_version=r.case_version,
            started_at=r.started_at,
            finished_at=r.finished_at,
            score=r.score,
            feedback=Feedback.model_validate(r.feedback),
        )


def _ancestors(tree: dict[int, Org], org: int) -> set[int]:
    out: set[int] = set()
    current: int | None = org
    while current is not None and current not in out:
        out.add(current)
        current = tree[current].parent if current in tree else None
    return out
