"""Words for the engine's identifiers: levels, answers, agencies, urgencies, consent, persons and the
structured reasons (`risk.models.Reason`) of levels, flags and steps. Pure functions, no Streamlit.
Sentences are built from the reasons' fields and the locale files; the `because` strings are never parsed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from risk.checklists import Checklist, default_checklists
from risk.models import Reason
from risk.rules import Rules, default_rules
from risk.text import Text
from risk.vocabulary import Agency, RiskLevel
from ui.i18n import cap, t
from ui.plain_text import md_escape as md_escape  # defined there (light for the sign-in page); kept here too

LEVEL_ICONS: dict[str, str] = {"low": "▲△△△", "moderate": "▲▲△△", "high": "▲▲▲△", "severe": "▲▲▲▲"}
LEVEL_COLOURS: dict[str, str] = {"low": "#2e6db4", "moderate": "#c77700", "high": "#c62828", "severe": "#7b1fa2"}
URGENCY_ORDER: tuple[str, ...] = ("immediate", "same_day", "within_week", "planned")


@dataclass(frozen=True)
class Catalog:
    """What the components look names up in: the checklists, the rules (flags, steps, required checklists) and,
    optionally, how to show each person (id → label, e.g. from `person_labels`)."""

    checklists: Mapping[str, Checklist]
    rules: Rules
    persons: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def default(cls, persons: Mapping[str, str] | None = None) -> Catalog:
        return cls(default_checklists(), default_rules(), dict(persons or {}))

    @functools.cached_property
    def item_checklist(self) -> dict[str, Checklist]:
        return {item: cl for cl in self.checklists.values() for item in cl.items}

    @functools.cached_property
    def flag_titles(self) -> dict[str, Text]:
        return {f.id: f.title for f in self.rules.flags.flags}

    @functools.cached_property
    def step_actions(self) -> dict[str, Text]:
        return {s.id: s.action for s in self.rules.steps.steps}

    @functools.cached_property
    def required_explanations(self) -> dict[str, Text]:
        return {r.id: r.explanation for r in self.rules.flags.required_checklists}

    def person(self, pid: str) -> str:
        return self.persons.get(pid, pid)


def level_word(level: RiskLevel | str, lang: str) -> str:
    return t(f"level.{RiskLevel(level).value}", lang)


def answer_word(answer: str | None, lang: str) -> str:
    return t(f"answer.{answer or 'unasked'}", lang)


def agency_name(agency: str, lang: str) -> str:
    return t(f"agency.{agency}", lang)


def urgency_name(urgency: str, lang: str) -> str:
    return t(f"urgency.{urgency}", lang)


def consent_word(status: str, lang: str) -> str:
    return t(f"consent.{status}", lang)


def checklist_name(cl: Checklist, lang: str) -> str:
    """The short name of a checklist: its title up to the first ':' or ' – '."""
    return re.split(r":\s| – ", cl.title(lang), maxsplit=1)[0]


def shorten(text: str, width: int = 80) -> str:
    """Cut at a word boundary with an ellipsis; the full text belongs in a tooltip or hover."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def person_labels(persons: Iterable[Mapping[str, Any]], lang: str) -> dict[str, str]:
    """'v1' → 'v1 (utsatt, 31 år)' from the persons of a case file."""
    out: dict[str, str] = {}
    for p in persons:
        role = t(f"role.{p['role']}", lang)
        age = p.get("age")
        out[p["id"]] = (
            t("person.label", lang, id=p["id"], role=role)
            if age is None
            else t("person.label_age", lang, id=p["id"], role=role, age=age)
        )
    return out


def item_text(item_id: str, lang: str, catalog: Catalog, width: int | None = None) -> str:
    cl = catalog.item_checklist.get(item_id)
    if cl is None:
        return item_id
    text = cl.items[item_id].text(lang)
    return shorten(text, width) if width else text


def reasons_of(because: Sequence[str], reasons: Sequence[Reason]) -> list[Reason]:
    """The structured reasons of a flag, step or level; a result without them (older, stored) gives its strings."""
    return list(reasons) if reasons else [Reason(kind="other", text=code) for code in because]


def _subject(reason: Reason, lang: str, catalog: Catalog) -> str:
    """The person assessed; where the reason names them, whom the assessment is about and the agency that made it."""
    person = catalog.person(reason.subject or "")
    if reason.about:
        person = t("reason.subject_about", lang, subject=person, about=catalog.person(reason.about))
    return f"{person} ({agency_name(reason.agency, lang)})" if reason.agency else person


def _checklist(reason: Reason, lang: str, catalog: Catalog) -> str:
    cl = catalog.checklists.get(reason.checklist or "")
    return checklist_name(cl, lang) if cl is not None else str(reason.checklist)


def _other(code: str, lang: str, catalog: Catalog, width: int) -> str:
    """A reason given only as a string: an id of an item, flag, step or person in words, else as it is."""
    if code in catalog.item_checklist:
        return item_text(code, lang, catalog, width)
    if code in catalog.flag_titles:
        return t("reason.flag", lang, title=catalog.flag_titles[code](lang))
    if code in catalog.step_actions:
        return t("reason.step", lang, action=shorten(catalog.step_actions[code](lang), width))
    if code in catalog.persons:
        return t("reason.person", lang, person=catalog.person(code))
    return code


def describe(reason: Reason, lang: str, catalog: Catalog, width: int = 90) -> str:
    """One reason of a level, flag or step in words, built from its fields and the locale files."""
    k = reason.kind
    level = level_word(reason.level, lang) if reason.level is not None else ""
    if k == "item" and reason.item:
        return item_text(reason.item, lang, catalog, width)
    if k in ("item_not_known", "item_unknown") and reason.item:
        question = item_text(reason.item, lang, catalog, width)
        if reason.agency:  # several agencies assessed the person: say whose question is open
            return t("reason.item_not_known_by", lang, agency=agency_name(reason.agency, lang), question=question)
        return t("reason.item_not_known", lang, question=question)
    if k in ("flag", "overall_flag") and reason.flag in catalog.flag_titles:
        return t("reason.flag", lang, title=catalog.flag_titles[reason.flag](lang))
    if k == "step" and reason.step in catalog.step_actions:
        return t("reason.step", lang, action=shorten(catalog.step_actions[reason.step](lang), width))
    if k == "person":
        return t("reason.person", lang, person=catalog.person(reason.person or ""))
    if k == "person_age" and reason.value is not None:
        return t("reason.age", lang, person=catalog.person(reason.person or ""), age=f"{reason.value:g}")
    if k == "person_role" and reason.role is not None:
        person = catalog.person(reason.person or "")
        if reason.role.value == "child":
            return t("reason.child", lang, person=person)
        return t("reason.role", lang, person=person, role=t(f"role.{reason.role.value}", lang))
    if k == "consent":
        return t("reason.consent", lang, person=catalog.person(reason.person or ""))
    if k == "agency" and reason.agency:
        return t("reason.agency", lang, agency=cap_agency(reason.agency, lang))
    if k == "overall" and reason.level is not None:
        return t("reason.overall", lang, level=level)
    if k in _ASSESSMENT_KINDS and reason.checklist in catalog.checklists:
        name, subject = _checklist(reason, lang, catalog), _subject(reason, lang, catalog)
        if k == "assessment":
            return t("reason.assessment", lang, checklist=name, subject=subject)
        if k == "missing_checklist":
            return t("reason.missing_checklist", lang, checklist=name, subject=catalog.person(reason.subject or ""))
        if k == "assessment_level" and reason.level is not None:
            return t("reason.assessment_level", lang, checklist=name, subject=subject, level=level)
        if k == "section_level" and reason.level is not None:
            cl = catalog.checklists[str(reason.checklist)]
            section = next((s.title(lang) for s in cl.sections if s.id == reason.section), str(reason.section))
            return t("reason.section_level", lang, checklist=name, subject=subject, section=section, level=level)
        if k == "completeness" and reason.value is not None:
            return t("reason.completeness", lang, checklist=name, subject=subject, pct=round(reason.value * 100))
        if k == "below_floor" and reason.level is not None and reason.floor is not None:
            floor = level_word(reason.floor, lang)
            return t("reason.below_floor", lang, checklist=name, subject=subject, level=level, floor=floor)
        if k == "outside_population":  # the note is the checklist's, in the result's language
            note = reason.note or ""
            return t("reason.outside_population", lang, checklist=name, subject=subject, note=note)
    return _other(reason.code, lang, catalog, width)


_ASSESSMENT_KINDS = frozenset(
    {
        "assessment",
        "assessment_level",
        "section_level",
        "completeness",
        "below_floor",
        "outside_population",
        "missing_checklist",
    }
)


def cap_agency(agency: str, lang: str) -> str:
    return cap(agency_name(agency, lang))


def account_rows(accounts: Iterable[Mapping[str, Any]], lang: str) -> list[dict[str, str]]:
    """The admin's list of accounts (Store.list_users) with headings and values in words: no role or agency code."""
    rows = []
    for a in accounts:
        organisation = str(a.get("organisation") or "")
        rows.append(
            {
                t("pages.login.username", lang): str(a["username"]),
                t("pages.admin.agency", lang): cap(agency_name(str(a["agency"]), lang)),
                t("pages.admin.organisation", lang): organisation_word(organisation, lang),
                t("pages.admin.role", lang): cap(t(f"pages.roles.{a['role']}", lang)),
                t("accounts.status", lang): t("accounts.disabled" if a.get("disabled") else "accounts.active", lang),
                t("accounts.failed_logins", lang): str(a.get("failed_logins") or 0),
                t("accounts.sso", lang): cap(answer_word("yes" if a.get("sso") else "no", lang)),
            }
        )
    return rows


def organisation_word(key: str, lang: str) -> str:
    """An organisation by its key: an agency's default organisation (its key is the agency's code) in words, any
    other by the key its admin gave it."""
    return cap(agency_name(key, lang)) if key in {a.value for a in Agency} else key
