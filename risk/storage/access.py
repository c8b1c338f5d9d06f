"""Who may see what: pure decisions, so the access matrix can be tested without a database.

The storage layer calls these for every read; pages never decide access themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

CASE_WORKER_ROLES = ("officer", "clinician", "social_worker")
ROLES = (*CASE_WORKER_ROLES, "coordinator", "supervisor", "admin")


@dataclass(frozen=True)
class ConsentFact:
    person: str
    to_agency: str
    recorded_at: datetime
    withdrawn_at: datetime | None


@dataclass
class CaseAccess:
    """What about a case bears on access: its agencies, consents, concern reports, conference shares."""

    agencies: set[str]
    consents: list[ConsentFact] = field(default_factory=list)
    concern_reported_children: set[str] = field(default_factory=set)
    conference_shares: set[tuple[str, str, str]] = field(default_factory=set)  # (checklist, subject, agency)


def can_open_case(role: str, agency: str, case: CaseAccess) -> bool:
    """Case workers and coordinators of an agency taking part; never supervisors or admins."""
    return role in (*CASE_WORKER_ROLES, "coordinator") and agency in case.agencies


def consent_covers(case: CaseAccess, person: str, agency: str, saved_at: datetime) -> bool:
    """Consent to share with `agency`, given and not withdrawn before the record was saved."""
    return any(
        c.person == person and c.to_agency == agency and (c.withdrawn_at is None or saved_at < c.withdrawn_at)
        for c in case.consents
    )


def assessment_basis(
    role: str, agency: str, case: CaseAccess, *, checklist: str, subject: str, owner: str, saved_at: datetime
) -> str | None:
    """The ground on which this user sees an assessment version, or None if they may not."""
    if not can_open_case(role, agency, case):
        return None
    if owner == agency:
        return "own_agency"
    if role == "coordinator":
        return "shared_with_conference" if (checklist, subject, owner) in case.conference_shares else None
    if consent_covers(case, subject, agency, saved_at):
        return "consent"
    if agency == "social_services" and subject in case.concern_reported_children:
        return "concern_report"
    return None
