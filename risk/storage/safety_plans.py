"""Safety plans as case records: a person's victim or suicide safety plan, saved as versions (never overwritten),
each save and read audited, seen only as access.py decides (`safety_plan_basis`). The templates and the checks of
the answers are data (checklists/safety_plans.yaml, risk/safety_plans.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from risk.errors import InputError, problem
from risk.storage import schema as db
from risk.storage.access import CaseAccess, Viewer, root, safety_plan_basis, safety_plan_write_problems
from risk.storage.accounts import UserInfo
from risk.storage.base import PermissionDenied, StoreBase, _org_id, safety_plan_content
from risk.vocabulary import Language

SAVE_ATTEMPTS = 3  # two saves of the same plan at once: the later one takes the next version number


class SafetyPlansMixin(StoreBase):
    def save_safety_plan(
        self, user: UserInfo, case_id: int, person: str, kind: str, answers: dict[str, str], language: str
    ) -> dict[str, Any]:
        """Save the person's plan as a new version (the first is version 1); returns the version as read back.

        Refused, naming what to fix, for an unknown plan, a person of another role than the plan is for, an unknown
        section, an over-long answer or an empty plan; refused for a user who may not write plans in the case."""
        from risk.safety_plans import answer_problems, clean_answers, default_safety_plans  # imported on use

        template = default_safety_plans().plan(kind)
        problems: list[str] = []
        if template is None:
            known = ", ".join(p.id for p in default_safety_plans().plans)
            problems.append(
                problem(
                    "safety_plan_unknown", "kind", f"kind: {kind!r} is not a safety plan; plans: {known}", value=kind
                )
            )
        else:
            problems += answer_problems(template, answers)
        if language not in {lg.value for lg in Language}:
            problems.append(
                problem(
                    "language_unknown",
                    "language",
                    f"language: {language!r}; allowed: {', '.join(lg.value for lg in Language)}",
                    value=language,
                )
            )
        if problems:
            raise InputError(problems)
        assert template is not None
        content = clean_answers(template, answers)
        for attempt in range(SAVE_ATTEMPTS):
            try:
                with self._tx() as s:
                    _, access = self._open_case(s, user, case_id)
                    viewer = self._viewer(s, user)
                    denied = safety_plan_write_problems(viewer, access)
                    if denied:
                        raise PermissionDenied(*denied)
                    row_person = self._require_person(s, case_id, person)
                    if not template.for_role(row_person.role):
                        roles = ", ".join(r.value for r in template.person_roles)
                        raise InputError(
                            [
                                problem(
                                    "safety_plan_person_role",
                                    "person",
                                    f"person: {person} is a {row_person.role}; the {kind} plan is for: {roles}",
                                    person=person,
                                    person_role=row_person.role,
                                    plan=kind,
                                    person_roles=tuple(r.value for r in template.person_roles),
                                )
                            ]
                        )
                    holder = root(access.tree, viewer.organisation)
                    latest = s.execute(
                        select(func.max(db.SafetyPlan.version)).where(
                            db.SafetyPlan.case_id == case_id,
                            db.SafetyPlan.person == person,
                            db.SafetyPlan.kind == kind,
                            db.SafetyPlan.holder_id == holder,
                        )
                    ).scalar_one_or_none()
                    row = db.SafetyPlan(
                        case_id=case_id,
                        person=person,
                        kind=kind,
                        version=(latest or 0) + 1,
                        content=content,
                        language=language,
                        organisation_id=viewer.organisation,
                        holder_id=holder,
                        created_by=user.id,
                        created_at=self.clock(),
                    )
                    s.add(row)
                    s.flush()
                    self._touch(s, case_id)
                    self._audit(
                        s,
                        user,
                        "save_safety_plan",
                        case_id,
                        f"safety_plan:{kind}:{person}:{row.version}",
                        row=row.id,
                        sections=sorted(content),
                        content=self.audit_key.content_digest(safety_plan_content(row)),
                    )
                    saved = _plan_dict(row, "own_agency", {user.id: user.username}, access)
                return saved
            except IntegrityError:
                if attempt == SAVE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def safety_plans(self, user: UserInfo, case_id: int) -> list[dict[str, Any]]:
        """The latest version the user may see of each safety plan in the case, by person and kind (and holder,
        where another organisation's plan is open to the user too), oldest first; [] for a user who sees none."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id, full=True)
            visible = self._visible_plans(s, self._viewer(s, user), case_id, access)
            latest: dict[tuple[str, str, int | None], tuple[db.SafetyPlan, str]] = {}
            for row, basis in visible:
                latest[(row.person, row.kind, row.holder_id)] = (row, basis)
            names = self._plan_authors(s, [r for r, _ in latest.values()])
            self._audit_read(s, user, "read_safety_plans", case_id, f"case:{case_id}", plans=len(latest))
            return [_plan_dict(r, b, names, access) for r, b in sorted(latest.values(), key=lambda rb: rb[0].id)]

    def safety_plan_versions(self, user: UserInfo, case_id: int, person: str, kind: str) -> list[dict[str, Any]]:
        """Every version of `person`'s `kind` plan the user may see, oldest first (each holder's versions in turn)."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id, full=True)
            rows = [
                (r, b)
                for r, b in self._visible_plans(s, self._viewer(s, user), case_id, access)
                if r.person == person and r.kind == kind
            ]
            names = self._plan_authors(s, [r for r, _ in rows])
            self._audit_read(
                s, user, "read_safety_plan_versions", case_id, f"safety_plan:{kind}:{person}", versions=len(rows)
            )
            return [_plan_dict(r, b, names, access) for r, b in rows]

    def _visible_plans(
        self, s: Session, viewer: Viewer, case_id: int, access: CaseAccess
    ) -> list[tuple[db.SafetyPlan, str]]:
        rows = s.execute(
            select(db.SafetyPlan)
            .where(db.SafetyPlan.case_id == case_id)
            .order_by(db.SafetyPlan.holder_id, db.SafetyPlan.person, db.SafetyPlan.kind, db.SafetyPlan.version)
        ).scalars()
        out = []
        for r in rows:
            basis = safety_plan_basis(
                viewer, access, person=r.person, holder=_org_id(r.holder_id), saved_at=r.created_at
            )
            if basis:
                out.append((r, basis))
        return out

    def _plan_authors(self, s: Session, rows: list[db.SafetyPlan]) -> dict[int, str]:
        wanted = {r.created_by for r in rows}
        if not wanted:
            return {}
        return {i: n for i, n in s.execute(select(db.User.id, db.User.username).where(db.User.id.in_(wanted)))}


def _plan_dict(row: db.SafetyPlan, basis: str, names: dict[int, str], access: CaseAccess) -> dict[str, Any]:
    org = access.tree.get(row.organisation_id) if row.organisation_id is not None else None
    return {
        "person": row.person,
        "kind": row.kind,
        "version": row.version,
        "content": dict(row.content),
        "language": row.language,
        "organisation": org.key if org is not None else None,
        "agency": org.agency if org is not None else None,
        "created_by": names.get(row.created_by),
        "created_at": row.created_at.isoformat(timespec="minutes"),
        "visible_because": basis,
    }
