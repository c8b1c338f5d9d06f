"""Words for the engine's identifiers: levels, answers, agencies, urgencies, consent, persons and the
`because` tokens of flags and steps (item ids, flag ids, `checklist:subject=level`, …). Pure functions, no Streamlit.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from risk.checklists import Checklist, default_checklists
from risk.rules import Rules, default_rules
from risk.text import Text
from risk.vocabulary import RiskLevel
from ui.i18n import cap, t

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


_LEVEL = "|".join(lv.value for lv in RiskLevel)
# An assessment is named checklist:subject, with @agency when several agencies assessed the same person.
_KEY = r"(?P<cl>[a-z_]+):(?P<subject>[^.=:\s@]+)(?:@(?P<agency>[a-z_]+))?"
_ASSESSMENT = re.compile(rf"^{_KEY}(?:=(?P<level>{_LEVEL}))?$")
_SECTION = re.compile(rf"^{_KEY}\.(?P<section>[a-z0-9_]+)=(?P<level>{_LEVEL})$")
_COMPLETENESS = re.compile(rf"^{_KEY}\.completeness=(?P<value>[0-9.]+)$")
_OUTSIDE = re.compile(rf"^{_KEY}: (?P<note>.+)$")
_PERSON_FACT = re.compile(r"^(?P<person>[^.=:\s]+)\.(?:role=child|age=(?P<age>\d+))$")


def _subject(m: re.Match[str], lang: str, catalog: Catalog) -> str:
    """The person an assessment token is about, with the agency that made it where the token names one."""
    person = catalog.person(m["subject"])
    if not m["agency"]:
        return person
    agency = t("agency." + m["agency"], lang)
    return f"{person} ({agency})"


def describe_reason(token: str, lang: str, catalog: Catalog, width: int = 90) -> str:
    """One `because` token of a flag or step in words; an unknown kind of token is shown as it is."""
    if token in catalog.item_checklist:
        return item_text(token, lang, catalog, width)
    if token in catalog.flag_titles:
        return t("reason.flag", lang, title=catalog.flag_titles[token](lang))
    if token in catalog.step_actions:
        return t("reason.step", lang, action=shorten(catalog.step_actions[token](lang), width))
    if token in catalog.persons:
        return t("reason.person", lang, person=catalog.person(token))
    if token.startswith("overall=") and token[8:] in RiskLevel.__members__:
        return t("reason.overall", lang, level=level_word(token[8:], lang))
    if token.startswith("agency:"):
        agency = token[7:]
        return t("reason.agency", lang, agency=cap_agency(agency, lang))
    if token.startswith("consent:"):
        return t("reason.consent", lang, person=catalog.person(token[8:]))
    if m := _SECTION.match(token):
        cl = catalog.checklists.get(m["cl"])
        if cl is not None:
            section = next((s.title(lang) for s in cl.sections if s.id == m["section"]), m["section"])
            return t(
                "reason.section_level",
                lang,
                checklist=checklist_name(cl, lang),
                subject=_subject(m, lang, catalog),
                section=section,
                level=level_word(m["level"], lang),
            )
    if m := _COMPLETENESS.match(token):
        cl = catalog.checklists.get(m["cl"])
        if cl is not None:
            return t(
                "reason.completeness",
                lang,
                checklist=checklist_name(cl, lang),
                subject=_subject(m, lang, catalog),
                pct=round(float(m["value"]) * 100),
            )
    if m := _ASSESSMENT.match(token):
        cl = catalog.checklists.get(m["cl"])
        if cl is not None:
            name, subject = checklist_name(cl, lang), _subject(m, lang, catalog)
            if m["level"]:
                level = level_word(m["level"], lang)
                return t("reason.assessment_level", lang, checklist=name, subject=subject, level=level)
            return t("reason.assessment", lang, checklist=name, subject=subject)
    if m := _OUTSIDE.match(token):
        cl = catalog.checklists.get(m["cl"])
        if cl is not None:
            name = t("reason.assessment", lang, checklist=checklist_name(cl, lang), subject=_subject(m, lang, catalog))
            return f"{name}: {m['note']}"
    if m := _PERSON_FACT.match(token):
        person = catalog.person(m["person"])
        return (
            t("reason.age", lang, person=person, age=m["age"]) if m["age"] else t("reason.child", lang, person=person)
        )
    return token


def cap_agency(agency: str, lang: str) -> str:
    return cap(agency_name(agency, lang))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$:])")


def md_escape(text: str) -> str:
    """Data text (answers, reasons, citations, a professional's override reason) shown literally in st.markdown:
    no emphasis, links, HTML, LaTeX ($), colour directives (:red[…]) or emoji shortcodes."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")
