"""The result page's safety plans and its links to the law navigator, driven through the whole app (AppTest).

An emergency-department nurse (vard) on DEMO-003, a 17-year-old victim assessed with the criminal-network
checklist: the result offers the victim's safety plan; an empty plan is refused and nothing typed is lost; a save
is version 1, an update version 2, both listed; the print view is the plan alone, escaped, in the person's language.
A step that rests on a legal basis opens "May I tell?" pre-filled for this case."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from risk.safety_plans import default_safety_plans, printed_plan
from tests.app.helpers import _request, click, open_case, open_section, signed_in, title
from tests.app.test_language_leakage import _signed_in as in_language_signed_in
from tests.ui.helpers import no_exceptions, page_text
from ui.i18n import t
from ui.print_safety_plan import safety_plan_html
from ui.session import get_store

FORM = "safety_plan.answer:y1:victim:"


def demo_003() -> AppTest:
    at = open_case(signed_in("vard"), "DEMO-003")
    assert title(at) == "Resultat"
    assert not next(e for e in at.expander if e.label == "Säkerhetsplaner (1)").children  # drawn when opened
    return open_section(at, "result.safety_plans")


def in_english(username: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """Signed in with English chosen on the sign-in page (as the language-leakage test does it)."""
    return in_language_signed_in(username, "en", monkeypatch)


def plans(at: AppTest) -> Any:
    """The result page's safety plans section: offered for the one victim of the case."""
    [found] = [e for e in at.expander if e.label == "Säkerhetsplaner (1)"]
    return found


def page_links(at: AppTest) -> list[Any]:
    return [el.proto for el in at.main.get("page_link")]


def downloads(at: AppTest) -> list[Any]:
    return list(plans(at).get("download_button"))


def test_the_nurse_writes_the_victims_safety_plan_as_versions_and_prints_it() -> None:
    at = demo_003()
    text = page_text(plans(at))
    assert "**Säkerhetsplan för den som utsatts** – y1 – utsatt, 17 år" in text
    assert t("safety_plan.none_yet", "sv") in text

    click(at, "Gör en säkerhetsplan")
    victim = default_safety_plans().plan("victim")
    assert victim is not None
    areas = [a.key for a in at.main.text_area if a.key and a.key.startswith(FORM)]
    assert areas == [FORM + s.id for s in victim.sections]  # the person's own priorities first
    assert at.text_area(key=FORM + "priorities").label == "1. Det viktigaste för mig just nu"

    at.text_area(key=FORM + "priorities").input("   ")
    click(at, "Spara som en ny version")
    assert [e.value for e in at.error] == [t("safety_plan.empty", "sv")]
    assert at.text_area(key=FORM + "priorities").value == "   "  # what was typed is still there

    at.text_area(key=FORM + "priorities").input("Min lillebror <b>Elias</b>")
    at.text_area(key=FORM + "code_word").input("Pizza")
    at.selectbox(key="safety_plan.language:y1:victim").set_value("en")
    click(at, "Spara som en ny version")
    assert at.error.values == []
    assert [s.value for s in at.success] == [t("safety_plan.saved", "sv", version=1)]
    assert "Version 1, sparad" in page_text(plans(at))
    assert "av vard (hälso- och sjukvården)" in page_text(plans(at))  # the agency in words, not a key

    click(at, "Uppdatera säkerhetsplanen")
    assert at.text_area(key=FORM + "code_word").value == "Pizza"  # filled from the latest version
    at.text_area(key=FORM + "safe_route").input("Genom källaren")
    click(at, "Spara som en ny version")
    assert [s.value for s in at.success] == [t("safety_plan.saved", "sv", version=2)]

    at.toggle(key="safety_plan.versions:y1:victim").set_value(True)
    at.run()
    no_exceptions(at)
    shown = page_text(plans(at))
    assert "Version 2 · " in shown and "Version 1 · " in shown
    assert "Genom källaren" in shown and "<b>" not in shown.replace("\\<b\\>", "")  # typed text escaped

    printed = [d for d in downloads(at) if d.proto.label == t("safety_plan.print", "sv")]
    assert len(printed) == 3  # the latest, and each of the two versions

    # The print the latest's button gives: the saved version through the same two functions the page calls.
    user, cid = at.session_state["user"], at.session_state["case_id"]
    [latest] = get_store().safety_plans(user, cid)
    assert latest["version"] == 2 and latest["language"] == "en"
    html = safety_plan_html(printed_plan(victim, latest))
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html  # the person's language
    assert "My safety plan" in html and "Keep this plan safe" in html
    assert "Min lillebror &lt;b&gt;Elias&lt;/b&gt;" in html and "<b>Elias" not in html
    for absent in ("DEMO-003", "y1", "Risknivå", "Risk level", "criminal", "vard"):
        assert absent not in html, absent


def test_a_step_with_a_legal_basis_opens_the_navigator_for_this_case() -> None:
    at = demo_003()
    links = [p for p in page_links(at) if p.label == t("safety_plan.navigator_link", "sv")]
    assert links, page_text(at.main)
    query = dict(part.split("=", 1) for part in links[0].query_string.split("&"))
    assert query["agency"] == "healthcare" and query["context"] == "emergency_department"
    assert query["subject_role"] == "victim" and query["age"] == "17"
    for name, value in query.items():
        at.query_params[name] = value.replace("%2C", ",")
    at = _request(at, links[0].page_script_hash)
    assert title(at) == "Får jag berätta?"
    assert at.number_input(key="law.age").value == 17
    assert at.session_state["law.ignored"] == []
    assert at.main.subheader  # the answer: must, may, may not


def test_the_suicide_plan_is_offered_in_english_with_its_stanley_brown_sections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = in_english("vard", monkeypatch)
    user = at.session_state["user"]
    store = get_store()
    cid = store.create_case(user, reference="AK-SP-1", context="emergency_department")
    store.add_person(user, cid, {"id": "p1", "role": "other", "age": 40})
    psy = {"checklist": "psychiatric", "subject": "p1", "answers": {"psy.suicidal_thoughts": "yes"}}
    store.save_assessment(user, cid, psy)
    at = open_case(at, "AK-SP-1")
    assert title(at) == "Result"
    at = open_section(at, "result.safety_plans")
    [section] = [e for e in at.expander if e.label == "Safety plans (1)"]
    assert "**Safety plan for suicide risk** – p1" in page_text(section)
    click(at, "Create safety plan")
    labels = [a.label for a in at.main.text_area if a.key and a.key.startswith("safety_plan.answer:p1:suicide:")]
    assert labels[:3] == ["1. What matters most to me", "2. My warning signs", "3. What I can do on my own"]
    assert labels[-1] == "7. How I make my surroundings safe"
