"""The case records the workflows keep: concern reports made, consents given and withdrawn, organisations taking
part, persons corrected or removed when registered by mistake. Each change is audited; nothing is overwritten
without its earlier values kept (person_changes, consents' withdrawal time, concern reports as made)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from risk.errors import InputError, problem
from risk.storage import schema as db
from risk.storage.access import (
    CaseAccess,
    Org,
    add_organisation_problems,
    person_change_problems,
    person_removal_problems,
)
from risk.storage.accounts import UserInfo
from risk.storage.base import PermissionDenied, _person_dict
from risk.storage.cases import CasesMixin, person_problems

PERSON_FIELDS = ("role", "age", "gender")


class CaseRecordsMixin(CasesMixin):
    def _usernames(self, s: Session, ids: set[int | None]) -> dict[int, str]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        return {i: n for i, n in s.execute(select(db.User.id, db.User.username).where(db.User.id.in_(wanted)))}

    def concern_reports(self, user: UserInfo, case_id: int) -> list[dict[str, Any]]:
        """The concern reports made in the case, oldest first: which child, from which agency, to which social
        services and municipality, when, how and by whom. Everyone in the case sees that a report was made."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id)
            rows = list(
                s.execute(
                    select(db.ConcernReport).where(db.ConcernReport.case_id == case_id).order_by(db.ConcernReport.id)
                ).scalars()
            )
            names = self._usernames(s, {r.made_by for r in rows})
            self._audit_read(s, user, "read_concern_reports", case_id)
            return [
                {
                    "child": r.child,
                    "from_agency": r.from_agency,
                    "from_organisation": _key(access, r.from_organisation_id),
                    "to_organisation": _key(access, r.to_organisation_id),
                    "municipality": r.municipality,
                    "method": r.method,
                    "reported_at": (r.reported_at or r.made_at).isoformat(timespec="minutes"),
                    "recorded_at": r.made_at.isoformat(timespec="minutes"),
                    "by": names.get(r.made_by),
                }
                for r in rows
            ]

    def consent_history(self, user: UserInfo, case_id: int) -> list[dict[str, Any]]:
        """Every consent recorded in the case, withdrawn ones included, with who recorded and withdrew it, when."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id)
            rows = list(
                s.execute(select(db.Consent).where(db.Consent.case_id == case_id).order_by(db.Consent.id)).scalars()
            )
            people: set[int | None] = {r.recorded_by for r in rows}
            people |= {r.withdrawn_by for r in rows}
            names = self._usernames(s, people)
            self._audit_read(s, user, "read_consents", case_id)
            return [
                {
                    "person": c.person,
                    "to_agency": c.to_agency,
                    "to_organisation": _key(access, c.to_organisation_id) or c.to_agency,
                    "holder": _key(access, c.holder_organisation_id),
                    "recorded_at": c.recorded_at.isoformat(timespec="minutes"),
                    "recorded_by": names.get(c.recorded_by),
                    "withdrawn_at": c.withdrawn_at.isoformat(timespec="minutes") if c.withdrawn_at else None,
                    "withdrawn_by": names.get(c.withdrawn_by) if c.withdrawn_by else None,
                    "active": c.withdrawn_at is None,
                }
                for c in rows
            ]

    def add_organisation_to_case(self, user: UserInfo, case_id: int, organisation: str) -> str:
        """Bring an organisation or unit (by key, or an agency with one organisation) into the case: a referral or
        a case conference. It then sees that the case exists and only what access.py lets it see. Returns its key."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id)
            viewer = self._viewer(s, user)
            org = self._resolve_organisation(s, None, organisation, "organisation")
            problems = add_organisation_problems(viewer, access, Org(org.id, org.agency, org.parent_id, org.key))
            if problems:
                raise InputError(problems)
            self._join_case(s, user, case_id, org)
            self._touch(s, case_id)
            self._audit(s, user, "add_organisation_to_case", case_id, f"case:{case_id}", organisation=org.key)
            return org.key

    def correct_person(self, user: UserInfo, case_id: int, person: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Correct a person's role, age or gender; the values before are kept in person_changes. Returns the person
        as corrected. The id stays: assessments, consents and reports go on naming the same person."""
        from pydantic import ValidationError  # imported on use: the sign-in page needs no pydantic

        from risk.models import Person as PersonModel

        unknown = sorted(set(changes) - set(PERSON_FIELDS))
        if unknown:
            raise InputError(
                [
                    problem(
                        "person_field_unknown",
                        k,
                        f"{k}: not a field that can be corrected ({', '.join(PERSON_FIELDS)})",
                        value=k,
                    )
                    for k in unknown
                ]
            )
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id)
            self._may_change_persons(s, user, access)
            row = self._require_person(s, case_id, person)
            before = _person_dict(row)
            merged = {**before, **changes}
            try:
                corrected = PersonModel.model_validate({k: v for k, v in merged.items() if v is not None})
            except ValidationError as e:
                raise InputError(person_problems(e)) from None
            row.role = corrected.role.value
            row.age = corrected.age
            row.gender = corrected.gender.value if corrected.gender else None
            after = _person_dict(row)
            if after == before:
                raise InputError(
                    [
                        problem(
                            "person_unchanged",
                            "person",
                            f"person: nothing to correct; {person} already has these values",
                            person=person,
                        )
                    ]
                )
            s.add(
                db.PersonChange(
                    case_id=case_id,
                    person=person,
                    change="corrected",
                    before=before,
                    after=after,
                    changed_by=user.id,
                    changed_at=self.clock(),
                )
            )
            self._touch(s, case_id)
            self._audit(
                s,
                user,
                "correct_person",
                case_id,
                f"person:{person}",
                changed=sorted(k for k in after if after.get(k) != before.get(k)),
            )
            return after

    def remove_person(self, user: UserInfo, case_id: int, person: str) -> None:
        """Remove a person registered by mistake; refused (saying why) while any record of the case names them."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id)
            self._may_change_persons(s, user, access)
            row = self._require_person(s, case_id, person)
            problems = person_removal_problems(person, self._records_naming(s, case_id, person))
            if problems:
                raise InputError(problems)
            s.add(
                db.PersonChange(
                    case_id=case_id,
                    person=person,
                    change="removed",
                    before=_person_dict(row),
                    after=None,
                    changed_by=user.id,
                    changed_at=self.clock(),
                )
            )
            s.delete(row)
            self._touch(s, case_id)
            self._audit(s, user, "remove_person", case_id, f"person:{person}")

    def person_history(self, user: UserInfo, case_id: int) -> list[dict[str, Any]]:
        """Every correction and removal of the case's persons, oldest first."""
        with self._tx() as s:
            self._open_case(s, user, case_id)
            rows = list(
                s.execute(
                    select(db.PersonChange).where(db.PersonChange.case_id == case_id).order_by(db.PersonChange.id)
                ).scalars()
            )
            names = self._usernames(s, {r.changed_by for r in rows})
            self._audit_read(s, user, "read_person_history", case_id)
            return [
                {
                    "person": r.person,
                    "change": r.change,
                    "before": dict(r.before),
                    "after": dict(r.after) if r.after is not None else None,
                    "by": names.get(r.changed_by),
                    "at": r.changed_at.isoformat(timespec="minutes"),
                }
                for r in rows
            ]

    def _may_change_persons(self, s: Session, user: UserInfo, access: CaseAccess) -> None:
        problems = person_change_problems(self._viewer(s, user), access)
        if problems:
            raise PermissionDenied(*problems)

    def _records_naming(self, s: Session, case_id: int, person: str) -> dict[str, int]:
        """How many records of each kind name the person (as subject, the person an assessment is about, etc.)."""

        def count(model: Any, *where: Any) -> int:
            return int(
                s.execute(select(func.count()).select_from(model).where(model.case_id == case_id, *where)).scalar_one()
            )

        return {
            "assessments": count(db.Assessment, or_(db.Assessment.subject == person, db.Assessment.about == person)),
            "drafts": count(db.Draft, or_(db.Draft.subject == person, db.Draft.about == person)),
            "consents": count(db.Consent, db.Consent.person == person),
            "concern reports": count(db.ConcernReport, db.ConcernReport.child == person),
            "conference shares": count(db.ConferenceShare, db.ConferenceShare.subject == person),
            "safety plans": count(db.SafetyPlan, db.SafetyPlan.person == person),
        }


def _key(access: CaseAccess, org: int | None) -> str | None:
    found = access.tree.get(org) if org is not None else None
    return found.key if found is not None else None
