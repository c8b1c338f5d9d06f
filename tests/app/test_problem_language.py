"""A refused workflow is said in the page's language, naming what to fix (issue 9: no English in the Swedish view).

One AppTest per page that shows the Store's problems, in Swedish and in English: the conference page (a person
still named by a record; a sharing basis that is none), the users page (a username taken) and the result page (a
consent the holder alone may record). Every code's text in both languages is checked in tests/test_problem_codes.py.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from risk.storage.accounts import MIN_PASSWORD
from tests.app.helpers import PASSWORD, click, open_page, open_section, selectbox, sign_in, start
from tests.app.test_workflows import form, new_case_with_children
from tests.ui.helpers import no_exceptions
from ui import session
from ui.i18n import t
from ui.session import get_store

ENGLISH_WORDS = (" the ", " is ", " not ", " with ", "cannot", "already")
LANGS = ("sv", "en")


def signed_in_as(username: str, lang: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(session, "lang", lambda: lang)  # AppTest formats options outside the run
    at = start()
    at.session_state["lang"] = lang
    at.run()
    at = sign_in(at, username)
    no_exceptions(at)
    return at


def in_its_language(text: str, lang: str) -> None:
    if lang == "sv":
        assert not any(w in f" {text} " for w in ENGLISH_WORDS), text
    else:
        assert not any(c in text for c in "åäöÅÄÖ"), text


def on_case(at: AppTest, lang: str, reference: str) -> AppTest:
    at = open_page(at, t("pages.conference.title", lang))
    store = get_store()
    user = store.authenticate(at.session_state["user"].username, PASSWORD)
    [cid] = [c.id for c in store.list_cases(user, page=1, page_size=100).items if c.reference == reference]
    selectbox(at, t("pages.conference.case", lang)).set_value(cid)
    at.run()
    no_exceptions(at)
    return at


@pytest.mark.parametrize("lang", LANGS)
def test_removing_a_person_an_assessment_names_says_why_in_the_pages_language(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_case_with_children("K-SPRAK-1")
    at = open_section(on_case(signed_in_as("polis", lang, monkeypatch), lang, "K-SPRAK-1"), "conference.persons")
    selectbox(at, t("workflows.persons.which", lang)).set_value("v1")
    at.run()
    form(at, "remove_person.v1").checkbox[0].check()
    click(at, t("workflows.persons.remove", lang))
    [why] = at.error.values
    assert why.startswith(
        {
            "sv": "v1 – utsatt, 30 år kan inte tas bort: bedömningar (1) i ärendet gäller personen. Rätta personens "
            "roll, ålder eller kön i stället",
            "en": "v1 – victim, 30 years cannot be removed: assessments (1) of this case concern them. Correct the "
            "person's role, age or gender instead",
        }[lang]
    )
    in_its_language(why, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_sharing_on_a_basis_that_is_none_says_so_in_the_pages_language(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_section(
        on_case(signed_in_as("polis", lang, monkeypatch), lang, "DEMO-001 Våld i lägenhet"), "conference.share"
    )
    share = form(at, "share")
    share.text_input[0].input("**påhittad**")
    click(at, t("pages.conference.share_save", lang))
    [why] = at.error.values
    assert why == t("problems.share_basis_unknown", lang, basis="\\*\\*påhittad\\*\\*")
    in_its_language(why.replace("påhittad", ""), lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_username_taken_is_said_in_the_pages_language(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(signed_in_as("admin", lang, monkeypatch), t("pages.admin.users", lang))
    add = form(at, "add_user")
    add.text_input[0].input("polis")
    add.text_input[1].input("kort")
    click(at, t("pages.admin.add", lang))
    assert at.error.values == [
        t("problems.password_short", lang, least=MIN_PASSWORD),
        t("problems.username_taken", lang, value="polis"),
    ]
    for why in at.error.values:
        in_its_language(why, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_save_after_someone_elses_is_refused_in_the_pages_language_and_says_what_was_kept(lang: str) -> None:
    from tests.app.test_intake import ANSWERS, SHORT, answer, police_intake

    at = police_intake(f"K-KONFLIKT-{lang}")
    answer(at, {i: ANSWERS.get(i, "no") for i in SHORT})
    store = get_store()
    polis = store.authenticate("polis", PASSWORD)
    [cid] = [c.id for c in store.list_cases(polis, page=1, page_size=100).items if c.reference == f"K-KONFLIKT-{lang}"]
    other = {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.strangulation": "no"}}
    store.save_assessment(polis, cid, other)  # saved by someone else meanwhile: version 1
    if lang != "sv":
        at.segmented_control(key="lang_choice").set_value(lang)  # switched mid-form: the answers stay
        at.run()
    click(at, t("pages.intake.save", lang))
    [why] = at.error.values
    name = {"sv": "Våld i nära relation för v1 – utsatt, 31 år", "en": "Domestic violence for v1 – victim, 31 years"}
    assert why.startswith(t("pages.intake.conflict", lang, why="").strip()) and name[lang] in why
    assert "(version 1)" in why and "domestic_violence" not in why
    in_its_language(why, lang)
