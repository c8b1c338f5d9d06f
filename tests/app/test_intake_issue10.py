"""Issue 10 in the intake: the warning-behaviours and sexual-violence checklists can be chosen, in Swedish, and ask
the form of the setting (the short form at police intake and in the emergency department, the full form in social
services); a critical answer shows its floor beside the form."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from risk.checklists import default_checklists
from tests.app.helpers import badges, click, selectbox, signed_in, title
from tests.app.test_intake import add_person, radios
from tests.ui.helpers import no_exceptions

CHECKLISTS = default_checklists()


def new_case(username: str, reference: str, role: str, age: int) -> AppTest:
    at = click(signed_in(username), "Nytt ärende")
    at.text_input[0].input(reference)
    click(at, "Skapa ärende")
    return add_person(at, role, age)


def choose(at: AppTest, checklist: str) -> AppTest:
    box = selectbox(at, "Checklista")
    assert checklist in box.options or CHECKLISTS[checklist].title("sv") in box.options
    box.set_value(checklist)
    at.run()
    no_exceptions(at)
    return at


def test_a_patrol_asks_the_short_sexual_violence_form_and_a_strangulation_gives_high() -> None:
    at = new_case("polis", "K-2026-10-1", "victim", 24)
    assert title(at) == "Intag"
    choose(at, "sexual_violence")
    questions = radios(at, "sexual_violence", "v1")
    short = CHECKLISTS["sexual_violence"].form_items("police_intake")  # type: ignore[arg-type]
    assert list(questions) == short
    assert "sxv.exploitation" not in questions  # a full-form item
    questions["sxv.strangulation"].set_value("yes")
    at.run()
    no_exceptions(at)
    assert badges(at.sidebar) == ["Nivå hittills: Hög (3 av 4)"]


def test_social_services_ask_the_full_warning_behaviours_form() -> None:
    at = new_case("soc", "SOC-10-1", "other", 27)
    assert title(at) == "Bedömning"
    choose(at, "warning_behaviours")
    questions = radios(at, "warning_behaviours", "p1")
    assert list(questions) == list(CHECKLISTS["warning_behaviours"].items)  # the full form: every item
    questions["wb.attack_imminent"].set_value("yes")
    at.run()
    no_exceptions(at)
    assert badges(at.sidebar) == ["Nivå hittills: Mycket hög (4 av 4)"]
