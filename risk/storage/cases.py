"""Cases, the people in them, the agencies taking part, consents, concern reports and conference sharing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from risk.errors import InputError, Problem, problem
from risk.storage import schema as db
from risk.storage.access import (
    CASE_WORKER_ROLES,
    CONSENT_BASES,
    Org,
    concern_report_problems,
    conference_share_problems,
    same_holder,
)
from risk.storage.accounts import UserInfo
from risk.storage.base import PermissionDenied
from risk.storage.organisations import OrganisationsMixin
from risk.storage.search import index_reference
from risk.vocabulary import Agency, Context

CONCERN_REPORT_METHODS = ("phone", "written", "e_service")  # how a concern report reaches social services
MAX_MUNICIPALITY = 120


def concern_report_details_problems(
    reported_at: datetime | None, municipality: str | None, method: str | None, now: datetime
) -> list[Problem]:
    """What is wrong with when, where and how a concern report was made ([] when nothing)."""
    problems = []
    if reported_at is not None and reported_at > now:
        at = f"{reported_at:%Y-%m-%d %H:%M}"
        problems.append(
            problem(
                "concern_future",
                "reported_at",
                f"reported_at: {at} is in the future; give when the report was made",
                at=at,
            )
        )
    if municipality is not None and not municipality.strip():
        problems.append(
            problem(
                "concern_municipality_missing",
                "municipality",
                "municipality: name the municipality whose social services received the report",
            )
        )
    if municipality is not None and len(municipality.strip()) > MAX_MUNICIPALITY:
        problems.append(
            problem(
                "concern_municipality_long",
                "municipality",
                f"municipality: at most {MAX_MUNICIPALITY} characters",
                most=MAX_MUNICIPALITY,
            )
        )
    if method is not None and method not in CONCERN_REPORT_METHODS:
        problems.append(
            problem(
                "concern_method_unknown",
                "method",
                f"method: {method!r}; allowed: {', '.join(CONCERN_REPORT_METHODS)}",
                value=method,
                methods=CONCERN_REPORT_METHODS,
            )
        )
    return problems


def person_problems(e: Any) -> list[Problem]:
    """A person that does not follow the contract (pydantic's ValidationError), naming the field to fix."""
    from risk.validation import _pydantic_problems

    return [
        problem("person_invalid", f"person.{err['loc'][0]}", f"person.{text}", person_field=str(err["loc"][0]))
        for err, text in zip(e.errors(), _pydantic_problems(e), strict=True)
    ]


def _may_not_create(role: str) -> Problem:
    return problem("create_case_role", "user", f"a {role} cannot create cases", role=role)


class CasesMixin(OrganisationsMixin):
    def create_case(
        self, user: UserInfo, reference: str, context: str = "police_intake", synthetic: bool = False
    ) -> int:
        if user.role not in CASE_WORKER_ROLES and user.role != "coordinator":
            raise PermissionDenied(_may_not_create(user.role))
        problems = []
        if not reference.strip():
            problems.append(
                problem(
                    "reference_missing",
                    "reference",
                    "reference: give the agency's own record reference (no personal identity number)",
                )
            )
        if context not in {c.value for c in Context}:
            problems.append(
                problem(
                    "context_unknown",
                    "context",
                    f"context: {context!r}; allowed: {', '.join(c.value for c in Context)}",
                    value=context,
                )
            )
        if problems:
            raise InputError(problems)
        with self._tx() as s:
            viewer = self._viewer(s, user)
            if viewer.role not in CASE_WORKER_ROLES and viewer.role != "coordinator":
                raise PermissionDenied(_may_not_create(viewer.role))
            now = self.clock()
            case = db.Case(
                reference=reference.strip(),
                context=context,
                owner_agency=viewer.agency,
                created_by=user.id,
                created_at=now,
                last_activity=now,
                synthetic=synthetic,
            )
            s.add(case)
            s.flush()
            index_reference(s, case)
            s.add(db.CaseAgency(case_id=case.id, agency=viewer.agency, added_by=user.id, added_at=now))
            s.add(
                db.CaseOrganisation(
                    case_id=case.id, organisation_id=viewer.organisation, added_by=user.id, added_at=now
                )
            )
            self._audit(s, user, "create_case", case.id, f"case:{case.id}", context=context)
            return case.id

    def add_agency(self, user: UserInfo, case_id: int, agency: str, organisation: str | None = None) -> None:
        """Share the case with another organisation (a referral or a case conference). It sees only what it may.

        `agency` alone names that agency's only organisation; where it has several, name one (`organisation`,
        its key, or a unit's key)."""
        if agency not in {a.value for a in Agency}:
            raise InputError(
                [
                    problem(
                        "agency_unknown",
                        "agency",
                        f"agency: {agency!r}; allowed: {', '.join(a.value for a in Agency)}",
                        value=agency,
                    )
                ]
            )
        with self._tx() as s:
            self._open_case(s, user, case_id)
            org = self._resolve_organisation(s, None, organisation or agency, "organisation", agency=agency)
            self._join_case(s, user, case_id, org)
            self._touch(s, case_id)
            self._audit(s, user, "add_agency", case_id, f"case:{case_id}", agency=agency, organisation=org.key)

    def _join_case(self, s: Session, user: UserInfo, case_id: int, org: db.Organisation) -> None:
        now = self.clock()
        if s.get(db.CaseAgency, (case_id, org.agency)) is None:
            s.add(db.CaseAgency(case_id=case_id, agency=org.agency, added_by=user.id, added_at=now))
        if s.get(db.CaseOrganisation, (case_id, org.id)) is None:
            s.add(db.CaseOrganisation(case_id=case_id, organisation_id=org.id, added_by=user.id, added_at=now))

    def add_person(self, user: UserInfo, case_id: int, person: dict[str, Any]) -> None:
        from risk.models import Person as PersonModel  # imported on use: the sign-in page needs no pydantic

        try:
            p = PersonModel.model_validate(person)
        except Exception as e:  # pydantic ValidationError: report in the contract's words
            from pydantic import ValidationError

            if isinstance(e, ValidationError):
                raise InputError(person_problems(e)) from None
            raise
        with self._tx() as s:
            self._open_case(s, user, case_id)
            exists = s.execute(select(db.Person).where(db.Person.case_id == case_id, db.Person.key == p.id)).first()
            if exists:
                raise InputError(
                    [
                        problem(
                            "person_id_taken",
                            "person.id",
                            f"person.id: {p.id!r} is already in this case; choose another id",
                            value=p.id,
                        )
                    ]
                )
            s.add(
                db.Person(
                    case_id=case_id, key=p.id, role=p.role.value, age=p.age, gender=p.gender.value if p.gender else None
                )
            )
            self._touch(s, case_id)
            self._audit(s, user, "add_person", case_id, f"person:{p.id}", role=p.role.value)

    def record_consent(
        self,
        user: UserInfo,
        case_id: int,
        person: str,
        to_share_with: list[str],
        *,
        holder: str | None = None,
        signed_reference: str | None = None,
    ) -> None:
        """Record the person's consent to share records with the organisations named (agency or organisation keys).

        The consent opens the records of `holder` (default: the user's own organisation). Only the holder may
        record it, unless `signed_reference` says where the person's signed consent is kept: otherwise an
        organisation could record a consent "to itself" and read what another one holds.
        """
        if not to_share_with:
            raise InputError(
                [
                    problem(
                        "consent_to_nobody",
                        "to_share_with",
                        "to_share_with: empty; name at least one agency or organisation",
                    )
                ]
            )
        reference = (signed_reference or "").strip() or None
        with self._tx() as s:
            self._open_case(s, user, case_id)
            viewer = self._viewer(s, user)
            self._require_person(s, case_id, person)
            problems: list[str] = []  # Problems (risk/errors.py), each also its English text
            targets: list[db.Organisation] = []
            for name in to_share_with:
                try:
                    targets.append(self._resolve_organisation(s, case_id, name, "to_share_with"))
                except InputError as e:
                    problems.extend(e.problems)
            holder_org = s.get(db.Organisation, viewer.organisation)
            if holder is not None:
                holder_org = self._organisation_by_key(s, holder)
                if holder_org is None:
                    problems.append(
                        problem("organisation_unknown", "holder", f"holder: no organisation {holder!r}", value=holder)
                    )
            if problems:
                raise InputError(problems)
            assert holder_org is not None
            tree = self._tree(s)
            if not same_holder(tree, holder_org.id, viewer.organisation) and reference is None:
                self._audit(s, user, "consent_refused", case_id, f"person:{person}", holder=holder_org.key)
                s.commit()
                raise PermissionDenied(
                    problem(
                        "consent_holder_only",
                        "holder",
                        f"only {holder_org.key} may record a consent that opens its records; give signed_reference "
                        "(where the person's signed consent is kept) to record it for them",
                        organisation=holder_org.key,
                    )
                )
            for org in targets:
                s.add(
                    db.Consent(
                        case_id=case_id,
                        person=person,
                        to_agency=org.agency,
                        to_organisation_id=org.id,
                        holder_organisation_id=holder_org.id,
                        recorded_by_organisation_id=viewer.organisation,
                        signed_reference=reference,
                        recorded_by=user.id,
                        recorded_at=self.clock(),
                    )
                )
            self._touch(s, case_id)
            self._audit(
                s,
                user,
                "record_consent",
                case_id,
                f"person:{person}",
                to=sorted(o.key for o in targets),
                holder=holder_org.key,
                signed_reference=reference is not None,
            )

    def withdraw_consent(self, user: UserInfo, case_id: int, person: str, agency: str) -> None:
        """Stops sharing from now on: what was saved afterwards is no longer shared with that agency (or
        organisation, by key). Anyone in the case may record a withdrawal: it only ever closes."""
        with self._tx() as s:
            self._open_case(s, user, case_id)
            q = select(db.Consent).where(
                db.Consent.case_id == case_id,
                db.Consent.person == person,
                db.Consent.withdrawn_at.is_(None),
            )
            if agency in {a.value for a in Agency}:
                q = q.where(db.Consent.to_agency == agency)
            else:
                org = self._organisation_by_key(s, agency)
                q = q.where(db.Consent.to_organisation_id == (org.id if org else -1))
            rows = list(s.execute(q).scalars())
            if not rows:
                raise InputError(
                    [
                        problem(
                            "consent_not_active",
                            "consent",
                            f"consent: {person} has no active consent to share with {agency}",
                            person=person,
                            organisation=agency,
                        )
                    ]
                )
            for c in rows:
                c.withdrawn_at, c.withdrawn_by = self.clock(), user.id
            self._touch(s, case_id)
            self._audit(s, user, "withdraw_consent", case_id, f"person:{person}", agency=agency)

    def report_concern(
        self,
        user: UserInfo,
        case_id: int,
        child: str,
        to: str | None = None,
        *,
        reported_at: datetime | None = None,
        municipality: str | None = None,
        method: str | None = None,
    ) -> None:
        """Record a concern report about a child to social services (`to`: the social services organisation, by
        key; default the one in the case). That organisation then sees the reporter's assessments of the child.
        `reported_at`, `municipality` and `method` (CONCERN_REPORT_METHODS) say when, where and how the
        report was made, where it was made before it is recorded here.

        Only a reporting agency reports: social services filing a report "to itself" would open every other
        agency's assessments of the child without any report having been made."""
        details = concern_report_details_problems(reported_at, municipality, method, self.clock())
        if details:
            raise InputError(details)
        with self._tx() as s:
            self._open_case(s, user, case_id)
            viewer = self._viewer(s, user)
            p = self._require_person(s, case_id, child)
            if not (p.role == "child" or (p.age is not None and p.age < 18)):
                raise InputError(
                    [
                        problem(
                            "not_a_child",
                            "child",
                            f"child: {child} is not a child (role child or under 18)",
                            person=child,
                        )
                    ]
                )
            recipient = self._resolve_organisation(s, case_id, to or "social_services", "to")
            problems = concern_report_problems(viewer, Org(recipient.id, recipient.agency, recipient.parent_id))
            if problems:
                self._audit(s, user, "concern_report_refused", case_id, f"person:{child}", why=problems)
                s.commit()
                raise PermissionDenied(*problems)
            s.add(
                db.ConcernReport(
                    case_id=case_id,
                    child=child,
                    from_agency=viewer.agency,
                    from_organisation_id=viewer.organisation,
                    to_organisation_id=recipient.id,
                    made_by=user.id,
                    made_at=self.clock(),
                    reported_at=reported_at,
                    municipality=municipality.strip() if municipality else None,
                    method=method,
                )
            )
            self._join_case(s, user, case_id, recipient)
            self._touch(s, case_id)
            self._audit(s, user, "concern_report", case_id, f"person:{child}", to=recipient.key, method=method)

    def share_with_conference(self, user: UserInfo, case_id: int, checklist: str, subject: str, basis: str) -> None:
        """Share one of the organisation's own assessments with the case conference, on a stated basis that covers
        every other organisation in the case: the subject's consent to each, or a provision that allows it."""
        from risk.rules import default_rules

        with self._tx() as s:
            _, access = self._open_case(s, user, case_id, full=True)
            viewer = self._viewer(s, user)
            row = self._latest_row(s, case_id, checklist, subject, viewer.agency)
            if row is None or not same_holder(access.tree, row.organisation_id or 0, viewer.organisation):
                raise PermissionDenied(
                    problem("share_own_only", "assessment", "an organisation may share only its own assessments")
                )
            conference_bases = {
                b for step in default_rules().steps.steps if step.agency == "case_conference" for b in step.legal_basis
            }
            problems = conference_share_problems(
                access,
                holder=viewer.organisation,
                subject=subject,
                basis=basis,
                conference_bases=conference_bases - set(CONSENT_BASES),
            )
            if problems:
                self._audit(s, user, "share_refused", case_id, f"assessment:{checklist}:{subject}", basis=basis)
                s.commit()
                raise InputError(problems)
            s.add(
                db.ConferenceShare(
                    case_id=case_id,
                    checklist=checklist,
                    subject=subject,
                    agency=viewer.agency,
                    organisation_id=viewer.organisation,
                    basis=basis,
                    shared_by=user.id,
                    shared_at=self.clock(),
                )
            )
            self._audit(s, user, "share_with_conference", case_id, f"assessment:{checklist}:{subject}", basis=basis)
