"""The printable one-page summary (risk/summary.py) as an HTML file with print CSS. Everything from the case or the
result is HTML-escaped here: a reference or a reason a user typed is printed as typed, never as markup."""

from __future__ import annotations

from html import escape

from risk.summary import Summary, SummaryAssessment, SummaryStep
from ui.i18n import cap, t
from ui.labels import LEVEL_ICONS, cap_agency, urgency_name

PRINT_CSS = """
@page { size: A4; margin: 9mm 11mm; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 9pt; line-height: 1.2;
       color: #111; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 13pt; margin: 0 0 3pt 0; }
h2 { font-size: 10pt; margin: 6pt 0 2pt 0; border-bottom: 1px solid #999; }
h3 { font-size: 9pt; margin: 4pt 0 1pt 0; }
p, ul { margin: 1pt 0; }
ul { padding-left: 14pt; }
.level { font-size: 13pt; font-weight: bold; border: 2px solid #111; border-left-width: 8px; padding: 3pt 8pt;
         display: inline-block; margin: 3pt 0; }
.meta, .notice { color: #333; font-size: 8pt; }
.unverified { font-weight: bold; }
.reason { white-space: pre-wrap; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def _person(person: str, role: str | None, age: int | None, lang: str) -> str:
    if role is None:
        return person
    if age is None:
        return t("person.label", lang, id=person, role=t(f"role.{role}", lang))
    return t("person.label_age", lang, id=person, role=t(f"role.{role}", lang), age=age)


def _assessment(a: SummaryAssessment, lang: str) -> list[str]:
    who = _person(a.subject, a.subject_role, a.subject_age, lang)
    if a.about:
        who += " " + t("summary.about", lang, person=a.about)
    line = t("summary.assessment", lang, checklist=a.title, person=who, form=a.form, answered=a.answered, asked=a.asked)
    out = [f"<li><p>{escape(line)}"]
    if a.agency:
        out.append(
            f' <span class="meta">({escape(t("summary.by", lang, agency=t(f"agency.{a.agency}", lang)))})</span>'
        )
    out.append("</p>")
    if a.override_reason is not None or a.level is not a.computed_level:
        changed = t("summary.changed", lang, level=a.level_word, computed=a.computed_level_word)
        out.append(f"<p><strong>{escape(changed)}</strong></p>")
        reason = t("summary.reason", lang, reason=a.override_reason or "")
        out.append(f'<p class="reason">{escape(reason)}</p>')
        if a.below_floor:
            out.append(f"<p><strong>{escape(t('summary.below_floor', lang))}</strong></p>")
    else:
        out.append(f"<p>{escape(t('summary.level', lang, level=a.level_word))}</p>")
    if a.critical:
        items = "".join(f"<li>{escape(c)}</li>" for c in a.critical)
        out.append(f"<p>{escape(t('summary.critical', lang))}:</p><ul>{items}</ul>")
    out.append("</li>")
    return out


def _legal(step: SummaryStep, lang: str) -> str:
    if not step.legal_basis:
        return escape(t("summary.no_legal_basis", lang))
    refs = []
    for ref in step.legal_basis:
        mark = (
            f"✓ {escape(t('summary.verified', lang))}"
            if ref.verified
            else f'<span class="unverified">⚠ {escape(t("summary.unverified", lang))}</span>'
        )
        refs.append(f"{escape(ref.citation)} ({mark})")
    return "; ".join(refs)


def _steps(steps: list[SummaryStep], lang: str) -> list[str]:
    out: list[str] = []
    urgency = None
    for step in steps:
        if step.urgency is not urgency:
            if urgency is not None:
                out.append("</ul>")
            urgency = step.urgency
            out.append(f"<h3>{escape(urgency_name(urgency.value, lang))}</h3><ul>")
        agency = cap_agency(step.agency, lang)
        own = f" ({escape(t('summary.own', lang))})" if step.own_agency else ""
        out.append(
            f"<li><p><strong>{escape(agency)}{own}:</strong> {escape(step.action)}</p>"
            f'<p class="meta">{escape(t("summary.legal_basis", lang))}: {_legal(step, lang)} · '
            f"{escape(t(f'summary.consent_{step.consent.value}', lang))}</p></li>"
        )
    if urgency is not None:
        out.append("</ul>")
    return out


def summary_html(summary: Summary) -> str:
    """A whole HTML document in the summary's language, laid out for one printed A4 page."""
    lang = summary.lang.value
    title = t("summary.title", lang)
    body = [f"<h1>{escape(title)}</h1>"]
    facts = [
        f"{escape(t('summary.case', lang))}: {escape(summary.reference or '–')}",
        f"{escape(t('summary.setting', lang))}: {escape(t(f'context.{summary.context}', lang))}",
    ]
    body.append(f'<p class="meta">{" · ".join(facts)}</p>')
    level = cap(summary.overall_level_word)
    body.append(
        f'<div class="level">{escape(t("summary.overall", lang))}: {LEVEL_ICONS[summary.overall_level.value]} '
        f"{escape(level)} ({escape(t('level.scale', lang, rank=summary.overall_level.rank + 1))})</div>"
    )
    body.append(f"<h2>{escape(t('summary.assessments', lang))}</h2><ul>")
    for a in summary.assessments:
        body += _assessment(a, lang)
    body.append("</ul>")
    if summary.flags:
        body.append(f"<h2>{escape(t('summary.flags', lang))}</h2><ul>")
        body += [f"<li>{escape(f)}</li>" for f in summary.flags]
        body.append("</ul>")
    body.append(f"<h2>{escape(t('summary.steps', lang))}</h2>")
    body += _steps(summary.steps, lang) if summary.steps else [f"<p>{escape(t('summary.none', lang))}</p>"]
    body.append(f"<h2>{escape(t('summary.consents', lang))}</h2>")
    if summary.consents:
        body.append("<ul>")
        for c in summary.consents:
            agencies = ", ".join(t(f"agency.{a}", lang) for a in c.to)
            person = _person(c.person, c.role, None, lang)
            body.append(f"<li>{escape(t('summary.consent_to', lang, person=person, agencies=agencies))}</li>")
        body.append("</ul>")
    else:
        body.append(f"<p>{escape(t('summary.no_consents', lang))}</p>")
    body.append(f'<p class="notice">{escape(summary.notice)}</p>')
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{PRINT_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )
