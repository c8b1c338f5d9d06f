"""The checklist form and the live panel (AppTest): every short-form item asked with no answer preselected,
the panel following the answers, nothing entered lost, and the language switch."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from risk.checklists import default_checklists
from tests.ui.helpers import TIMEOUT, no_exceptions, page_text
from ui.form import widget_key

DV = default_checklists()["domestic_violence"]
SHORT = DV.form_items("police_intake")
PREFIX = "case1.dv.v1"


def form_page(seed: dict, prefix: str) -> None:  # type: ignore[type-arg]
    # AppTest runs this body as a script: it imports what it needs, and its signature evaluates without them
    import streamlit as st

    from risk import assess
    from risk.checklists import default_checklists
    from ui.form import live_panel, render_checklist_form
    from ui.i18n import LANGUAGES, t

    current = st.session_state.get("lang", LANGUAGES[0])
    lang = st.sidebar.radio(t("app.language", current), LANGUAGES, key="lang", format_func=lambda c: t(f"lang.{c}", c))
    checklist = default_checklists()["domestic_violence"]
    answers = render_checklist_form(st, checklist, "police_intake", seed, lang, key_prefix=prefix)
    st.session_state["answers"] = answers  # for the test to read; a page would save them
    case = {
        "context": "police_intake",
        "persons": [{"id": "v1", "role": "victim", "age": 31}, {"id": "s1", "role": "suspect", "age": 35}],
        "assessments": [{"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": answers}],
    }
    live_panel(st.sidebar, assess(case, lang=lang).assessments[0], checklist, lang)


def run(seed: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_function(form_page, args=(seed or {}, PREFIX), default_timeout=TIMEOUT)
    at.run()
    no_exceptions(at)
    return at


@pytest.fixture(scope="module")
def fresh() -> AppTest:
    return run()


def test_every_short_form_item_is_asked_with_no_answer(fresh: AppTest) -> None:
    radios = {r.key: r for r in fresh.main.radio}
    assert list(radios) == [widget_key(PREFIX, i) for i in SHORT]
    for item_id in SHORT:
        radio = radios[widget_key(PREFIX, item_id)]
        assert radio.value is None and radio.index is None, item_id
        assert radio.options == ["ja", "nej", "vet ej"]
        assert DV.items[item_id].text("sv")[:30] in radio.label.replace("\\", "")
        assert radio.horizontal
    assert fresh.session_state["answers"] == {}


def test_critical_items_are_marked_and_help_is_one_click_away(fresh: AppTest) -> None:
    radio = fresh.radio(key=widget_key(PREFIX, "dv.strangulation"))
    assert radio.label.startswith("▲ Kritisk:")
    assert "Så kan du fråga" in radio.help and "Fråga enskilt" in radio.help and "Vad räknas" in radio.help


def test_sections_are_headed_by_their_titles(fresh: AppTest) -> None:
    shown = [h.value for h in fresh.main.subheader]
    expected = [s.title("sv") for s in DV.sections if any(i.id in SHORT for i in s.items)]
    assert shown == expected


def test_live_panel_starts_low_with_everything_unanswered(fresh: AppTest) -> None:
    side = page_text(fresh.sidebar)
    assert "Nivå hittills" in side and "Låg" in side
    assert f"Obesvarade frågor: {len(SHORT)}" in side
    assert f"Kritiska frågor utan svar: {len(DV.critical_items)}" in side


def test_yes_on_strangulation_raises_the_live_panel_to_high() -> None:
    at = run()
    at.radio(key=widget_key(PREFIX, "dv.strangulation")).set_value("yes").run()
    no_exceptions(at)
    badge = next(m.value for m in at.sidebar.markdown if "samrisk-level" in m.value)
    assert "Hög" in badge and "▲▲▲△" in badge
    assert f"Obesvarade frågor: {len(SHORT) - 1}" in page_text(at.sidebar)
    assert at.session_state["answers"] == {"dv.strangulation": "yes"}


def test_unknown_is_an_answer_not_a_no() -> None:
    at = run()
    at.radio(key=widget_key(PREFIX, "dv.weapon_access")).set_value("unknown").run()
    assert at.session_state["answers"] == {"dv.weapon_access": "unknown"}
    assert "Svar ”vet ej”: 1" in page_text(at.sidebar)


def test_seeded_answers_are_selected_and_other_forms_answers_kept() -> None:
    at = run({"dv.escalation": "no", "dv.animal_abuse": "yes"})  # dv.animal_abuse is asked in the full form only
    assert at.radio(key=widget_key(PREFIX, "dv.escalation")).value == "no"
    assert at.session_state["answers"] == {"dv.escalation": "no", "dv.animal_abuse": "yes"}
    assert "1 svar från ett annat formulär finns kvar och räknas med." in page_text(at)


def test_language_switch_changes_texts_and_keeps_answers() -> None:
    at = run()
    at.radio(key=widget_key(PREFIX, "dv.strangulation")).set_value("yes").run()
    at.sidebar.radio(key="lang").set_value("en").run()
    no_exceptions(at)
    radio = at.radio(key=widget_key(PREFIX, "dv.strangulation"))
    assert radio.options == ["yes", "no", "don't know"]
    assert radio.label.startswith("▲ Critical: Has your partner")
    assert radio.value == "yes"
    assert at.session_state["answers"] == {"dv.strangulation": "yes"}
    side = page_text(at.sidebar)
    assert "Level so far" in side and "High" in side
