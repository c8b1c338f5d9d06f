"""Cases, the people in them, the agencies taking part, consents, concern reports and conference sharing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from risk.errors import InputError
from risk.models import Person as PersonModel
from risk.storage import schema as db
from risk.storage.access import CASE_WORKER_ROLES
from risk.storage.accounts import UserInfo
from risk.storage.base import (
    PermissionDenied,
    StoreBase,
)
from risk.vocabulary import Agency, Context


class CasesMixin(StoreBase):
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
