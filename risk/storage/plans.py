"""The action plan of a case (versioned items with owner, responsible, due date, status) and its timeline."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from risk.errors import InputError, Problem, problem
from risk.storage import schema as db
from risk.storage.access import CaseAccess, Viewer, action_basis
from risk.storage.accounts import UserInfo
from risk.storage.base import (
    ConflictError,
    NotFound,
    StoreBase,
)
from risk.vocabulary import Agency

ACTION_STATUSES = ("planned", "in_progress", "done", "cancelled")


OTHER_STEP = "other"  # an action of the plan's own, not one of the engine's steps: its note says what it is


def _action_problems(
    owner_agency: str, responsible: str, status: str, step_id: str | None = None, note: str | None = None
) -> list[Problem]:
    problems = []
    if step_id == OTHER_STEP and not (note or "").strip():
        problems.append(
            problem("action_note_missing", "note", "note: say what the other action is; it has no text of its own")
        )
    if owner_agency not in {a.value for a in Agency}:
        problems.append(
            problem(
                "action_owner_unknown",
                "owner_agency",
                f"owner_agency: {owner_agency!r}; allowed: {', '.join(a.value for a in Agency)}",
                value=owner_agency,
            )
        )
    if not responsible or not responsible.strip():
        problems.append(
            problem("action_responsible_missing", "responsible", "responsible: name the person or function responsible")
        )
    if status not in ACTION_STATUSES:
        problems.append(
            problem(
                "action_status_unknown",
                "status",
                f"status: {status!r}; allowed: {', '.join(ACTION_STATUSES)}",
                value=status,
                statuses=ACTION_STATUSES,
            )
        )
    return problems


class ActionPlanMixin(StoreBase):
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
        problems = _action_problems(owner_agency, responsible, status, step_id, note)
        if problems:
            raise InputError(problems)
        with self._tx() as s:
            self._open_case(s, user, case_id)
            viewer = self._viewer(s, user)
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
                    note=note.strip() if note else None,
                    organisation_id=viewer.organisation,
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
            _, access = self._open_case(s, user, case_id)
            viewer = self._viewer(s, user)
            versions = list(
                s.execute(
                    select(db.ActionItem)
                    .where(db.ActionItem.item == item, db.ActionItem.case_id == case_id)
                    .order_by(db.ActionItem.version)
                ).scalars()
            )
            if not versions or not self._action_visible(viewer, access, versions[0], versions[-1]):
                raise NotFound(f"no action item {item} in case {case_id}")  # the same answer: nothing revealed
            current = versions[-1]
            if current.version != base_version:
                raise ConflictError(
                    problem(
                        "action_changed",
                        "base_version",
                        f"the action item was changed (version {current.version}) after version {base_version}; "
                        "reload it",
                        version=current.version,
                        base_version=base_version,
                    ),
                    current.version,
                    current.id,
                )
            fields = {
                k: getattr(current, k) for k in ("step_id", "owner_agency", "responsible", "due_date", "status", "note")
            }
            unknown = set(changes) - set(fields)
            if unknown:
                raise InputError(
                    [
                        problem("action_field_unknown", k, f"{k}: not a field of an action item", value=k)
                        for k in sorted(unknown)
                    ]
                )
            fields.update(changes)
            described = {"step_id", "note"} & set(changes)  # an older 'other' item may change status without a note
            problems = _action_problems(
                fields["owner_agency"],
                fields["responsible"],
                fields["status"],
                fields["step_id"] if described else None,
                fields["note"],
            )
            if problems:
                raise InputError(problems)
            s.add(
                db.ActionItem(
                    case_id=case_id,
                    item=item,
                    version=current.version + 1,
                    organisation_id=viewer.organisation,
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

    def _action_visible(self, viewer: Viewer, access: CaseAccess, first: db.ActionItem, latest: db.ActionItem) -> bool:
        """The organisation that wrote the item, the agency that owns the action now, and the coordinator."""
        basis = action_basis(viewer, access, holder=first.organisation_id or 0, owner_agency=latest.owner_agency)
        return basis is not None

    def _visible_actions(
        self, s: Session, viewer: Viewer, case_id: int, access: CaseAccess
    ) -> tuple[list[db.ActionItem], dict[str, db.ActionItem], dict[str, db.ActionItem]]:
        """Every version of the items this user may see, with each item's first and latest version."""
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
        shown = {i for i in latest if self._action_visible(viewer, access, first[i], latest[i])}
        return (
            [r for r in rows if r.item in shown],
            {i: r for i, r in first.items() if i in shown},
            {i: r for i, r in latest.items() if i in shown},
        )

    def list_actions(self, user: UserInfo, case_id: int) -> list[dict[str, Any]]:
        """The action plan as this user may see it: items written by their organisation, owned by their agency,
        or (for the coordinator) the whole plan of the conference."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id)
            _, first, latest = self._visible_actions(s, self._viewer(s, user), case_id, access)
            today = self.clock().date()
            self._audit_read(s, user, "read_actions", case_id)
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
        """Levels of every visible assessment version and every change of a visible action item, in time order."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id, full=True)
            viewer = self._viewer(s, user)
            rows = self._visible_rows(s, viewer, case_id, access)
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
            for a in self._visible_actions(s, viewer, case_id, access)[0]:
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
            self._audit_read(s, user, "read_timeline", case_id)
            return sorted(events, key=lambda e: e["at"])
