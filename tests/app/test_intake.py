"""A police intake from a new case to the result, the level beside the form, and drafts that survive a refresh."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from risk.checklists import default_checklists
from tests.app.helpers import (
    badges,
    click,
    form_sections_open,
    open_case,
    open_form,
    open_page,
    open_section,
    selectbox,
    sign_in,
    signed_in,
    start,
    title,
)
from tests.ui.helpers import no_exceptions, page_text, texts
from ui.i18n import t

DV = default_checklists()["domestic_violence"]
SHORT = DV.form_items("police_intake")
ANSWERS = {"dv.strangulation": "yes", "dv.separation_recent": "yes", "dv.weapon_access": "unknown"}
SAVE = "Spara bedömning och visa resultat"


def new_case(at: AppTest, reference: str) -> AppTest:
    click(at, "Nytt ärende")
    assert title(at) == "Intag"
    at.text_input[0].input(reference)
    return click(at, "Skapa ärende")


def add_person(at: AppTest, role: str, age: int | None = None, gender: str | None = None) -> AppTest:
    selectbox(at, "Roll").set_value(role)
    if age is not None:
        at.number_input[0].set_value(age)
    if gender is not None:
        selectbox(at, "Kön").set_value(gender)
    return click(at, "Lägg till")


def radios(at: AppTest, checklist: str, subject: str) -> dict[str, Any]:
    """The form's questions on the page, by item id."""
    open_form(at)  # every section open: a closed one's questions are not drawn
    prefix = f".{checklist}.{subject}."
    return {r.key.split(prefix, 1)[1]: r for r in at.main.radio if r.key and prefix in r.key}


def answer(at: AppTest, answers: dict[str, str]) -> AppTest:
    questions = radios(at, "domestic_violence", "v1")
    for item, value in answers.items():
        questions[item].set_value(value)
    at.run()
    no_exceptions(at)
    return at


def police_intake(reference: str) -> AppTest:
    """polis: a new case with a victim, a suspect and a child, and the short form answered."""
    at = new_case(signed_in("polis"), reference)
    assert t("pages.intake.add_people_first", "sv") in page_text(at.main)
    add_person(at, "victim", 31, "female")
    add_person(at, "suspect", 35)
    add_person(at, "child", 4)
    people = page_text(at.main)
    assert "- v1 – utsatt, 31 år\n- s1 – misstänkt, 35 år\n- c1 – barn, 4 år" in people
    return at


def test_a_police_intake_from_a_new_case_to_the_result() -> None:
    at = police_intake("K-2026-4711")
    assert f"K-2026-4711 · {t('context.police_intake', 'sv')}" in texts(at.main)
    assert selectbox(at, "Checklista").value == "domestic_violence"
    assert selectbox(at, "Bedömningen gäller").value == "v1"
    assert selectbox(at, "Misstänkt/den som utövar våld").value == "s1"  # the suspect, added after the victim
    assert list(radios(at, "domestic_violence", "v1")) == SHORT
    assert badges(at.sidebar) == ["Nivå hittills: Låg (1 av 4)"]  # nothing answered yet

    answer(at, {"dv.strangulation": "yes"})
    assert badges(at.sidebar) == ["Nivå hittills: Hög (3 av 4)"]  # a critical item raises the level on its own
    answer(at, {i: ANSWERS.get(i, "no") for i in SHORT})
    assert badges(at.sidebar) == ["Nivå hittills: Mycket hög (4 av 4)"]
    assert t("intake.unknown", "sv", n=1) in page_text(at.sidebar)  # a line of the panel's block

    click(at, SAVE)
    assert title(at) == "Resultat"
    shown = page_text(at.main)
    assert "K-2026-4711 · Polisens ärendemottagning" in shown
    assert t("notice", "sv") in [i.value for i in at.info]
    at = open_section(at, "result.why")  # the assessment's own level is in "why", drawn when opened
    at = open_section(at, "result.steps")  # every agency's steps, drawn when opened
    shown = page_text(at.main)
    assert badges(at.main)[:2] == ["Samlad risknivå: Mycket hög (4 av 4)", "Risknivå: Mycket hög (4 av 4)"]
    assert "Bedömd person: v1 – utsatt, 31 år · Frågorna gäller: s1 – misstänkt, 35 år" in shown
    # the concern report for the child: the police's own step, immediately, with its action text
    assert "#### :material/e911_emergency: Nu – innan du lämnar platsen/patienten" in shown
    action = "Gör en orosanmälan till socialtjänsten för varje barn i hushållet; ring först om det är brådskande."
    assert f"**{action}**" in shown
    # the child's own assessment is required, with a Start button
    assert "Checklistor som krävs" in [s.value for s in at.subheader]
    assert "**Barn som far illa eller riskerar att fara illa för c1 – barn, 4 år**" in shown
    start_button = at.button(key="required:start:child_welfare:c1")
    assert start_button.label == "Starta"

    start_button.click()
    at.run()
    no_exceptions(at)
    assert title(at) == "Intag"
    assert selectbox(at, "Checklista").value == "child_welfare"
    assert selectbox(at, "Bedömningen gäller").value == "c1"
    questions = radios(at, "child_welfare", "c1")
    assert questions and all(r.value is None for r in questions.values())


def drawn(at: AppTest) -> list[str]:
    """The questions on the page as drawn (no section opened by the test)."""
    prefix = ".domestic_violence.v1."
    return [r.key.split(prefix, 1)[1] for r in at.main.radio if r.key and prefix in r.key]


def test_only_open_sections_draw_their_questions_and_closed_ones_keep_their_answers() -> None:
    at = police_intake("K-2026-0101")
    sections = [s for s in DV.sections if any(i.id in SHORT for i in s.items)]
    first, second = ([i.id for i in s.items if i.id in SHORT] for s in sections[:2])
    titles = [e.label for e in at.main.expander]
    assert titles == ["Lägg till person", *(s.title("sv") for s in sections)]  # every section's title, to open it by
    assert drawn(at) == first  # the first section with a question to answer starts open, the others closed
    assert sorted(form_sections_open(at).values()) == [False] * (len(sections) - 1) + [True]

    questions = {r.key.split(".domestic_violence.v1.", 1)[1]: r for r in at.main.radio if r.key}
    questions["dv.strangulation"].set_value("yes")
    at.run()
    no_exceptions(at)
    assert badges(at.sidebar) == ["Nivå hittills: Hög (3 av 4)"]

    keys = {k.rsplit(".section.", 1)[1]: k for k in form_sections_open(at)}
    at.session_state[keys[sections[1].id]] = True  # open the second section, as a click on its title does
    at.run()
    no_exceptions(at)
    assert drawn(at) == first + second
    at.session_state[keys[sections[0].id]] = False  # close the first: its questions go, its answers stay
    at.run()
    no_exceptions(at)
    assert drawn(at) == second
    assert badges(at.sidebar) == ["Nivå hittills: Hög (3 av 4)"]
    click(at, SAVE)
    assert title(at) == "Resultat"
    at = open_section(at, "result.why")
    assert "Risknivå: Hög (3 av 4)" in badges(at.main)  # the answer of the closed section was saved


def test_adding_a_person_to_a_case_with_people_is_a_section_to_open() -> None:
    at = open_page(open_case(signed_in("polis"), "DEMO-001"), "Intag")
    assert "Lägg till person" in [e.label for e in at.main.expander]
    assert not [s for s in at.main.selectbox if s.label == "Roll"]  # closed: its form is not drawn
    (key,) = [k for k in at.session_state if k.startswith("add_person.open.") and k.endswith(".sv")]
    at.session_state[key] = True  # opened, as a click on its title does
    at.run()
    no_exceptions(at)
    assert selectbox(at, "Roll").value == "victim"


def test_a_new_edit_opens_the_first_section_with_a_question_left() -> None:
    at = police_intake("K-2026-0102")
    sections = [s for s in DV.sections if any(i.id in SHORT for i in s.items)]
    first = [i.id for i in sections[0].items if i.id in SHORT]
    answer(at, dict.fromkeys(first, "no"))  # opens every section, answers the first one's questions
    click(at, SAVE)  # saved: the next edit starts from these answers
    at = open_page(at, "Intag")
    assert drawn(at) == [i.id for i in sections[1].items if i.id in SHORT]


def test_answers_survive_a_browser_refresh() -> None:
    at = police_intake("K-2026-0815")
    answer(at, {"dv.strangulation": "yes", "dv.separation_recent": "unknown", "dv.stalking": "no"})
    level = badges(at.sidebar)

    again = sign_in(start(), "polis")  # a refresh: a new session on the same database
    no_exceptions(again)
    open_case(again, "K-2026-0815")
    assert title(again) == "Resultat"  # nothing saved yet: the result page offers to start
    click(again, t("pages.result.start", "sv"))
    assert title(again) == "Intag"
    shown = {item: r.value for item, r in radios(again, "domestic_violence", "v1").items()}
    assert {k: v for k, v in shown.items() if v is not None} == {
        "dv.strangulation": "yes",
        "dv.separation_recent": "unknown",
        "dv.stalking": "no",
    }
    assert badges(again.sidebar) == level


@pytest.mark.parametrize(
    ("username", "page", "contexts", "checklist"),
    [
        ("polis", "Intag", ["police_intake"], "domestic_violence"),
        (
            "vard",
            "Triage",
            [
                "emergency_department",
                "ambulance",
                "primary_care",
                "dental_care",
                "psychiatry",
                "child_adolescent_psychiatry",
                "antenatal_child_health",
                "addiction_care",
            ],
            "domestic_violence",
        ),
        ("soc", "Bedömning", ["social_services"], "child_welfare"),
    ],
)
def test_each_case_worker_starts_a_case_where_their_agency_works(
    username: str, page: str, contexts: list[str], checklist: str
) -> None:
    at = click(signed_in(username), "Nytt ärende")
    assert title(at) == page
    assert selectbox(at, "Var bedömningen görs").options == [t(f"context.{c}", "sv") for c in contexts]
    at.text_input[0].input(f"{username.upper()}-1")
    click(at, "Skapa ärende")
    add_person(at, *(("child", 9) if checklist == "child_welfare" else ("victim", 34)))
    assert selectbox(at, "Checklista").value == checklist  # the agency's usual checklist first
    assert radios(at, checklist, "c1" if checklist == "child_welfare" else "v1")


def test_an_unsaved_assessment_waits_on_the_cases_page() -> None:
    at = police_intake("K-2026-0816")
    answer(at, {"dv.strangulation": "yes", "dv.stalking": "no"})
    again = sign_in(start(), "polis")  # the browser was closed before saving
    no_exceptions(again)
    assert title(again) == "Ärenden"
    assert t("pages.cases.drafts", "sv") in page_text(again.main)
    click(again, t("pages.cases.resume", "sv"))
    assert title(again) == "Intag"
    shown = {item: r.value for item, r in radios(again, "domestic_violence", "v1").items() if r.value is not None}
    assert shown == {"dv.strangulation": "yes", "dv.stalking": "no"}
