"""A rendered result (AppTest): notice, level in words, why, follow-up, flags, required checklists with Start
buttons, steps grouped by urgency with unverified legal references marked, and the language switch."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.ui.helpers import TIMEOUT, example_case, no_exceptions, page_text, texts
from ui.i18n import t


def result_page(case: dict, lang: str | None = None, callbacks: bool = True) -> None:  # type: ignore[type-arg]
    # AppTest runs this body as a script: it imports what it needs, and its signature evaluates without them
    import streamlit as st

    from risk import assess
    from risk.checklists import default_checklists
    from risk.models import Step
    from ui.components import (
        level_badge,
        notice,
        render_assessment_result,
        render_flags,
        render_required_checklists,
        render_steps,
    )
    from ui.i18n import LANGUAGES, t
    from ui.labels import Catalog, person_labels

    if lang is None:  # a language switch, Swedish by default
        current = st.session_state.get("lang", LANGUAGES[0])
        lang = st.sidebar.radio(
            t("app.language", current), LANGUAGES, key="lang", format_func=lambda c: t(f"lang.{c}", c)
        )
    checklists = default_checklists()
    catalog = Catalog.default(persons=person_labels(case["persons"], lang))
    result = assess(case, lang=lang)

    def on_start(checklist: str, subject: str) -> None:
        st.session_state["started"] = (checklist, subject)

    def on_record_consent(step: Step) -> None:
        st.session_state["consent_for"] = step.id

    notice(st, lang)
    level_badge(st, result.overall_level, lang, label=t("result.overall", lang))
    render_flags(st, result.flags, lang, catalog=catalog)
    for a in result.assessments:
        render_assessment_result(st, a, checklists[a.checklist], lang, catalog=catalog)
    render_required_checklists(st, result.required_checklists, lang, on_start if callbacks else None, catalog=catalog)
    render_steps(st, result.steps, lang, on_record_consent if callbacks else None, catalog=catalog)


def run(case: dict[str, Any] | None = None, lang: str | None = "sv", callbacks: bool = True) -> AppTest:
    at = AppTest.from_function(result_page, args=(case or example_case(), lang, callbacks), default_timeout=TIMEOUT)
    at.run()
    no_exceptions(at)
    return at


@pytest.fixture(scope="module")
def sv() -> AppTest:
    return run()


def test_shows_the_notice(sv: AppTest) -> None:
    assert sv.info[0].value == (
        "Samrisk är ett beslutsstöd. Din professionella bedömning avgör alltid – resultatet ersätter den aldrig."
    )


def test_shows_the_level_in_words_with_a_shape(sv: AppTest) -> None:
    badges = [m.value for m in sv.markdown if "samrisk-level" in m.value]
    assert badges, "no level badge"
    assert all("Mycket hög" in b and "▲▲▲▲" in b and "4 av 4" in b for b in badges[:2])


def test_why_names_the_critical_item_by_its_question(sv: AppTest) -> None:
    text = page_text(sv)
    assert "Varför denna nivå" in text
    assert "Har din partner eller närstående någon gång tagit struptag på dig" in text
    assert "Kan vara så hög som" not in text  # level_max is already the level
    assert "Ifyllt: 94 %" in " ".join(p.proto.text for p in sv.get("progress"))


def test_unknown_critical_items_are_listed_to_follow_up(sv: AppTest) -> None:
    follow = next(m.value for m in sv.markdown if "tag på ett?" in m.value and "vet ej" in m.value)
    assert "Kritisk" in follow and "döda dig" in follow


def test_insufficient_information_comes_first_as_a_warning(sv: AppTest) -> None:
    assert sv.warning[0].value.startswith("**Otillräcklig information**")
    assert "Har din partner eller närstående ett skjutvapen" in sv.warning[0].value


def test_required_child_checklists_have_start_buttons(sv: AppTest) -> None:
    start = [b for b in sv.button if b.label == "Starta"]
    assert [b.key for b in start] == ["required:start:child_welfare:c1", "required:start:child_welfare:c2"]
    assert "Barn som far illa eller riskerar att fara illa för c1 (barn, 3 år)" in page_text(sv)
    at = run()
    at.button(key="required:start:child_welfare:c1").click().run()
    assert at.session_state["started"] == ("child_welfare", "c1")


def test_steps_are_grouped_by_urgency_with_now_first(sv: AppTest) -> None:
    headings = [m.value for m in sv.markdown if m.value.startswith("#### :material/")]
    names = [h.split(": ", 1)[-1] for h in headings]  # after the icon ':material/…: '
    assert names == ["Nu – innan du lämnar platsen/patienten", "Samma dag", "Inom en vecka"]


def test_own_agency_is_highlighted(sv: AppTest) -> None:
    own = [m.value for m in sv.markdown if "Din myndighet" in m.value]
    assert len(own) == 6  # the police steps of the example, the context's agency
    assert any("orosanmälan" in m for m in own)


def test_unverified_legal_references_are_marked(sv: AppTest) -> None:
    legal = "\n".join(m.value for m in sv.markdown if m.value.startswith("**Lagrum:**"))
    lines = {line.lstrip("- ").split(" :orange-badge")[0]: line for line in legal.splitlines()}
    assert "lagrum ej verifierat" in lines["Rättegångsbalken 23 kap. 1 §"]
    assert "lagrum ej verifierat" not in lines["Polislagen (1984\\:387) 2 §"]
    assert "**Lagrum:** Inget lagrum angivet" in legal


def test_record_consent_button_only_where_consent_is_required(sv: AppTest) -> None:
    consent = [b.key for b in sv.button if b.label == "Registrera samtycke"]
    assert consent == ["steps:consent:case_conference.convene", "steps:consent:social_services.perpetrator_programme"]
    at = run()
    at.button(key="steps:consent:case_conference.convene").click().run()
    assert at.session_state["consent_for"] == "case_conference.convene"


def test_buttons_are_disabled_without_callbacks() -> None:
    at = run(callbacks=False)
    assert all(b.disabled for b in at.button)


def test_an_override_shows_both_levels_and_the_reason() -> None:
    case = example_case()
    case["overrides"] = [{"checklist": "domestic_violence", "subject": "v1", "level": "high", "reason": "Ny *uppgift*"}]
    at = run(case)
    text = page_text(at)
    assert "Bedömd nivå (ändrad av handläggaren)" in text and "Beräknad nivå" in text
    assert "**Skäl till ändringen:** Ny \\*uppgift\\*" in text  # the professional's words, shown literally


def test_a_level_set_below_the_floor_shows_both_levels_and_is_marked_for_review() -> None:
    case = example_case()
    case["overrides"] = [{"checklist": "domestic_violence", "subject": "v1", "level": "low", "reason": "Missförstånd"}]
    at = run(case)
    no_exceptions(at)
    text = page_text(at)
    assert "Golv satt av kritiska faktorer och nivåregler" in text
    assert "Markerad för granskning: den bedömda nivån (låg) ligger under golvet (mycket hög)" in text
    assert at.warning[0].value.startswith("**Nivån är sänkt under golvet – granska**")
    assert "satt till låg, under golvet mycket hög" in at.warning[0].value
    assert "strypgrepp" in text.lower()  # the facts still speak: the steps resting on them remain


def test_english() -> None:
    at = run(lang="en")
    text = page_text(at)
    assert "Samrisk is decision support." in text
    assert "Severe" in text and "legal reference not verified" in text
    assert "Now – before you leave the scene or the patient" in text
    assert [b.label for b in at.button].count("Start") == 2


def test_language_switch_changes_the_texts() -> None:
    at = run(lang=None)
    assert at.sidebar.radio(key="lang").value == "sv"
    assert "Nästa steg" in texts(at)
    at.sidebar.radio(key="lang").set_value("en").run()
    no_exceptions(at)
    assert "Next steps" in texts(at) and "Nästa steg" not in texts(at)
    assert "Your agency" in page_text(at)


VIGNETTES = sorted((ROOT / "tests" / "vignettes").glob("*.json"))


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_every_vignette_renders_in_both_languages(path: Path, lang: str) -> None:
    """Strict i18n: a missing text for any level, agency, urgency or reason would raise here."""
    at = run(json.loads(path.read_text())["case"], lang=lang)
    assert at.info[0].value == t("notice", lang)
    assert t("steps.title", lang) in texts(at)
    if lang == "sv":  # no English level words and no raw reason codes where a person reads
        text = re.sub(r"<[^>]*>|:material/[a-z_]+:", " ", page_text(at))  # markup and icons are not read
        assert re.findall(r"\b(?:low|moderate|high|severe)\b", text) == []
        assert re.findall(r"\b[a-z_]+:[a-z0-9]+(?:@[a-z_]+)?[.=]", text) == []  # checklist:subject=level and kin
        assert re.findall(r"\b(?:dv|psy|cw|cn)\.[a-z_]+", text) == []  # item ids


@pytest.mark.parametrize("query", [{}, {"lang": "en", "override": "high"}, {"view": "form"}])
def test_the_demo_runs(query: dict[str, str]) -> None:
    at = AppTest.from_file(str(ROOT / "ui" / "demo_result.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    no_exceptions(at)
