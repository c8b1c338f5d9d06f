"""The guidance page as a user meets it: browse by setting and topic, search, open one entry from a link."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from tests.app.helpers import _request, open_case, open_page, selectbox, signed_in, start, title
from tests.ui.helpers import no_exceptions, page_text
from ui.i18n import t


def guidance(at: AppTest, entry: str | None = None) -> AppTest:
    """Open the guidance page from the menu, or from a link to one entry (…/guidance?entry=ID)."""
    if entry is not None:
        at.query_params["entry"] = entry
    return open_page(at, t("guidance.title", "sv"))


def expanders(at: AppTest) -> list[str]:
    return [e.label for e in at.main.expander]


def test_a_clinician_browses_the_emergency_department_by_topic() -> None:
    at = guidance(signed_in("vard"))
    assert title(at) == "Kunskapsstöd"
    setting = selectbox(at.main, "Verksamhet")
    assert setting.value == "emergency_department"  # the clinician's own setting first
    assert len(setting.options) == 10 and "Tandvård" in setting.options
    assert [tab.label for tab in at.main.tabs][:6] == [
        "Fråga säkert",
        "Psykisk ohälsa och kris",
        "Dokumentation",
        "Fysiska vårdbehov",
        "Psykiska vårdbehov",
        "Personalens säkerhet",
    ]
    shown = expanders(at)
    assert "Efter strypning" in shown and "Fråga enskilt och med rätt tolk" in shown
    assert "Källor" in page_text(at.main) and "Källorna kontrollerades 2026-11-30" in page_text(at.main)


def test_choosing_dental_care_shows_its_own_entry() -> None:
    at = guidance(signed_in("vard"))
    selectbox(at.main, "Verksamhet").set_value("dental_care").run()
    no_exceptions(at)
    assert "I tandvården: skador i munnen och vad tandvården ska göra" in expanders(at)
    assert "I BUP: ta upp våld i varje ärende" not in expanders(at)
    shown = page_text(at.main).replace("\\", "")  # markdown escapes of the data text
    assert "Checklistor i den här verksamheten, de mest behövda först:" in shown
    assert "- Våld i nära relation: risk för allvarligt eller dödligt våld – Kortformulär, " in shown


def test_search_finds_strangulation_first() -> None:
    at = guidance(signed_in("polis"))
    at.text_input(key="guidance.query").input("strypning").run()
    no_exceptions(at)
    assert "Träffar: 4" in page_text(at.main)
    assert expanders(at)[0] == "Efter strypning"


def test_a_search_with_no_match_says_so_and_keeps_the_words() -> None:
    at = guidance(signed_in("polis"))
    at.text_input(key="guidance.query").input("xyzzy strypning").run()
    assert t("guidance.no_hits", "sv") in [i.value for i in at.info]
    assert at.text_input(key="guidance.query").value == "xyzzy strypning"


def test_a_link_opens_one_entry_by_id() -> None:
    at = guidance(signed_in("vard"), entry="care.sexual_violence")
    shown = page_text(at.main)
    assert "Öppnad vägledning" in shown
    assert at.main.subheader[0].value == "Efter sexuellt våld: de första dygnen"
    assert "Ska bekräftas" in shown  # the PEP window is marked as not verified
    assert "Gäller: Polisens ärendemottagning, Akutmottagning" in shown


def test_an_unknown_id_is_named_and_the_page_still_works() -> None:
    at = guidance(signed_in("vard"), entry="care.no_such_entry")
    assert at.warning[0].value == t("guidance.not_found", "sv", id="care.no_such_entry")
    assert "Efter strypning" in expanders(at)


def test_the_guidance_is_readable_before_sign_in_and_in_english() -> None:
    at = start()
    at.segmented_control(key="lang_choice").set_value("en").run()
    at = open_page(at, "Guidance")
    no_exceptions(at)
    assert title(at) == "Guidance"
    assert selectbox(at.main, "Setting").value == "police_intake"  # no agency: the first setting
    assert "At the scene: separate the parties and use the structured assessment" in expanders(at)
    assert "user" not in at.session_state


def _page_links(at: AppTest) -> dict[str, Any]:
    """Every st.page_link on the page by its label as shown (markdown escapes removed)."""
    return {el.proto.label.replace("\\", ""): el.proto for el in at.main.get("page_link")}


def test_a_step_on_the_result_links_to_its_guidance_and_one_click_opens_it() -> None:
    at = open_case(signed_in("polis"), "DEMO-001")
    assert title(at) == "Resultat"
    link = _page_links(at)["Vägledning: Säkerhetsplan för den som utsatts för våld"]
    assert link.query_string == "entry=safety.victim_plan"
    at.query_params["entry"] = "safety.victim_plan"  # the click: the page of the link, with its query
    at = _request(at, link.page_script_hash)
    assert title(at) == "Kunskapsstöd"
    assert at.main.subheader[0].value == "Säkerhetsplan för den som utsatts för våld"


def test_an_item_help_links_to_its_guidance() -> None:
    from risk.checklists import default_checklists
    from ui.form import item_help

    item = default_checklists()["domestic_violence"].items["dv.strangulation"]
    shown = item_help(item, "sv")
    assert shown.endswith(
        "**Läs mer i kunskapsstödet:** [Efter strypning](guidance?entry=care.strangulation), "
        "[Dokumentera skador och personens egna ord](guidance?entry=doc.injuries)"
    )
    assert "[After strangulation](guidance?entry=care.strangulation)" in item_help(item, "en")
