"""Safety plans as data: the templates of checklists/safety_plans.yaml (the victim's safety plan and the suicide
safety plan), which result offers which plan, and the checks of a plan's answers before it is saved.

A plan is the person's own: the first section is their priorities, the answers are their words, and the print view
(ui/safety_plan.py) shows nothing but the plan. Storage keeps every save as a version (risk/storage/safety_plans.py).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from risk.checklists import CHECKLIST_DIR, Checklist, default_checklists, read_yaml, validate_file
from risk.errors import ChecklistError
from risk.guidance import Checked, Source
from risk.models import Result
from risk.text import Text
from risk.vocabulary import Language, PersonRole, RiskLevel

SAFETY_PLANS_PATH = CHECKLIST_DIR / "safety_plans.yaml"
MAX_ANSWER = 4000  # characters per section: a plan is read on paper, not a case record's free text
ID = r"^[a-z][a-z0-9_]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanSection(Strict):
    id: str = Field(pattern=ID, description="Stable id; saved answers are keyed by it; never rename")
    title: Text = Field(description="The heading on the plan the person takes home")
    prompt: Text = Field(description="The question put to the person, in their language")
    help: Text = Field(description="For the professional: how to fill the section in; not printed")


class PlanTemplate(Strict):
    id: str = Field(pattern=ID, description="The plan's kind, saved with every version; never rename")
    title: Text = Field(description="The title on the print, addressed to the person")
    name: Text = Field(description="What professionals call the plan (buttons, lists)")
    intro: Text = Field(description="Printed first: what the plan is for, and to call 112 in danger")
    keep_safe: Text = Field(description="Printed: where to keep the plan so that no one who harms the person sees it")
    person_roles: list[PersonRole] = Field(
        default_factory=list, description="The roles of the persons the plan is for; empty: any role"
    )
    guidance: list[str] = Field(default_factory=list, description="Guidance entries (knowledge/) for the professional")
    sections: list[PlanSection] = Field(min_length=1, description="In order; the person's own priorities first")

    def section(self, section_id: str) -> PlanSection | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def for_role(self, role: PersonRole | str) -> bool:
        return not self.person_roles or PersonRole(role) in self.person_roles


class PlanOfferRule(Strict):
    """A plan is offered for the subject of an assessment of one of `checklists`, in one of `subject_roles` (empty:
    any), when the assessment's level (or its `section`'s) is at least `min_level` (none: any level)."""

    plan: str
    checklists: list[str] = Field(min_length=1)
    subject_roles: list[PersonRole] = Field(default_factory=list)
    section: str | None = None
    min_level: RiskLevel | None = None


class SafetyPlanFile(Strict):
    version: str
    to_confirm: Text = Field(description="What is not verified and who must confirm it")
    plans: list[PlanTemplate] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    checked: Checked
    offers: list[PlanOfferRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> SafetyPlanFile:
        ids = [p.id for p in self.plans]
        if len(ids) != len(set(ids)):
            raise ValueError(f"plans: ids must be unique, got {ids}")
        for p in self.plans:
            sections = [s.id for s in p.sections]
            if len(sections) != len(set(sections)):
                raise ValueError(f"plans[{p.id}].sections: ids must be unique, got {sections}")
        return self

    def plan(self, plan_id: str) -> PlanTemplate | None:
        return next((p for p in self.plans if p.id == plan_id), None)


def _problems(spf: SafetyPlanFile, checklists: Mapping[str, Checklist], guidance: set[str] | None) -> list[str]:
    problems = []
    plans = {p.id for p in spf.plans}
    for n, rule in enumerate(spf.offers):
        where = f"offers[{n}]"
        if rule.plan not in plans:
            problems.append(f"{where}.plan: unknown plan {rule.plan!r}; plans: {', '.join(sorted(plans))}")
        for c in rule.checklists:
            if c not in checklists:
                problems.append(f"{where}.checklists: unknown checklist {c!r}")
            elif rule.section is not None and rule.section not in {s.id for s in checklists[c].sections}:
                problems.append(f"{where}.section: checklist {c} has no section {rule.section!r}")
    if guidance is not None:
        problems += [
            f"plans[{p.id}].guidance: unknown guidance entry {g!r}"
            for p in spf.plans
            for g in p.guidance
            if g not in guidance
        ]
    return problems


def load_safety_plans(path: Path = SAFETY_PLANS_PATH, check_links: bool = True) -> SafetyPlanFile:
    """The templates, checked against the checklists (offers) and the guidance library (links)."""
    spf = validate_file(SafetyPlanFile, read_yaml(path), path.name)
    guidance: set[str] | None = None
    if check_links:
        from risk.guidance import default_library

        guidance = set(default_library().entries)
    problems = _problems(spf, default_checklists(), guidance)
    if problems:
        raise ChecklistError([f"{path.name}: {p}" for p in problems])
    return spf


@functools.cache
def default_safety_plans() -> SafetyPlanFile:
    return load_safety_plans()


class PlanOffer(BaseModel):
    """A plan the result offers for one person, and the assessment that offers it."""

    model_config = ConfigDict(frozen=True)

    plan: str
    person: str
    checklist: str
    level: RiskLevel


def offered_plans(
    result: Result, roles: Mapping[str, PersonRole | str], plans: SafetyPlanFile | None = None
) -> list[PlanOffer]:
    """The plans a result offers, one per person and plan, in the order of the rules and then of the assessments.

    `roles` gives each person's role (the case's persons); a person with no known role is offered no plan."""
    plans = plans if plans is not None else default_safety_plans()
    out: list[PlanOffer] = []
    seen: set[tuple[str, str]] = set()
    for rule in plans.offers:
        template = plans.plan(rule.plan)
        for a in result.assessments:
            role = roles.get(a.subject)
            if a.checklist not in rule.checklists or role is None or (a.subject, rule.plan) in seen:
                continue
            if rule.subject_roles and PersonRole(role) not in rule.subject_roles:
                continue
            if template is not None and not template.for_role(role):
                continue
            level = a.level
            if rule.section is not None:
                section = a.sections.get(rule.section)
                if section is None or section.level is None:
                    continue
                level = section.level
            if rule.min_level is not None and level.rank < rule.min_level.rank:
                continue
            seen.add((a.subject, rule.plan))
            out.append(PlanOffer(plan=rule.plan, person=a.subject, checklist=a.checklist, level=level))
    return out


def answer_problems(template: PlanTemplate, answers: Mapping[str, Any]) -> list[str]:
    """Why these answers cannot be saved as a version of the plan ([] when they can): each problem names the
    section to fix. Empty sections are allowed (the person may not want one), an empty plan is not."""
    problems = []
    for key, value in answers.items():
        if template.section(key) is None:
            problems.append(
                f"{key}: not a section of the {template.id} plan ({', '.join(s.id for s in template.sections)})"
            )
        elif not isinstance(value, str):
            problems.append(f"{key}: expected text")
        elif len(value) > MAX_ANSWER:
            problems.append(f"{key}: {len(value)} characters; at most {MAX_ANSWER}")
    if not problems and not any(isinstance(v, str) and v.strip() for v in answers.values()):
        problems.append("sections: write at least one section of the plan")
    return problems


def clean_answers(template: PlanTemplate, answers: Mapping[str, str]) -> dict[str, str]:
    """The answers as saved: in the template's order, trimmed, empty sections left out."""
    return {s.id: answers[s.id].strip() for s in template.sections if (answers.get(s.id) or "").strip()}


class PrintedSection(BaseModel):
    title: str
    prompt: str
    answer: str | None = Field(None, description="As the person said it: render as plain text; None: left blank")


class PrintedPlan(BaseModel):
    """A saved plan as the person takes it home, in the plan's language: the plan's own texts and the answers, and
    nothing else. No risk level, no case reference, no other person, nothing about the one who harms the person."""

    lang: Language
    kind: str
    title: str
    intro: str
    keep_safe: str
    sections: list[PrintedSection]
    version: int
    made_on: str = Field(description="The day the version was saved (YYYY-MM-DD)")


def printed_plan(template: PlanTemplate, plan: Mapping[str, Any]) -> PrintedPlan:
    """The print of a saved version (a dict of Store.safety_plans): every section in order, blank ones left to fill
    in by hand, in the language the plan was saved in."""
    lang = Language(plan["language"])
    content: Mapping[str, str] = plan["content"]
    return PrintedPlan(
        lang=lang,
        kind=template.id,
        title=template.title(lang),
        intro=template.intro(lang),
        keep_safe=template.keep_safe(lang),
        sections=[
            PrintedSection(title=s.title(lang), prompt=s.prompt(lang), answer=content.get(s.id) or None)
            for s in template.sections
        ],
        version=int(plan["version"]),
        made_on=str(plan["created_at"])[:10],
    )


def safety_plan_schema() -> dict[str, Any]:
    """JSON Schema of checklists/safety_plans.yaml, for editor autocompletion."""
    return SafetyPlanFile.model_json_schema()
