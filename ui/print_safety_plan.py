"""A saved safety plan as an HTML file with print CSS, for the person to take home (risk/safety_plans.py builds it).

Everything the person said is HTML-escaped: printed as typed, never as markup. The page holds the plan and nothing
else: no risk level, no case reference, no other person's data; it says where to keep the plan safe."""

from __future__ import annotations

from html import escape

from risk.safety_plans import PrintedPlan
from ui.i18n import t
from ui.print_summary import PRINT_CSS

PLAN_CSS = """
body { font-size: 11pt; line-height: 1.35; }
h1 { font-size: 16pt; }
h2 { font-size: 12pt; margin-top: 10pt; }
.prompt { color: #333; font-style: italic; }
.answer { white-space: pre-wrap; margin: 3pt 0 6pt 0; }
.blank { border-bottom: 1px solid #999; height: 28pt; margin: 3pt 0 6pt 0; }
.keep-safe { border: 2px solid #111; padding: 4pt 8pt; margin: 8pt 0; }
section { break-inside: avoid; }
"""


def safety_plan_html(plan: PrintedPlan) -> str:
    lang = plan.lang.value
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{escape(plan.title)}</title>",
        f"<style>{PRINT_CSS}{PLAN_CSS}</style></head><body>",
        f"<h1>{escape(plan.title)}</h1>",
        f"<p>{escape(plan.intro)}</p>",
        f'<div class="keep-safe"><strong>{escape(t("safety_plan.keep_safe_title", lang))}.</strong> '
        f"{escape(plan.keep_safe)}</div>",
    ]
    for n, section in enumerate(plan.sections, start=1):
        parts.append(f"<section><h2>{n}. {escape(section.title)}</h2>")
        parts.append(f'<p class="prompt">{escape(section.prompt)}</p>')
        if section.answer:
            parts.append(f'<p class="answer">{escape(section.answer)}</p>')
        else:
            parts.append(f'<div class="blank" aria-label="{escape(t("safety_plan.blank", lang))}"></div>')
        parts.append("</section>")
    made = t("safety_plan.print_version", lang, version=plan.version, date=plan.made_on)
    parts.append(f'<p class="meta">{escape(made)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts)
