"""Follow-up over time on the pages: the next reassessment on the case list, the conference and the result page
(due and overdue in words and an icon), choosing another date (later only with a reason), and what changed."""

from __future__ import annotations

from datetime import date, timedelta

from streamlit.testing.v1 import AppTest

from risk.storage import Store
from tests.app.helpers import PASSWORD, choose_case, click, open_case, open_page, open_section, signed_in, title
from tests.ui.helpers import no_exceptions, page_text
from ui.i18n import t

TODAY = date.today()


def demo_001_assessment(store: Store) -> tuple[int, dict[str, object]]:
    polis = store.authenticate("polis", PASSWORD)
    case_id = next(c.id for c in store.list_cases(polis, search="DEMO-001").items)
    [a] = [x for x in store.get_case(polis, case_id)["assessments"] if x["agency"] == "police"]
    return case_id, a


def reassess_demo_001(database: str, changes: dict[str, str], reassess_by: date | None = None) -> None:
    """polis saves version 2 of DEMO-001's assessment from version 1's answers, with `changes`."""
    store = Store.open(database)
    polis = store.authenticate("polis", PASSWORD)
    case_id, a = demo_001_assessment(store)
    answers = {**dict(a["answers"]), **changes}  # type: ignore[call-overload]
    assessment = {"checklist": a["checklist"], "subject": a["subject"], "about": a["about"], "answers": answers}
    store.save_assessment(polis, case_id, assessment, base_version=1, reassess_by=reassess_by)
    store.close()


def test_the_result_says_when_to_reassess_and_why() -> None:
    at = open_case(signed_in("polis"), "DEMO-001")
    assert title(at) == "Resultat"
    assert t("followup.title", "sv") in [e.label for e in at.expander]
    assert not at.date_input  # the section is drawn when opened: its date form is not on the first screen
    text = page_text(open_section(at, "result.followup.0").main)
    assert "Förslag:" in text and "ombedöm inom tre dygn" in text
    # the demo chose 7 days for a severe case without a reason: said plainly, with what was suggested
    assert any("inget skäl är skrivet" in w.value for w in at.warning)


def test_a_later_date_needs_a_reason_and_is_then_kept() -> None:
    at = open_section(open_case(signed_in("polis"), "DEMO-001"), "result.followup.0")
    later = TODAY + timedelta(days=20)
    at.date_input[0].set_value(later)
    click(at, t("followup.save_date", "sv"))
    assert [e.value for e in at.error] == [t("followup.problem.needs_reason", "sv", date=str(suggested_date()))]
    at.date_input[0].set_value(later)
    at.text_input(key="followup.reason.0").input("Den utsatta bor i skyddat boende.")
    click(at, t("followup.save_date", "sv"))
    assert at.error.values == []
    assert t("followup.date_saved", "sv", date=later.isoformat()) in [s.value for s in at.success]
    text = page_text(at.main)
    assert f"Nästa bedömning {later.isoformat()}" in text
    assert "Den utsatta bor i skyddat boende." in text
    assert not any("inget skäl är skrivet" in w.value for w in at.warning)


def suggested_date() -> date:
    from ui.session import get_store

    _, a = demo_001_assessment(get_store())
    return date.fromisoformat(str(a["reassess_suggested"]))


def test_a_reassessment_shows_what_changed(database: str) -> None:
    reassess_demo_001(database, {"dv.threat_to_kill": "yes", "dv.coercive_control": "no"})
    at = open_case(signed_in("polis"), "DEMO-001")
    labels = [e.label for e in at.expander]
    assert t("followup.title_changed", "sv") in labels
    text = page_text(at.main)  # open at once: what changed is drawn without a click
    assert "Vad som ändrats från version 1 till version 2" in text
    assert "Nivån oförändrad: mycket hög" in text
    assert "Nytt kritiskt svar:" in text
    lines = [line for line in text.splitlines() if "→" in line]
    assert sum(": nej → ja" in line for line in lines) == 1 and sum(": ja → nej" in line for line in lines) == 1


def test_the_case_list_and_conference_flag_an_overdue_reassessment(database: str) -> None:
    past = TODAY - timedelta(days=2)
    reassess_demo_001(database, {"dv.stalking": "yes"}, reassess_by=past)
    at = signed_in("polis")
    assert title(at) == "Ärenden"
    overdue = t("followup.overdue", "sv", date=past.isoformat())
    assert any(f":material/error: {overdue}" in str(m.value) for m in at.main.markdown), page_text(at.main)
    at = choose_case(open_page(at, "Ärendemöte"), "DEMO-001")
    no_exceptions(at)
    assert any(f":material/error: {overdue}" in str(m.value) for m in at.main.markdown), page_text(at.main)


def test_in_english_too() -> None:
    at = signed_in("polis")
    at.session_state["lang"] = at.session_state["lang_choice"] = "en"
    at.run()
    at = open_case(at, "DEMO-001")
    assert "Follow-up: next reassessment" in [e.label for e in at.expander]
    assert "Suggested:" in page_text(open_section(at, "result.followup.0").main)


def test_the_case_list_shows_only_due_reassessments_when_asked(database: str) -> None:
    from tests.app.test_cases import references

    past = TODAY - timedelta(days=1)
    reassess_demo_001(database, {"dv.stalking": "yes"}, reassess_by=past)
    at = signed_in("polis")
    everything = count_line(at)
    assert "DEMO-004 Ärendemöte" in references(at)
    at.radio(key="cases.due_only").set_value("due")
    at.run()
    no_exceptions(at)
    shown = references(at)
    assert "DEMO-001 Våld i lägenhet" in shown and "DEMO-004 Ärendemöte" not in shown  # DEMO-004: in 14 days
    assert count_line(at) != everything
    notes = [str(m.value) for m in at.main.markdown if "bedömning" in str(m.value)]
    assert len(notes) == len(shown) and all(":material/error:" in n or ":material/schedule:" in n for n in notes)
    at.radio(key="cases.due_only").set_value("all")
    at.run()
    assert count_line(at) == everything


def count_line(at: AppTest) -> str:
    return next(str(c.value) for c in at.main.caption if "ärenden · sida" in str(c.value))
