"""The one-page summary of a result, as structured data in the user's language: level, why, steps with their legal
basis and whether it is verified, who was asked what and who consented. Pages only render it (ui/print_summary.py);
texts come from the result (already in the language asked for), the checklists and locales/engine.*.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from risk.checklists import Checklist, default_checklists
from risk.models import LegalBasis, Result
from risk.text import engine_level_word as level_word
from risk.vocabulary import ConsentStatus, Language, RiskLevel, Urgency


class SummaryAssessment(BaseModel):
    """One assessment: whom it asked, with which form, made by which agency, and its level (both, if changed)."""

    checklist: str
    title: str
    subject: str
    subject_role: str | None = None
    subject_age: int | None = None
    about: str | None = None
    agency: str | None = None
    form: str
    answered: int = Field(description="Items of the form answered yes or no")
    asked: int = Field(description="Items of the form")
    level: RiskLevel
    level_word: str
    computed_level: RiskLevel
    computed_level_word: str
    override_reason: str | None = Field(None, description="As the professional typed it: render as plain text")
    below_floor: bool = False
    critical: list[str] = Field(default_factory=list, description="Questions of the critical items answered yes")


class SummaryStep(BaseModel):
    action: str
    agency: str
    urgency: Urgency
    legal_basis: list[LegalBasis]
    consent: ConsentStatus
    own_agency: bool


class SummaryConsent(BaseModel):
    person: str
    role: str | None = None
    to: list[str]


class Summary(BaseModel):
    lang: Language
    reference: str | None = Field(None, description="As typed: render as plain text")
    context: str
    overall_level: RiskLevel
    overall_level_word: str
    assessments: list[SummaryAssessment]
    flags: list[str] = Field(description="Titles of the findings across assessments")
    steps: list[SummaryStep] = Field(description="Immediate first, then same day, within a week, planned")
    consents: list[SummaryConsent]
    notice: str


def _answered(checklist: Checklist, form_id: str, answers: Mapping[str, str]) -> tuple[int, int]:
    """How many of the form's questions were answered yes or no, of how many it asks."""
    items = [i.id for i in checklist.items.values() if form_id in i.forms]
    return sum(answers.get(i) in ("yes", "no") for i in items), len(items)


def build_summary(
    case: Mapping[str, Any],
    result: Result,
    lang: Language | str,
    checklists: Mapping[str, Checklist] | None = None,
    agency: str | None = None,
) -> Summary:
    """The summary of `result` (computed in `lang`) for the case file it was computed from (as the Store gives it).
    `agency`: the reader's agency, whose steps are marked as their own (default: the engine's, by the setting)."""
    lang = Language(lang)
    checklists = checklists if checklists is not None else default_checklists()
    persons = {p["id"]: p for p in case.get("persons", [])}
    answers = {
        (a["checklist"], a["subject"], a.get("agency")): a.get("answers", {}) for a in case.get("assessments", [])
    }
    assessments = []
    for a in result.assessments:
        checklist = checklists[a.checklist]
        answered, asked = _answered(checklist, a.form, answers.get((a.checklist, a.subject, a.agency), {}))
        person = persons.get(a.subject, {})
        assessments.append(
            SummaryAssessment(
                checklist=a.checklist,
                title=checklist.title(lang),
                subject=a.subject,
                subject_role=person.get("role"),
                subject_age=person.get("age"),
                about=a.about,
                agency=a.agency,
                form=next((f.title(lang) for f in checklist.forms if f.id == a.form), a.form),
                answered=answered,
                asked=asked,
                level=a.level,
                level_word=level_word(a.level, lang),
                computed_level=a.computed_level,
                computed_level_word=level_word(a.computed_level, lang),
                override_reason=a.override_reason,
                below_floor=a.below_floor,
                critical=[checklist.items[i].text(lang) for i in a.critical_items if i in checklist.items],
            )
        )
    own = {s.id: (s.agency == agency if agency else s.own_agency) for s in result.steps}
    steps = sorted(result.steps, key=lambda s: (s.urgency.rank, not own[s.id]))
    consents = [
        SummaryConsent(person=c["person"], role=persons.get(c["person"], {}).get("role"), to=list(c["to_share_with"]))
        for c in case.get("consents", [])
    ]
    return Summary(
        lang=lang,
        reference=case.get("reference"),
        context=str(result.context),
        overall_level=result.overall_level,
        overall_level_word=level_word(result.overall_level, lang),
        assessments=assessments,
        flags=[f.title for f in result.flags],
        steps=[
            SummaryStep(
                action=s.action,
                agency=s.agency,
                urgency=s.urgency,
                legal_basis=s.legal_references,
                consent=s.consent,
                own_agency=own[s.id],
            )
            for s in steps
        ],
        consents=consents,
        notice=result.notice,
    )
