"""Who may see what: pure decisions, so the access matrix can be tested without a database.

The storage layer calls these for every read and for every fact that opens records to another organisation;
pages never decide access themselves.

Organisations: a police region or local police area, a health-care region or one of its clinics, a
municipality's social services. A unit belongs to its organisation (`parent`); the root organisation is the
secrecy boundary, so what any of its units saved is held by the root. A case is shared with named organisations
or units: a user opens it when their own organisation is one of them or lies inside one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from risk.errors import Problem, problem

CASE_WORKER_ROLES = ("officer", "clinician", "social_worker")
ROLES = (*CASE_WORKER_ROLES, "coordinator", "supervisor", "admin")
# Who may manage accounts, organisations and retention: an admin in the app, or the system actor on the command line.
ACCOUNT_MANAGERS = ("admin", "system")
CONSENT_BASES = ("consent", "osl_12_2")  # a conference share on these rests on the person's own consent
REPORTING_AGENCIES_EXCLUDE = ("social_services",)  # concern reports go to social services, never from them
MIN_CELL = 5  # statistics: a count below this (and above zero) is never given out


@dataclass(frozen=True)
class Org:
    id: int
    agency: str
    parent: int | None = None
    key: str = ""


@dataclass(frozen=True)
class Viewer:
    """The user an access decision is for, as the database knows them (not as the caller says)."""

    role: str
    agency: str
    organisation: int


@dataclass(frozen=True)
class ConsentFact:
    person: str
    to_organisation: int
    holder: int  # the organisation whose records the consent opens
    recorded_by: int  # the organisation of the user who recorded it
    signed_reference: str | None
    recorded_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class ConcernFact:
    child: str
    from_organisation: int
    to_organisation: int


@dataclass(frozen=True)
class ShareFact:
    checklist: str
    subject: str
    organisation: int  # the sharing organisation


@dataclass
class CaseAccess:
    """What about a case bears on access: its organisations, consents, concern reports, conference shares."""

    organisations: set[int]
    tree: Mapping[int, Org]
    consents: list[ConsentFact] = field(default_factory=list)
    concern_reports: list[ConcernFact] = field(default_factory=list)
    conference_shares: list[ShareFact] = field(default_factory=list)

    @property
    def agencies(self) -> set[str]:
        return {self.tree[o].agency for o in self.organisations if o in self.tree}

    @property
    def concern_reported_children(self) -> set[str]:
        return {r.child for r in self.concern_reports}


def root(tree: Mapping[int, Org], org: int) -> int:
    """The organisation that holds what `org` (a unit or an organisation) saved."""
    seen = set()
    while (parent := tree[org].parent if org in tree else None) is not None and org not in seen:
        seen.add(org)
        org = parent
    return org


def within(tree: Mapping[int, Org], org: int, ancestor: int) -> bool:
    """`org` is `ancestor` or one of its units (at any depth)."""
    seen = set()
    current: int | None = org
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = tree[current].parent if current in tree else None
    return False


def same_holder(tree: Mapping[int, Org], a: int, b: int) -> bool:
    return root(tree, a) == root(tree, b)


def can_open_case(viewer: Viewer, case: CaseAccess) -> bool:
    """Case workers and coordinators of an organisation the case is shared with; never supervisors or admins."""
    return viewer.role in (*CASE_WORKER_ROLES, "coordinator") and any(
        within(case.tree, viewer.organisation, p) for p in case.organisations
    )


def consent_opens(tree: Mapping[int, Org], consent: ConsentFact, holder: int) -> bool:
    """A consent opens `holder`'s records only if that holder recorded it, or it refers to the signed consent.

    Otherwise any organisation could record a consent "to itself" and read what another one holds.
    """
    if not same_holder(tree, consent.holder, holder):
        return False
    return same_holder(tree, consent.recorded_by, holder) or bool(consent.signed_reference)


def consent_covers(case: CaseAccess, person: str, viewer: Viewer, holder: int, saved_at: datetime) -> bool:
    """Consent to share `holder`'s records of `person` with the viewer's organisation, not withdrawn before the save."""
    return any(
        c.person == person
        and within(case.tree, viewer.organisation, c.to_organisation)
        and consent_opens(case.tree, c, holder)
        and (c.withdrawn_at is None or saved_at < c.withdrawn_at)
        for c in case.consents
    )


def concern_report_valid(tree: Mapping[int, Org], report: ConcernFact) -> bool:
    """From a reporting agency to social services: social services cannot report to themselves."""
    source, target = tree.get(report.from_organisation), tree.get(report.to_organisation)
    return (
        source is not None
        and target is not None
        and source.agency not in REPORTING_AGENCIES_EXCLUDE
        and target.agency == "social_services"
    )


def concern_report_problems(reporter: Viewer, recipient: Org) -> list[Problem]:
    """Why this concern report may not be recorded ([] when it may)."""
    problems = []
    if reporter.agency in REPORTING_AGENCIES_EXCLUDE:
        problems.append(
            problem(
                "concern_from_social_services",
                "from",
                "from: social services do not make concern reports to themselves; open the child investigation instead",
            )
        )
    if reporter.role not in CASE_WORKER_ROLES:
        problems.append(
            problem(
                "concern_from_role",
                "from",
                f"from: a {reporter.role} does not make concern reports; a case worker does",
                role=reporter.role,
            )
        )
    if recipient.agency != "social_services":
        problems.append(problem("concern_to_social_services", "to", "to: a concern report goes to social services"))
    return problems


def assessment_basis(
    viewer: Viewer, case: CaseAccess, *, checklist: str, subject: str, holder: int, saved_at: datetime
) -> str | None:
    """The ground on which this user sees an assessment version saved by `holder`, or None if they may not."""
    if not can_open_case(viewer, case):
        return None
    tree = case.tree
    if same_holder(tree, viewer.organisation, holder):
        return "own_agency"
    if viewer.role == "coordinator":
        shared = any(
            x.checklist == checklist and x.subject == subject and same_holder(tree, x.organisation, holder)
            for x in case.conference_shares
        )
        return "shared_with_conference" if shared else None
    if consent_covers(case, subject, viewer, holder, saved_at):
        return "consent"
    if viewer.agency == "social_services" and any(
        r.child == subject
        and concern_report_valid(tree, r)
        and same_holder(tree, r.from_organisation, holder)
        and within(tree, viewer.organisation, r.to_organisation)
        for r in case.concern_reports
    ):
        return "concern_report"
    return None


def conference_recipients(case: CaseAccess, holder: int) -> set[int]:
    """Who a conference share reaches: every organisation in the case other than the sharing one."""
    return {o for o in case.organisations if not same_holder(case.tree, o, holder)}


def conference_share_problems(
    case: CaseAccess, *, holder: int, subject: str, basis: str, conference_bases: Iterable[str]
) -> list[Problem]:
    """Why `holder` may not share its assessment of `subject` with the conference on `basis` ([] when it may).

    On consent, the subject's own active consent must open `holder`'s records to every other organisation in
    the case; on a provision, the provision must be a lawful basis of the case conference (steps.yaml).
    """
    if basis in CONSENT_BASES:
        covered = {
            r
            for r in conference_recipients(case, holder)
            for c in case.consents
            if c.person == subject
            and c.withdrawn_at is None
            and consent_opens(case.tree, c, holder)
            and within(case.tree, r, c.to_organisation)
        }
        missing = sorted(case.tree[o].key or str(o) for o in conference_recipients(case, holder) - covered)
        if missing:
            return [
                problem(
                    "share_consent_missing",
                    "basis",
                    f"basis: {subject}'s consent to share your records does not cover {', '.join(missing)}, who take"
                    " part in the conference; record that consent first or give another legal basis",
                    person=subject,
                    organisations=tuple(missing),
                )
            ]
        return []
    if basis not in set(conference_bases):
        return [
            problem(
                "share_basis_unknown",
                "basis",
                f"basis: {basis!r} is not a legal basis for sharing with a case conference",
                basis=basis,
            )
        ]
    return []


def action_basis(viewer: Viewer, case: CaseAccess, *, holder: int, owner_agency: str) -> str | None:
    """The ground on which this user sees an action-plan item (names and notes included), or None.

    The organisation that wrote it, the agency that owns the action, and the conference coordinator.
    """
    if not can_open_case(viewer, case):
        return None
    if same_holder(case.tree, viewer.organisation, holder):
        return "own_agency"
    if viewer.agency == owner_agency:
        return "action_owner"
    if viewer.role == "coordinator":
        return "case_conference"
    return None


def statistics_scope(viewer: Viewer) -> str | None:
    """Whose figures a role may see: supervisors and coordinators their own organisation's, admins all."""
    if viewer.role in ("supervisor", "coordinator"):
        return "organisation"
    if viewer.role == "admin":
        return "all"
    return None


def may_validate_locally(role: str) -> bool:
    """Who may validate a score on an uploaded follow-up file (the validation page): the roles that see figures.
    The file is the user's own and never stored; the page shows aggregate figures only."""
    return statistics_scope(Viewer(role, "", 0)) is not None


def needs_analysis_scope(viewer: Viewer) -> str | None:
    """Whose needs analysis a role may see: the roles that see the figures, over the same organisations."""
    return statistics_scope(viewer)


def suppress_small_cells(
    counts: Mapping[tuple[str, ...], int], min_cell: int = MIN_CELL
) -> dict[tuple[str, ...], int | None]:
    """Counts with every cell below `min_cell` hidden (None), and enough others that none can be worked out.

    Primary suppression hides small cells; secondary suppression hides the next-smallest cell in any row or
    column (along every dimension) that would otherwise hold exactly one hidden cell, since the row total of
    another table would give it away.
    """
    out: dict[tuple[str, ...], int | None] = {k: (None if 0 < n < min_cell else n) for k, n in counts.items()}
    if not counts:
        return out
    width = len(next(iter(counts)))
    changed = True
    while changed:
        changed = False
        for dim in range(width):
            groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
            for k in out:
                groups.setdefault(k[:dim] + k[dim + 1 :], []).append(k)
            for keys in groups.values():
                hidden = [k for k in keys if out[k] is None]
                shown = sorted((k for k in keys if out[k] is not None and counts[k] > 0), key=lambda k: counts[k])
                if len(hidden) == 1 and shown:
                    out[shown[0]] = None
                    changed = True
    return out


def add_organisation_problems(viewer: Viewer, case: CaseAccess, org: Org) -> list[Problem]:
    """Why this user may not add `org` to the case ([] when they may).

    Case workers and coordinators who take part in the case refer it to another organisation or bring one to the
    case conference; supervisors and admins see no cases and add none. An organisation that already takes part,
    itself or through the organisation it is a unit of, is not added twice.
    """
    problems = []
    if viewer.role not in (*CASE_WORKER_ROLES, "coordinator"):
        problems.append(
            problem(
                "add_organisation_role",
                "user",
                f"user: a {viewer.role} does not add organisations to cases; a case worker or coordinator does",
                role=viewer.role,
            )
        )
    elif not can_open_case(viewer, case):
        problems.append(
            problem(
                "add_organisation_outside",
                "case",
                "case: only someone who takes part in the case may add an organisation to it",
            )
        )
    through = sorted(case.tree[o].key or str(o) for o in case.organisations if within(case.tree, org.id, o))
    if through:
        problems.append(
            problem(
                "add_organisation_taking_part",
                "organisation",
                f"organisation: {org.key or org.id} already takes part in the case (as {', '.join(through)})",
                organisation=org.key or str(org.id),
                organisations=tuple(through),
            )
        )
    return problems


def person_change_problems(viewer: Viewer, case: CaseAccess) -> list[Problem]:
    """Why this user may not correct or remove a person of the case ([] when they may): whoever registers
    persons (a case worker or coordinator taking part in the case) corrects them."""
    if viewer.role not in (*CASE_WORKER_ROLES, "coordinator") or not can_open_case(viewer, case):
        return [
            problem(
                "person_change_not_allowed",
                "user",
                "user: only a case worker or coordinator taking part in the case may correct its persons",
            )
        ]
    return []


def person_removal_problems(person: str, referred_to_by: Mapping[str, int]) -> list[Problem]:
    """Why a person may not be removed ([] when they may): nothing saved may be left about someone who is gone.

    `referred_to_by` counts the records that name the person, by kind (assessments, drafts, consents, concern
    reports, conference shares); the message names each kind, so the user knows what to correct instead."""
    held = {kind: n for kind, n in referred_to_by.items() if n}
    if not held:
        return []
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(held.items()))
    return [
        problem(
            "person_named_in_records",
            "person",
            f"person: {person} cannot be removed: {kinds} of this case name them; correct the person's role, age or "
            "gender instead, or remove those records first",
            person=person,
            records=tuple(f"{kind.replace(' ', '_')}:{n}" for kind, n in sorted(held.items())),
        )
    ]


def audit_trail_scope(viewer: Viewer) -> str | None:
    """Whose audit entries a role may read: an admin the whole trail (who did what and when, never case content);
    case workers and coordinators only the entries of a case they may open (`can_open_case`); nobody else."""
    if viewer.role == "admin":
        return "all"
    if viewer.role in (*CASE_WORKER_ROLES, "coordinator"):
        return "case"
    return None


# --- training (issue 11): practice-case results per person and unit --------------------------------------------------
# A trainer is a supervisor: no new role (roles are a contract), the supervisor already answers for a unit's work.
TRAINER_ROLES = ("supervisor",)
TRAINEE_ROLES = (*CASE_WORKER_ROLES, "coordinator", "supervisor")


def may_train(viewer: Viewer) -> bool:
    """Who may work practice cases: everyone who works with cases, and the supervisors who train them."""
    return viewer.role in TRAINEE_ROLES


def may_read_attempt(
    viewer: Viewer, viewer_id: int, attempt_user: int, attempt_org: int, tree: Mapping[int, Org]
) -> bool:
    """A trainee sees their own results; a trainer their unit's (the unit and its sub-units), nobody else's."""
    if attempt_user == viewer_id:
        return True
    return viewer.role in TRAINER_ROLES and within(tree, attempt_org, viewer.organisation)


def assignment_problems(viewer: Viewer, unit: int | None, tree: Mapping[int, Org]) -> list[Problem]:
    """Why this viewer may not assign practice cases to `unit`: only a trainer, only to their own unit or a
    sub-unit of it."""
    if viewer.role not in TRAINER_ROLES:
        return [problem("assign_trainer_only", "user", "only a supervisor (trainer) may assign practice cases")]
    if unit is None or unit not in tree:
        return [problem("assign_unit_unknown", "unit", "unit: no such organisation or unit")]
    if not within(tree, unit, viewer.organisation):
        return [
            problem(
                "assign_unit_not_own",
                "unit",
                "unit: you may assign cases only to your own unit or one of its sub-units",
            )
        ]
    return []


def sees_assignments_of(viewer: Viewer, unit: int, tree: Mapping[int, Org]) -> bool:
    """A user sees the cases assigned to their unit or any unit above it; a trainer also those below theirs."""
    if within(tree, viewer.organisation, unit):
        return True
    return viewer.role in TRAINER_ROLES and within(tree, unit, viewer.organisation)


def safety_plan_basis(viewer: Viewer, case: CaseAccess, *, person: str, holder: int, saved_at: datetime) -> str | None:
    """The ground on which this user sees a version of `person`'s safety plan saved by `holder`, or None.

    A safety plan is sensitive data about one person (health or social-services records, docs/security.md): the
    case workers of the organisation that wrote it see it, and another organisation's case workers only under that
    person's consent to share with them, not withdrawn before the version was saved. A case conference,
    a concern report or an action plan never opens it; supervisors, admins and coordinators do not see plans."""
    if viewer.role not in CASE_WORKER_ROLES or not can_open_case(viewer, case):
        return None
    if same_holder(case.tree, viewer.organisation, holder):
        return "own_agency"
    if consent_covers(case, person, viewer, holder, saved_at):
        return "consent"
    return None


def safety_plan_write_problems(viewer: Viewer, case: CaseAccess) -> list[Problem]:
    """Why this user may not save a safety plan in the case ([] when they may): the case worker who meets the person
    writes it with them, in an organisation the case is shared with."""
    if viewer.role not in CASE_WORKER_ROLES:
        return [
            problem(
                "safety_plan_role",
                "user",
                f"user: a {viewer.role} does not write safety plans; the case worker who meets the person does",
                role=viewer.role,
            )
        ]
    if not can_open_case(viewer, case):
        return [
            problem(
                "safety_plan_outside",
                "case",
                "case: only a case worker taking part in the case may write a safety plan in it",
            )
        ]
    return []
