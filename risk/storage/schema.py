"""The database schema (SQLAlchemy 2). Alembic migrations in migrations/ create it; never `create_all` in production.

Append-only by design: assessments, overrides, consents, action-item versions and audit
entries are inserted, never updated in place (consent withdrawal sets one timestamp).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Organisation(Base):
    """A police region or local police area, a health-care region or clinic, a municipality's social services.

    `parent` makes a unit of an organisation. The root of a unit is the secrecy boundary: data saved by any of its
    units is held by the root organisation. Each agency type has a default organisation whose key is the agency.
    """

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    agency: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime())


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    agency: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(40))
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime())
    created_at: Mapped[datetime] = mapped_column(DateTime())


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(120))
    context: Mapped[str] = mapped_column(String(40))
    owner_agency: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime())
    last_activity: Mapped[datetime] = mapped_column(DateTime())
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    pseudonymised_at: Mapped[datetime | None] = mapped_column(DateTime())
    __table_args__ = (Index("ix_cases_reference", "reference"), Index("ix_cases_last_activity", "last_activity"))


class CaseSearchTerm(Base):
    """One word of a case's reference, case-folded: the search reads this index, not every case (search.py)."""

    __tablename__ = "case_search_terms"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[str] = mapped_column(String(120), primary_key=True)
    __table_args__ = (
        Index("ix_case_search_terms_term", "term", "case_id", postgresql_ops={"term": "text_pattern_ops"}),
    )


class CaseAgency(Base):
    """Agencies taking part in a case: only they see that it exists."""

    __tablename__ = "case_agencies"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    agency: Mapped[str] = mapped_column(String(40), primary_key=True)
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(DateTime())
    __table_args__ = (Index("ix_case_agencies_agency", "agency", "case_id"),)


class CaseOrganisation(Base):
    """Organisations (or units) a case is shared with: only their users see that it exists."""

    __tablename__ = "case_organisations"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(DateTime())
    __table_args__ = (Index("ix_case_organisations_organisation", "organisation_id", "case_id"),)


class Person(Base):
    __tablename__ = "persons"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))  # the case file's person id, e.g. v1
    role: Mapped[str] = mapped_column(String(20))
    age: Mapped[int | None] = mapped_column(Integer)
    gender: Mapped[str | None] = mapped_column(String(20))
    __table_args__ = (UniqueConstraint("case_id", "key"),)


class PersonChange(Base):
    """A person of a case corrected or removed (registered by mistake): what they were before and after, by whom."""

    __tablename__ = "person_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(40))
    change: Mapped[str] = mapped_column(String(20))  # corrected | removed
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # None when removed
    changed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime())
    __table_args__ = (Index("ix_person_changes_case", "case_id"),)


class Assessment(Base):
    """One saved version (or one save refused as a conflict, kept with `conflict_with`)."""

    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    checklist: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(40))
    about: Mapped[str | None] = mapped_column(String(40))
    # The `about` person where the checklist has an about_role (one assessment per perpetrator), else ''.
    about_key: Mapped[str] = mapped_column(String(40), default="", server_default="")
    version: Mapped[int | None] = mapped_column(Integer)  # None for a refused (conflicting) save
    base_version: Mapped[int | None] = mapped_column(Integer)
    conflict_with: Mapped[int | None] = mapped_column(Integer)  # the latest version when a save was refused
    agency: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))  # the saving organisation
    context: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    level: Mapped[str | None] = mapped_column(String(20))
    checklist_version: Mapped[str] = mapped_column(String(40))
    engine_version: Mapped[str] = mapped_column(String(40))
    saved_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    saved_at: Mapped[datetime] = mapped_column(DateTime())
    reassess_by: Mapped[date | None] = mapped_column(Date)
    # What checklists/followup.yaml suggested when the version was saved, and the professional's reason for a
    # later date than that (an earlier one needs none).
    reassess_suggested: Mapped[date | None] = mapped_column(Date)
    reassess_reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint(
            "case_id", "checklist", "subject", "about_key", "agency", "version", name="uq_assessment_about_version"
        ),
        Index("ix_assessments_case", "case_id", "checklist", "subject"),
    )


class Override(Base):
    __tablename__ = "overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    made_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    made_at: Mapped[datetime] = mapped_column(DateTime())


class Draft(Base):
    """An assessment in progress: private to one user, replaced on every keystroke-save."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    checklist: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(40))
    about: Mapped[str | None] = mapped_column(String(40))
    about_key: Mapped[str] = mapped_column(String(40), default="", server_default="")  # as in Assessment
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    base_version: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime())
    __table_args__ = (
        UniqueConstraint("user_id", "case_id", "checklist", "subject", "about_key", name="uq_draft_about"),
    )


class BrowserSession(Base):
    """A browser kept signed in across a refresh: the cookie holds a random secret, this row only its digest.

    Deleted at sign-out; refused when idle longer than the deployment allows (`last_seen`), after `expires_at`,
    when the account is disabled, or when its password changed since (`credential`, a digest of the hash then)."""

    __tablename__ = "browser_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    credential: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime())
    last_seen: Mapped[datetime] = mapped_column(DateTime())
    expires_at: Mapped[datetime] = mapped_column(DateTime())
    __table_args__ = (Index("ix_browser_sessions_user", "user_id"),)


class Consent(Base):
    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(40))
    to_agency: Mapped[str] = mapped_column(String(40))
    to_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    holder_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))  # whose records
    recorded_by_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    signed_reference: Mapped[str | None] = mapped_column(String(200))  # where the person's signed consent is kept
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime())
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ConcernReport(Base):
    """A concern report about a child (orosanmälan): by law it reaches social services."""

    __tablename__ = "concern_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    child: Mapped[str] = mapped_column(String(40))
    from_agency: Mapped[str] = mapped_column(String(40))
    from_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    to_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))  # social services
    made_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    made_at: Mapped[datetime] = mapped_column(DateTime())  # when it was recorded here
    # When the report was made, to which municipality and how (phone, written, e_service); None on older records
    reported_at: Mapped[datetime | None] = mapped_column(DateTime())
    municipality: Mapped[str | None] = mapped_column(String(120))
    method: Mapped[str | None] = mapped_column(String(20))


class ConferenceShare(Base):
    """An agency shares one of its assessments with the case conference, on a stated basis."""

    __tablename__ = "conference_shares"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    checklist: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(40))
    agency: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))  # the sharing organisation
    basis: Mapped[str] = mapped_column(String(80))
    shared_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    shared_at: Mapped[datetime] = mapped_column(DateTime())


class ActionItem(Base):
    """One version of an action-plan item; `item` groups the versions of one item."""

    __tablename__ = "action_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    step_id: Mapped[str] = mapped_column(String(80))
    owner_agency: Mapped[str] = mapped_column(String(40))
    responsible: Mapped[str] = mapped_column(String(120))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))  # who saved it
    saved_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    saved_at: Mapped[datetime] = mapped_column(DateTime())
    __table_args__ = (UniqueConstraint("item", "version"), Index("ix_action_items_case", "case_id"))


class SafetyPlan(Base):
    """One version of a person's safety plan (victim or suicide plan): the answers of its sections as the person
    gave them, in the language the plan is printed in. Each save adds a version; none is changed. Versions are
    numbered per case, person, kind and holder (the saving organisation's root): another organisation's plan is
    its own record, not a version of this one."""

    __tablename__ = "safety_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(5))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))  # who saved it
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))  # the root of organisation_id
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime())
    __table_args__ = (
        UniqueConstraint("case_id", "person", "kind", "holder_id", "version", name="uq_safety_plan_version"),
        Index("ix_safety_plans_case", "case_id", "person"),
    )


class AuditEntry(Base):
    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO text: hashed exactly as stored
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(120))
    agency: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(Integer)
    record: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON text
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_audit_case", "case_id"),)


class AuditHead(Base):
    """The last entry's id and hash: one row, locked by every append so the chain has no forks."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)


class LoginThrottle(Base):
    """Failed sign-ins per (typed username, client) pair and per client, under keyed pseudonyms (identity.py).

    Rows exist for unknown usernames too, so a missing user and a wrong password behave the same.
    """

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime())
    locked_until: Mapped[datetime | None] = mapped_column(DateTime())
    __table_args__ = (Index("ix_login_throttle_last_failure", "last_failure_at"),)


class DeploymentMark(Base):
    """Facts about this database as a whole, e.g. `demo`: it holds the synthetic demo with published passwords."""

    __tablename__ = "deployment_marks"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(DateTime())


class TrainingAttempt(Base):
    """One trainee's work on a practice case (training/*.yaml), with its feedback. Never a case: no row of `cases`,
    `persons` or `assessments` is made for it. `organisation_id` is the trainee's unit when they worked it."""

    __tablename__ = "training_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    case_key: Mapped[str] = mapped_column(String(80))
    case_version: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(DateTime())
    finished_at: Mapped[datetime] = mapped_column(DateTime())
    score: Mapped[int] = mapped_column(Integer)
    work: Mapped[dict[str, Any]] = mapped_column(JSON)
    feedback: Mapped[dict[str, Any]] = mapped_column(JSON)
    __table_args__ = (
        Index("ix_training_attempts_user", "user_id"),
        Index("ix_training_attempts_organisation", "organisation_id"),
    )


class TrainingAssignment(Base):
    """A practice case a trainer assigned to a unit, with an optional due date."""

    __tablename__ = "training_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    case_key: Mapped[str] = mapped_column(String(80))
    assigned_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime())
    due: Mapped[date | None] = mapped_column(Date())
    __table_args__ = (UniqueConstraint("organisation_id", "case_key", name="uq_training_assignment"),)
