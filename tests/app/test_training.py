"""The training page (AppTest): a trainee works a practice case with the real form and gets feedback point by
point; nothing becomes a case; a supervisor, as trainer, opens the page from the needs analysis's link
(`unit`, `focus`), sees the cases covering the focus first, assigns them and reads the unit's results."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from risk.storage import Store
from tests.app.helpers import button, nav_titles, signed_in, type_url
from tests.ui.helpers import no_exceptions, page_text
from ui.i18n import t
from ui.session import get_store

CASE = "police_strangulation_children"


def training_page(username: str, **query: str) -> AppTest:
    at = signed_in(username)
    for name, value in query.items():
        at.query_params[name] = value
    return type_url(at, "training")


def case_count(store: Store) -> int:
    with store._tx() as s:
        from sqlalchemy import func, select

        from risk.storage import schema as db

        return int(s.execute(select(func.count()).select_from(db.Case)).scalar_one())


def ask(at: AppTest, item_id: str) -> None:
    at.button(key=f"training.ask.{CASE}.{item_id}").click()
    at.run()
    no_exceptions(at)


def test_every_case_working_role_has_the_page_and_the_admin_does_not() -> None:
    for username in ("polis", "vard", "soc", "samordnare", "chef"):
        assert t("training.title", "sv") in nav_titles(signed_in(username)), username
    assert t("training.title", "sv") not in nav_titles(signed_in("admin"))


def test_a_trainee_works_a_case_and_sees_feedback_point_by_point() -> None:
    at = training_page("polis")
    at.selectbox(key="training.case").set_value(CASE)
    at.run()
    no_exceptions(at)
    text = page_text(at)
    assert "Syntetiskt övningsfall" in text and "rodnader på halsen" in text
    before = case_count(get_store())
    ask(at, "dv.strangulation")
    assert "Han tog mig om halsen" in page_text(at)
    prefix = f"form.sv.training.{CASE}"
    at.radio(key=f"{prefix}.dv.strangulation").set_value("yes")
    at.radio(key=f"{prefix}.dv.weapon_access").set_value("no")  # the person said she does not know
    at.run()
    button(at.main, t("training.finish", "sv")).click()
    at.run()
    no_exceptions(at)
    assert t("training.need_sharing", "sv") in page_text(at)  # nothing lost: the answers are still there
    assert at.radio(key=f"{prefix}.dv.strangulation").value == "yes"
    at.selectbox(key=f"training.{CASE}.sharing").set_value("sol_concern_report")
    at.multiselect(key=f"training.{CASE}.steps").select("police.protect_victim")
    at.run()
    button(at.main, t("training.finish", "sv")).click()
    at.run()
    no_exceptions(at)
    text = page_text(at)
    assert t("training.feedback", "sv") in text
    assert "Du missade en åtgärd som inte får missas" in text  # the concern report
    assert "Du fyllde i nej" in text or "Missad eller fel ifylld" in text  # 'vet ej' recorded as no
    assert "Ditt beslut om uppgiftslämnande är lagligt och rätt här" in text
    assert "Anmälningsskyldighet om barn som far illa" in text  # a source, in words
    assert case_count(get_store()) == before  # a practice case is never stored as a case

    at.segmented_control(key="training.view").set_value("results")
    at.run()
    no_exceptions(at)
    assert "Larm om bråk i lägenhet" in page_text(at)


def test_an_override_needs_a_reason_and_the_level_shows_in_the_feedback() -> None:
    at = training_page("polis")
    at.segmented_control(key="lang_choice").set_value("en").run()
    at.selectbox(key="training.case").set_value("police_prior_partner_homicide_override")
    at.run()
    k = "training.police_prior_partner_homicide_override."
    at.checkbox(key=k + "override").check()
    at.run()
    at.selectbox(key=k + "level").set_value("high")
    at.selectbox(key=k + "sharing").set_value("pl_6")
    at.run()
    button(at.main, t("training.finish", "en")).click()
    at.run()
    assert t("training.need_reason", "en") in page_text(at)
    at.text_area(key=k + "reason").input("Convicted of killing a former partner")
    at.run()
    button(at.main, t("training.finish", "en")).click()
    at.run()
    no_exceptions(at)
    text = page_text(at)
    assert "Your override decision matches the expert's." in text
    assert "Your level high is inside the accepted range." in text


def test_the_trainer_view_takes_unit_and_focus_and_assigns() -> None:
    trainee = training_page("polis")
    trainee.selectbox(key="training.case").set_value(CASE)
    trainee.run()
    trainee.selectbox(key=f"training.{CASE}.sharing").set_value("none")
    trainee.run()
    button(trainee.main, t("training.finish", "sv")).click()
    trainee.run()
    no_exceptions(trainee)

    at = training_page("chef", unit="police", focus="dv.strangulation,dv.weapon_access,no.such_item")
    no_exceptions(at)
    assert at.segmented_control(key="training.view").value == "trainer"
    assert at.selectbox(key="training.unit").value == "police"
    options = at.multiselect(key="training.assign").options
    assert "täcker 2 av frågorna" in options[0]  # the cases covering the focus first
    assert CASE in at.multiselect(key="training.assign").value
    text = page_text(at).replace("\\", "")
    assert "no.such_item" in text  # named as left out
    assert "polis" in text and "Larm om bråk i lägenhet" in text  # the unit's results
    assert "Oftast missat: Kritisk fråga:" in text  # what the unit most often missed, in words
    button(at.main, t("training.trainer_assign_button", "sv")).click()
    at.run()
    no_exceptions(at)
    assert t("training.trainer_assignments", "sv") in page_text(at)

    again = training_page("polis")
    options = again.selectbox(key="training.case").options
    assigned = [o for o in options if o.endswith("tilldelat din enhet")]
    assert assigned and options[: len(assigned)] == assigned  # assigned cases come first
    assert any(o.startswith("Larm om bråk i lägenhet") for o in assigned)


def test_a_unit_the_trainer_does_not_answer_for_is_named_and_not_opened() -> None:
    at = training_page("chef", unit="healthcare")
    no_exceptions(at)
    assert "Du är inte utbildare för enheten healthcare" in page_text(at)
    assert at.selectbox(key="training.unit").value == "police"
    assert at.selectbox(key="training.unit").options == ["Polisen"]  # in words, not the code


def test_answers_survive_a_language_switch_and_practise_again_starts_afresh() -> None:
    at = training_page("polis")
    at.selectbox(key="training.case").set_value(CASE)
    at.run()
    at.radio(key=f"form.sv.training.{CASE}.dv.strangulation").set_value("yes")
    at.run()
    at.segmented_control(key="lang_choice").set_value("en").run()
    no_exceptions(at)
    assert at.radio(key=f"form.en.training.{CASE}.dv.strangulation").value == "yes"
    at.selectbox(key=f"training.{CASE}.sharing").set_value("sol_concern_report")
    at.run()
    button(at.main, t("training.finish", "en")).click()
    at.run()
    no_exceptions(at)
    assert "Feedback point by point" in page_text(at)
    button(at.main, t("training.again", "en")).click()
    at.run()
    no_exceptions(at)
    assert at.radio(key=f"form.en.training.{CASE}.dv.strangulation").value is None
    assert "Feedback point by point" not in page_text(at)
