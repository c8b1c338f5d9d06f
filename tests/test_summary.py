"""The printable one-page summary: built from the result as data (risk/summary.py), rendered as HTML in the user's
language (ui/print_summary.py): level, why, steps with legal basis and verified mark, who was asked what, who
consented; a typed reference or reason is printed as typed."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from risk import assess
from risk.summary import build_summary
from tests.conftest import ROOT
from ui.i18n import t
from ui.print_summary import summary_html

EVIL = "![x](http://e/x.png) [link](http://e) :red[x] <img src=x> **b**"
OTHER = {"sv": "en", "en": "sv"}
HEADINGS = ("summary.overall", "summary.assessments", "summary.steps", "summary.consents", "summary.legal_basis")


def police_case() -> dict[str, Any]:
    """Vignette p01 (police, strangulation, two children), with a typed reference, a changed level and a consent."""
    case: dict[str, Any] = json.loads((ROOT / "tests/vignettes/p01_police_strangulation_children.json").read_text())[
        "case"
    ]
    case["reference"] = f"K-7 {EVIL}"
    case["overrides"] = [{"checklist": "domestic_violence", "subject": "v1", "level": "moderate", "reason": EVIL}]
    case["consents"] = [{"person": "v1", "to_share_with": ["social_services", "victim_support"]}]
    return case


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_summary_holds_level_why_steps_and_who_was_asked_and_consented(lang: str) -> None:
    case = police_case()
    result = assess(case, lang=lang)
    summary = build_summary(case, result, lang)
    assert summary.overall_level is result.overall_level
    assert sorted(s.action for s in summary.steps) == sorted(s.action for s in result.steps)
    assert [s.urgency.rank for s in summary.steps] == sorted(s.urgency.rank for s in summary.steps)  # now first
    (dv,) = summary.assessments
    assert (dv.subject, dv.subject_role, dv.level.value, dv.override_reason) == ("v1", "victim", "moderate", EVIL)
    assert dv.computed_level is result.assessments[0].computed_level
    assert 0 < dv.answered <= dv.asked
    assert dv.critical  # strangulation: a critical yes, in words
    assert [(c.person, c.to) for c in summary.consents] == [("v1", ["social_services", "victim_support"])]

    page = summary_html(summary)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert f'<html lang="{lang}">' in page and "@page" in page and "@media print" in page
    for key in HEADINGS:
        assert t(key, lang) in text, key
        assert t(key, OTHER[lang]) not in text, f"{key} in the other language"
    assert summary.overall_level_word.capitalize() in text
    assert dv.critical[0] in text
    for step in result.steps:
        assert step.action in text
        for ref in step.legal_references:
            assert ref.citation in text
    assert any(not ref.verified for s in result.steps for ref in s.legal_references)  # the mark is exercised
    assert t("summary.unverified", lang) in text
    assert t("summary.consent_to", lang, person=t("person.label", lang, id="v1", role=t("role.victim", lang)),
             agencies=f"{t('agency.social_services', lang)}, {t('agency.victim_support', lang)}") in text  # fmt: skip
    # typed text is printed as typed: no image, link or other markup from it
    assert "<img" not in page and "<a " not in page
    assert "&lt;img src=x&gt;" in page and "K-7 ![x](http://e/x.png)" in page


def test_a_case_without_consent_or_steps_says_so() -> None:
    case = {"context": "police_intake", "persons": [{"id": "v1", "role": "victim"}], "assessments": []}
    case["assessments"] = [{"checklist": "domestic_violence", "subject": "v1", "answers": {}}]
    summary = build_summary(case, assess(case, lang="en"), "en")
    page = summary_html(summary)
    assert summary.consents == []
    assert t("summary.no_consents", "en") in page
