"""The case-file and result formats of ../shared/domain/contract.md as pydantic models.

Field names are a contract with integrators: add fields, never rename them.
Input models accept the ids as plain strings so that every wrong value can be
reported at once, with what is allowed, by `risk.validation`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, computed_field, model_serializer

from risk.vocabulary import Agency, Answer, ConsentStatus, Context, Gender, PersonRole, RiskLevel, Urgency

ReasonKind = Literal[
    "item",  # an item answered yes
    "item_not_known",  # a critical item answered unknown or not asked
    "item_unknown",  # an item answered unknown (asked, not known or refused)
    "assessment",  # an assessment (checklist of a subject, by an agency where several assessed the person)
    "assessment_level",  # an assessment's level (the level the rules see: never below its floor)
    "section_level",  # the level of one section of an assessment
    "completeness",  # the share of the form answered (value)
    "outside_population",  # the subject is outside the checklist's validated population (note; value: their age)
    "below_floor",  # a professional set the level below the floor that critical items or level rules set
    "person",  # a person of the case
    "person_age",  # a person's age (value)
    "person_role",  # a person's role, e.g. a child without a recorded age
    "consent",  # a person's consent to share
    "flag",  # a flag raised before
    "overall_flag",  # the flag that raised the overall level
    "step",  # a step suggested before
    "agency",  # an agency that has steps
    "missing_checklist",  # a checklist the case still needs for a subject
    "overall",  # the overall level
    "other",  # a reason given only as a string (code), by an operator that gives no structure
]


def assessment_key(checklist: str, subject: str, agency: str | None, about: str | None = None) -> str:
    """How an assessment is named in the string form of reasons: checklist:subject, /about where the person was
    assessed about several others (one assessment per perpetrator), and @agency where several agencies assessed
    the same person with the checklist."""
    return f"{checklist}:{subject}" + (f"/{about}" if about else "") + (f"@{agency}" if agency else "")


class Reason(BaseModel):
    """Why a level, flag or step holds, as data: what kind of fact and which item, assessment, person or level.

    `code` is the same reason in the string form of `because` (kept for integrators), derived from the fields."""

    model_config = ConfigDict(frozen=True)

    kind: ReasonKind
    item: str | None = None
    checklist: str | None = None
    subject: str | None = None
    about: str | None = Field(
        None, description="The person the assessment is about, where the subject was assessed about several"
    )
    agency: str | None = Field(
        None, description="The agency that made the assessment, where several assessed the person; or of `agency`"
    )
    section: str | None = None
    level: RiskLevel | None = None
    floor: RiskLevel | None = Field(None, description="below_floor: the floor that critical items or rules set")
    value: int | float | None = Field(
        None, description="completeness: the share answered; person_age, outside_population: an age"
    )
    person: str | None = None
    role: PersonRole | None = None
    flag: str | None = None
    step: str | None = None
    note: str | None = Field(None, description="outside_population: the checklist's population note, for people")
    text: str | None = Field(
        None, description="other: the reason as the operator gave it; outside_population: what matched, as given"
    )

    @model_serializer(mode="wrap")
    def _without_empty_fields(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Only the fields a reason of its kind has: `kind`, `code` and what it names."""
        return {k: v for k, v in handler(self).items() if v is not None}

    @property
    def key(self) -> str:
        return assessment_key(str(self.checklist), str(self.subject), self.agency, self.about)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def code(self) -> str:
        """The string form of this reason, as it appears in `because`."""
        level = self.level.value if self.level is not None else ""
        match self.kind:
            case "item" | "item_not_known":
                return str(self.item)
            case "item_unknown":
                return f"{self.item}=unknown"
            case "assessment" | "missing_checklist":
                return self.key
            case "assessment_level":
                return f"{self.key}={level}"
            case "section_level":
                return f"{self.key}.{self.section}={level}"
            case "completeness":
                return f"{self.key}.completeness={self.value or 0:.2f}"
            case "outside_population":
                return f"{self.key}: {self.text if self.text is not None else self.note}"
            case "below_floor":
                return f"{self.key}={level}<{self.floor.value if self.floor else ''}"
            case "person":
                return str(self.person)
            case "person_age":
                return f"{self.person}.age={self.value:g}" if self.value is not None else str(self.person)
            case "person_role":
                return f"{self.person}.role={self.role.value if self.role else ''}"
            case "consent":
                return f"consent:{self.person}"
            case "flag":
                return str(self.flag)
            case "overall_flag":
                return f"flag:{self.flag}"
            case "step":
                return str(self.step)
            case "agency":
                return f"agency:{self.agency}"
            case "overall":
                return f"overall={level}"
        return str(self.text)


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
    reassess_suggested: str | None = None  # storage: what checklists/followup.yaml suggested (ISO date)
    reassess_reason: str | None = None  # storage: why the professional chose a later date than suggested


class Override(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checklist: str
    subject: str
    agency: Agency | None = Field(None, description="Which agency's assessment, where several assessed the same")
    about: str | None = Field(
        None, description="Which person the assessment is about, where the subject was assessed about several"
    )
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
    source: str | None = None  # a level rule's published source (instrument or study), if it has one
    reasons: list[Reason] = Field(default_factory=list, description="`because` as structured data")


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
    floor_level: RiskLevel | None = Field(
        None, description="The least level that critical items and level rules set; None where none holds"
    )
    below_floor: bool = Field(
        False, description="A professional set the level below floor_level: marked for review, both levels kept"
    )
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
    reasons: list[Reason] = Field(default_factory=list, description="`because` as structured data")
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
    reasons: list[Reason] = Field(default_factory=list, description="`because` as structured data")
    action: str
    consent_note: str | None = None
    own_agency: bool = Field(description="The step falls on the agency of the context the assessment was made in")
    care_basis: str | None = Field(
        None,
        description="For care (assessment, observation): whether the patient's consent or compulsory-care criteria "
        "decide; `consent` is only about sharing information",
    )
    legal_basis_by_agency: dict[str, list[LegalBasis]] = Field(
        default_factory=dict, description="Each agency's own legal ground where agencies act together"
    )


class Result(BaseModel):
    engine_version: str
    checklist_versions: dict[str, str]
    context: Context
    overall_level: RiskLevel
    overall_because: list[str]
    overall_reasons: list[Reason] = Field(default_factory=list, description="`overall_because` as structured data")
    assessments: list[AssessmentResult]
    flags: list[Flag]
    required_checklists: list[RequiredChecklist]
    suggested_checklists: list[RequiredChecklist] = Field(
        default_factory=list,
        description="Screens the situation prompts (e.g. a suicide screen after domestic violence); not required",
    )
    steps: list[Step]
    notice: str
