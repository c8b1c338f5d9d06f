"""The law navigator page: every role has it; questions in, must / may / may not out; links pre-fill it."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from risk.navigator import Situation, navigate
from tests.app.helpers import nav_titles, signed_in, title, type_url
from tests.ui.helpers import no_exceptions, page_text
from ui.i18n import t
from ui.pages.law import link_for


def law_page(username: str, **query: str) -> AppTest:
    at = signed_in(username)
    for name, value in query.items():
        at.query_params[name] = value
    return type_url(at, "law")


def shown(at: AppTest) -> str:
    """The page's text as a person reads it: without the escapes that keep data text literal in markdown."""
    return page_text(at).replace("\\", "")


def subheaders(at: AppTest) -> list[str]:
    return [str(s.value) for s in at.main.subheader]


@pytest.mark.parametrize("username", ["polis", "vard", "soc", "samordnare", "chef", "admin"])
def test_every_role_has_the_navigator(username: str) -> None:
    at = signed_in(username)
    assert t("law.title", "sv") in nav_titles(at)


def test_a_nurse_asks_and_gets_must_may_and_may_not() -> None:
    at = law_page("vard")
    assert title(at) == "Får jag berätta?"
    assert at.selectbox(key="law.agency").value == "healthcare"  # the user's own agency first
    at.multiselect(key="law.situations").select("violence_close_relationship")
    at.number_input(key="law.age").set_value(38)
    at.run()
    no_exceptions(at)
    text = shown(at)
    assert any(h.endswith("Du måste") for h in subheaders(at))
    assert "Fråga enskilt och rutinmässigt om våld" in text  # healthcare.ask_about_violence: a must
    assert "Lämna inte uppgifter till polisen utan samtycke från den utsatta." in text  # no ground without consent
    assert "lagrum ej verifierat" in text
    # consent to the police turns the may-not into a may
    at.multiselect(key="law.consent").select("police")
    at.run()
    no_exceptions(at)
    assert "Lämna inte uppgifter till polisen utan samtycke" not in shown(at)


def test_strangulation_opens_the_ground_to_tell_the_police() -> None:
    at = law_page("vard", situation="strangulation", age="38", lang="sv")
    no_exceptions(at)
    text = shown(at)
    assert "Får lämna uppgifter till polisen om misstanke om ett begånget brott" in text
    assert "OSL (2009:400) 10 kap. 23 §" in text


def test_query_parameters_prefill_the_questions() -> None:
    at = law_page(
        "polis",
        agency="healthcare",
        context="psychiatry",
        subject_role="suspect",
        age="40",
        situation="threatens_close_person,children_in_household",
        consent="social_services",
        level="high",
    )
    no_exceptions(at)
    assert at.selectbox(key="law.agency").value == "healthcare"
    assert at.selectbox(key="law.context").value == "psychiatry"
    assert at.radio(key="law.subject_role").value == "suspect"
    assert at.number_input(key="law.age").value == 40
    assert at.multiselect(key="law.situations").value == ["threatens_close_person", "children_in_household"]
    assert at.multiselect(key="law.consent").value == ["social_services"]
    assert at.selectbox(key="law.level").value == "high"
    assert not at.warning


def test_unknown_link_values_are_named_and_left_out() -> None:
    at = law_page("soc", agency="nasa", situation="strangulation,flying", age="old")
    no_exceptions(at)
    warning = str(at.warning[0].value)
    assert "agency=nasa" in warning and "situation=flying" in warning and "age=old" in warning
    assert at.selectbox(key="law.agency").value == "social_services"
    assert at.multiselect(key="law.situations").value == ["strangulation"]


def test_the_page_shows_what_the_navigator_answers() -> None:
    """The page draws the navigator's answer, entry for entry, in the user's language."""
    at = law_page("soc", situation="network_involvement", age="16", subject_role="other")
    no_exceptions(at)
    answer = navigate(
        {"agency": "social_services", "subject_role": "other", "age": 16, "situations": ["network_involvement"]},
        "sv",
    )
    text = shown(at)
    for entry in (*answer.must, *answer.may, *answer.may_not):
        assert entry.text in text, entry.text


def test_english_and_the_overview_by_situation() -> None:
    at = signed_in("vard")
    at.session_state["lang"] = at.session_state["lang_choice"] = "en"
    at = type_url(at, "law")
    assert title(at) == "May I tell?"
    at.segmented_control(key="law.view").set_value("overview")
    at.run()
    at.selectbox(key="law.overview").select("strangulation")
    at.run()
    no_exceptions(at)
    text = shown(at)
    assert "Suspected serious crime already committed" in text  # OSL 10:23, in plain words
    assert "health care: may" in text
    assert "Source (checked 2026-11-30):" in text


def test_a_link_made_for_a_situation_opens_the_page_with_it() -> None:
    sit = Situation.model_validate(
        {
            "agency": "healthcare",
            "context": "emergency_department",
            "subject_role": "victim",
            "age": 38,
            "situations": ["strangulation", "children_in_household"],
            "consent_to": ["police"],
            "level": "severe",
        }
    )
    link = link_for(sit)
    assert link == (
        "law?agency=healthcare&subject_role=victim&context=emergency_department&age=38"
        "&situation=strangulation,children_in_household&consent=police&level=severe"
    )
    query = dict(part.split("=") for part in link.split("?")[1].split("&"))
    at = law_page("vard", **query)
    assert at.multiselect(key="law.situations").value == ["strangulation", "children_in_household"]
    assert at.selectbox(key="law.level").value == "severe"
    text = shown(at)
    assert "Får lämna uppgifter till polisen om misstanke om ett begånget brott" in text  # OSL 10:23
    assert "Lämna inte uppgifter till polisen utan samtycke" not in text  # and the patient consented


def test_a_refused_situation_is_never_said_in_english_on_the_swedish_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules' refusal is English text for the command line; the page says it in its own language, and a
    refusal without a text of its own as the generic message with a reference (the English goes to the log)."""
    from risk.errors import InputError
    from ui.pages import law

    def refused(*_: object, **__: object) -> None:
        raise InputError(["context: police_intake is not a setting of healthcare; use one of emergency_department"])

    monkeypatch.setattr(law, "navigate", refused)
    at = law_page("vard")
    no_exceptions(at)
    [error] = at.error
    assert "is not a setting" not in error.value and "use one of" not in error.value
    assert "Något gick fel" in error.value or "referens" in error.value, error.value
