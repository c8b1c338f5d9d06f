"""The case-file and result formats of ../shared/domain/contract.md as pydantic models.

Field names are a contract with integrators: add fields, never rename them.
Input models accept the ids as plain strings so that every wrong value can be
reported at once, with what is allowed, by `risk.validation`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from risk.vocabulary import Agency, Answer, ConsentStatus, Context, Gender, PersonRole, RiskLevel, Urgency

NOTICE = {
    "en": "Decision support only: the professional's judgement decides.",
    "sv": "Endast beslutsstöd: den professionella bedömningen avgör.",
}


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    role: PersonRole
    age: int | None = Field(None, ge=0, le=125)
    gender: Gender | None = None


class Consent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person: str
    to_share_with: list[Agency]
    to_organisations: list[str] | None = None  # storage: the organisations the consent names (keys)


class AssessmentInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checklist: str
    subject: str
    about: str | None = None
    answers: dict[str, Answer] = Field(default_factory=dict)
    # Set on stored case files (contract: Storage API); the engine uses `agency` to decide who a step falls on.
    agency: Agency | None = None
    version: int | None = None
    saved_at: str | None = None
    visible_because: str | None = None  # storage: the access basis (own_agency, consent, concern_report, ...)
    organisation: str | None = None  # storage: the organisation that saved it (key)
    reassess_by: str | None = None


class Override(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checklist: str
    subject: str
    agency: Agency | None = Field(None, description="Which agency's assessment, where several assessed the same")
    level: RiskLevel
    reason: str = Field(description="Why the professional changes the level; required, never empty")


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    context: Context
    persons: list[Person] = Field(default_factory=list)
    consents: list[Consent] = Field(default_factory=list)
    assessments: list[AssessmentInput] = Field(default_factory=list)
    overrides: list[Override] = Field(default_factory=list)
    # Stored case files carry their id and reference; the engine ignores them, and `note`.
    id: Any = None
    reference: str | None = None
    note: str | None = Field(None, description="Free text for people, e.g. that a case is synthetic; not used")
    synthetic: bool | None = None
    owner_agency: str | None = None
    agencies: list[str] | None = None
    organisations: list[str] | None = None  # storage: the organisations the case is shared with (keys)
    concern_reports: list[str] | None = None


class Contribution(BaseModel):
    item: str
    answer: Answer
    points: int
    section: str
    critical: bool = False
    why: str


class SectionResult(BaseModel):
    method: str
    score: int
    score_max: int
    level: RiskLevel | None = Field(None, description="None for a section whose points only count toward the total")
    level_max: RiskLevel | None = None


class LevelReason(BaseModel):
    """One thing that set the computed level: a band, a critical item or a level rule."""

    rule: str
    level: RiskLevel
    because: list[str]
    why: str


class AssessmentResult(BaseModel):
    checklist: str
    subject: str
    about: str | None = None
    form: str
    score: int
    score_max: int
    completeness: float
    computed_level: RiskLevel
    level: RiskLevel
    level_max: RiskLevel = Field(description="The computed level if every unknown or unasked item of the form were yes")
    override_reason: str | None = None
    critical_items: list[str]
    contributions: list[Contribution]
    unknown_items: list[str]
    unasked_items: list[str]
    critical_not_known: list[str] = Field(description="Critical items answered unknown or not asked: follow up first")
    level_reasons: list[LevelReason]
    sections: dict[str, SectionResult]
    agency: Agency | None = None


class Flag(BaseModel):
    id: str
    because: list[str]
    persons: list[str] = Field(default_factory=list)
    title: str
    effect: str
    raises_overall_to: RiskLevel | None = None


class RequiredChecklist(BaseModel):
    checklist: str
    subject: str
    rule: str


class LegalBasis(BaseModel):
    id: str
    citation: str
    verified: bool


class Step(BaseModel):
    id: str
    agency: str
    urgency: Urgency
    legal_basis: list[str]
    legal_references: list[LegalBasis]
    consent: ConsentStatus
    because: list[str]
    persons: list[str] = Field(default_factory=list)
    action: str
    consent_note: str | None = None
    own_agency: bool = Field(description="The step falls on the agency of the context the assessment was made in")


class Result(BaseModel):
    engine_version: str
    checklist_versions: dict[str, str]
    context: Context
    overall_level: RiskLevel
    overall_because: list[str]
    assessments: list[AssessmentResult]
    flags: list[Flag]
    required_checklists: list[RequiredChecklist]
    steps: list[Step]
    notice: str
