"""Flags, required checklists, collaboration steps and legal provisions as data.

Loaded from checklists/flags.yaml, steps.yaml and law.yaml and cross-checked against
each other and the checklists, so a typo in a rule stops loading instead of silently
never firing.
"""

from __future__ import annotations

import datetime
import functools
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)

from risk.checklists import CHECKLIST_DIR, Checklist, default_checklists, read_yaml, validate_file
from risk.conditions import (
    AboutAssessment,
    AnsweredUnknown,
    AnyAssessment,
    CaseCondition,
    Condition,
    CountYes,
    Facts,
    FlagRaised,
    SectionLevelAtLeast,
    StepSuggested,
    YesAll,
    YesAny,
    walk,
)
from risk.errors import ChecklistError
from risk.text import Text
from risk.vocabulary import Agency, Context, PersonRole, RiskLevel, Urgency


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


# Sources that can make a provision `verified`: the statute text, a government bill, a court ruling.
PRIMARY_SOURCES = ("statute_text", "proposition", "court_ruling")
SourceKind = Literal["statute_text", "proposition", "court_ruling", "secondary", "recalled"]


class ProvisionCheck(Strict):
    """When and by whom a provision's citation and paraphrase were last checked against its source."""

    date: datetime.date = Field(description="The day the check was made (YYYY-MM-DD)")
    by: str = Field(min_length=1, description="Who checked it: a named review, lawyer or agency")


class Provision(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    citation: str = Field(min_length=1)
    title: Text
    paraphrase: Text
    verified: StrictBool = Field(description="true only when a primary source (source_kind) was read")
    source: str = Field(min_length=1, description="Where the citation and content come from")
    source_kind: SourceKind = Field(
        description="The strongest source behind the record: statute_text, proposition or court_ruling are primary; "
        "secondary (a guide, a municipality page, a law blog) and recalled never make a provision verified"
    )
    checked: ProvisionCheck

    @model_validator(mode="after")
    def _verified_needs_primary_source(self) -> Provision:
        if self.verified and self.source_kind not in PRIMARY_SOURCES:
            raise ValueError(
                f"verified: true needs a primary source_kind ({', '.join(PRIMARY_SOURCES)}), "
                f"not {self.source_kind!r}; set verified: false"
            )
        return self


class LawFile(Strict):
    version: str
    provisions: list[Provision] = Field(min_length=1)


class StepWording(Strict):
    """Wording of a step that fits one kind of case: a step written for domestic violence says so only where the
    case has it, and stays neutral elsewhere (a suicide-only or criminal-network-only case)."""

    when: CaseCondition
    action: Text
    consent_note: Text | None = None


class StepRule(Strict):
    id: str = Field(pattern=r"^[a-z_]+\.[a-z0-9_]+$")
    agency: Agency | Literal["any", "case_conference"]
    action: Text
    urgency: Urgency
    legal_basis: list[str] = Field(default_factory=list, description="Provision ids of law.yaml")
    consent: Literal["not_required", "required"]
    consent_from: list[PersonRole] = Field(default_factory=list, description="Whose consent is needed")
    shares_with: list[Agency] = Field(default_factory=list, description="Consent must cover these agencies")
    consent_note: Text | None = None
    care_basis: Text | None = Field(
        None,
        description="For a step that is care (assessment, observation, treatment): what decides whether it is given, "
        "the patient's consent or the criteria of a compulsory-care act; `consent` is only about sharing information",
    )
    legal_basis_by_agency: dict[Agency, list[str]] = Field(
        default_factory=dict,
        description="Where agencies act together (a case conference): each agency's own ground, as provision ids",
    )
    when: CaseCondition
    guidance: list[str] = Field(
        default_factory=list, description="Ids of knowledge/ entries on how to do it (risk/guidance.py checks them)"
    )
    wording: list[StepWording] = Field(
        default_factory=list,
        description="Case-specific wording, first match wins; `action` and `consent_note` are the neutral default",
    )

    def worded(self, facts: Facts) -> StepWording | None:
        """The first case-specific wording whose condition holds for these facts, or None (the default)."""
        return next((w for w in self.wording if w.when.holds(facts) is not None), None)


class StepFile(Strict):
    # Top-level x-* keys hold YAML anchors for shared condition pieces; they are dropped before validation.
    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, json_schema_extra={"patternProperties": {"^x-": {}}}
    )

    version: str
    context_agency: dict[Context, Agency | None] = Field(description="Who 'you' are in each context")
    conference_default_agency: Agency = Field(
        description="In a case conference, the agency an assessment with no recorded agency is attributed to"
    )
    steps: list[StepRule] = Field(min_length=1)

    def rule(self, step_id: str) -> StepRule | None:
        """The rule of the step `step_id` (a result's Step carries its id), or None for an id the file lacks."""
        return next((r for r in self.steps if r.id == step_id), None)


class FlagRule(Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    title: Text
    effect: Text
    when: CaseCondition
    raises_overall_to: RiskLevel | None = None
    shown_first: bool = False


class PersonSelector(Strict):
    role: list[PersonRole] | None = Field(
        None, description="Registered roles; `child` means anyone under 18 (or of unknown age registered as a child)"
    )
    age_below: StrictInt | None = None
    age_at_least: StrictInt | None = Field(
        None, description="Persons of a known age below this, or children, are left out"
    )
    assessed_with: str | None = Field(None, description="Only persons who have an assessment of this checklist")
    about_of: str | None = Field(
        None,
        description="Only persons an assessment of this checklist is about (its `about`, or where it names no one, "
        "every person in the checklist's about_role)",
    )


class RequiredRule(Strict):
    id: str
    checklist: str
    for_each_person: PersonSelector
    explanation: Text
    kind: Literal["required", "suggested"] = Field(
        "required",
        description="required: the case is incomplete without it (child_assessment_missing); suggested: a screen "
        "the situation prompts, listed in the result's suggested_checklists",
    )


class FlagFile(Strict):
    version: str
    unborn_item: str | None = Field(
        None,
        description="The item whose yes marks the subject as an unborn child: not yet a child for the duty to report",
    )
    required_checklists: list[RequiredRule]
    flags: list[FlagRule] = Field(min_length=1)


class Rules(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    law: LawFile
    steps: StepFile
    flags: FlagFile

    @functools.cached_property
    def provisions(self) -> dict[str, Provision]:
        return {p.id: p for p in self.law.provisions}


def _parse(model: type[Strict], path: Path) -> Any:
    raw = read_yaml(path)
    if isinstance(raw, dict):  # top-level x-* keys only hold YAML anchors for shared condition pieces
        raw = {k: v for k, v in raw.items() if not str(k).startswith("x-")}
    return validate_file(model, raw, path.name)


def _references(
    where: str, cond: Condition, checklists: dict[str, Checklist], flags: set[str], steps: set[str]
) -> list[str]:
    """Every item, checklist, section, flag and step a condition names must exist."""
    problems: list[str] = []
    items = {i for cl in checklists.values() for i in cl.items}
    sections = {s.id for cl in checklists.values() for s in cl.sections}
    for node in walk(cond):
        names: list[str] = []
        if isinstance(node, (YesAny, YesAll, AnsweredUnknown)):
            names = node.ids
        elif isinstance(node, CountYes):
            names = node.ids or []
        problems += [f"{where}: unknown item {n!r}" for n in names if n not in items]
        if isinstance(node, AnyAssessment):
            problems += [f"{where}: unknown checklist {c!r}" for c in node.checklists_ or [] if c not in checklists]
        if isinstance(node, AboutAssessment) and node.checklist not in checklists:
            problems.append(f"{where}: unknown checklist {node.checklist!r}")
        if isinstance(node, SectionLevelAtLeast) and node.section not in sections:
            problems.append(f"{where}: unknown section {node.section!r}")
        if isinstance(node, FlagRaised):
            problems += [f"{where}: flag {f!r} is not defined before this rule" for f in node.ids if f not in flags]
        if isinstance(node, StepSuggested):
            problems += [f"{where}: step {s!r} is not defined before this step" for s in node.ids if s not in steps]
    return problems


def load_rules(directory: Path = CHECKLIST_DIR, checklists: dict[str, Checklist] | None = None) -> Rules:
    checklists = checklists if checklists is not None else default_checklists()
    problems: list[str] = []
    parsed: dict[str, Any] = {}
    for name, model in (("law", LawFile), ("steps", StepFile), ("flags", FlagFile)):
        try:
            parsed[name] = _parse(model, directory / f"{name}.yaml")
        except ChecklistError as e:
            problems += e.problems
    law: LawFile | None = parsed.get("law")
    steps: StepFile | None = parsed.get("steps")
    flags: FlagFile | None = parsed.get("flags")
    provision_ids = [p.id for p in law.provisions] if law else []
    problems += [f"law.yaml: provisions[{p}]: duplicate id" for p in set(provision_ids) if provision_ids.count(p) > 1]
    missing_ctx = [c.value for c in Context if steps and c not in steps.context_agency]
    if missing_ctx:
        problems.append(f"steps.yaml: context_agency: missing {', '.join(missing_ctx)}")
    seen_flags: set[str] = set()
    for rule in flags.required_checklists if flags else []:
        if rule.checklist not in checklists:
            problems.append(
                f"flags.yaml: required_checklists[{rule.id}].checklist: unknown checklist {rule.checklist!r}"
            )
        for field in ("assessed_with", "about_of"):
            sel = getattr(rule.for_each_person, field)
            if sel is not None and sel not in checklists:
                problems.append(
                    f"flags.yaml: required_checklists[{rule.id}].for_each_person.{field}: unknown checklist {sel!r}"
                )
    unborn = flags.unborn_item if flags else None
    if unborn is not None and all(unborn not in cl.items for cl in checklists.values()):
        problems.append(f"flags.yaml: unborn_item: unknown item {unborn!r}")
    for flag in flags.flags if flags else []:
        if flag.id in seen_flags:
            problems.append(f"flags.yaml: flags[{flag.id}].id: duplicate")
        problems += _references(f"flags.yaml: flags[{flag.id}].when", flag.when, checklists, seen_flags, set())
        seen_flags.add(flag.id)
    seen_steps: set[str] = set()
    for step in steps.steps if steps else []:
        where = f"steps.yaml: steps[{step.id}]"
        if step.id in seen_steps:
            problems.append(f"{where}.id: duplicate")
        if law:  # unknown provisions can only be told once law.yaml loads
            problems += [
                f"{where}.legal_basis: unknown provision {p!r}" for p in step.legal_basis if p not in provision_ids
            ]
            problems += [
                f"{where}.legal_basis_by_agency.{agency}: unknown provision {p!r}"
                for agency, ids in step.legal_basis_by_agency.items()
                for p in ids
                if p not in provision_ids
            ]
        if step.consent == "required" and not step.consent_from:
            problems.append(f"{where}.consent_from: say whose consent a required consent is")
        if flags:  # unknown flags can only be told once flags.yaml loads
            problems += _references(f"{where}.when", step.when, checklists, seen_flags, seen_steps)
            for n, w in enumerate(step.wording):
                problems += _references(f"{where}.wording[{n}].when", w.when, checklists, seen_flags, seen_steps)
        seen_steps.add(step.id)
    if problems or law is None or steps is None or flags is None:
        raise ChecklistError(problems)
    return Rules(law=law, steps=steps, flags=flags)


@functools.cache
def default_rules() -> Rules:
    return load_rules()


def rule_schemas() -> dict[str, dict[str, Any]]:
    return {
        "law": LawFile.model_json_schema(),
        "steps": StepFile.model_json_schema(),
        "flags": FlagFile.model_json_schema(),
    }
