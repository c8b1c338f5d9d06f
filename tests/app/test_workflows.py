"""The workflows on a case, as a user does them on the conference page: record a concern report as made,
withdraw a consent, bring in an organisation, correct or remove a person, give another action its own text,
export the case with its plan; and, for the admin, disable an account only after confirming, and enable it again."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from streamlit.testing.v1 import AppTest

from tests.app.helpers import PASSWORD, click, open_page, open_section, selectbox, signed_in
from tests.ui.helpers import no_exceptions, page_text
from ui.session import get_store


def on_conference(username: str, reference: str) -> AppTest:
    """Sign in, open the conference page and choose the case by its reference."""
    at = open_page(signed_in(username), "Ärendemöte")
    choose = selectbox(at, "Ärende")
    store = get_store()
    user = store.authenticate(username, PASSWORD)
    [cid] = [c.id for c in store.list_cases(user, page=1, page_size=100).items if c.reference == reference]
    choose.set_value(cid)
    at.run()
    no_exceptions(at)
    return at


def new_case_with_children(reference: str) -> int:
    """A police intake with a domestic-violence assessment and two children: a concern report is needed for each."""
    store = get_store()
    polis = store.authenticate("polis", PASSWORD)
    cid = store.create_case(polis, reference=reference)
    for p in (
        {"id": "v1", "role": "victim", "age": 30, "gender": "female"},
        {"id": "s1", "role": "suspect", "age": 33, "gender": "male"},
        {"id": "c1", "role": "child", "age": 5},
        {"id": "c2", "role": "child", "age": 9},
    ):
        store.add_person(polis, cid, p)
    dv = {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.strangulation": "yes"}}
    store.save_assessment(polis, cid, dv)
    return cid


def form(at: AppTest, key: str) -> Any:
    """The form with this key (st.form's key), for its widgets."""
    [found] = [f for f in at.get("form") if f.proto.form.form_id == key]
    return found


def test_a_concern_report_is_recorded_as_made_and_the_child_no_longer_waits_for_one() -> None:
    new_case_with_children("K-ORO-1")
    at = on_conference("polis", "K-ORO-1")
    text = page_text(at.main)
    assert "Orosanmälningar om barn" in text
    assert text.count("en orosanmälan från polisen behövs – ännu inte registrerad.") == 2

    report = form(at, "concern_report")
    assert report.selectbox[0].value == "c1"  # the first child still waiting
    report.text_input[0].input("")
    report.radio[0].set_value("phone")
    click(at, "Registrera orosanmälan")
    assert "Fyll i: Kommun (socialtjänsten som tog emot den)." in at.error.values
    assert form(at, "concern_report").radio[0].value == "phone"  # nothing chosen is lost

    form(at, "concern_report").text_input[0].input("Malmö **stad**")
    click(at, "Registrera orosanmälan")
    text = page_text(at.main)
    assert "en orosanmälan från polisen behövs – ännu inte registrerad." in text  # c2 still waits
    assert text.count("behövs – ännu inte registrerad") == 1
    made = next(m for m in at.main.markdown if "behövdes" in str(m.value))
    assert "c1 – barn, 5 år" in str(made.value)  # still shown: it was needed
    assert "till socialtjänsten i Malmö \\*\\*stad\\*\\*, per telefon; registrerad av polis." in str(made.value)
    assert "Orosanmälan om c1 – barn, 5 år är registrerad." in at.success.values


def test_a_concern_report_made_in_the_future_is_refused_in_the_users_language() -> None:
    new_case_with_children("K-ORO-2")
    at = on_conference("polis", "K-ORO-2")
    report = form(at, "concern_report")
    report.date_input[0].set_value(date.today() + timedelta(days=2))
    report.text_input[0].input("Malmö")
    report.radio[0].set_value("phone")
    click(at, "Registrera orosanmälan")
    assert [e.value for e in at.error] == [
        f"Tidpunkten {(date.today() + timedelta(days=2)).isoformat()} "
        f"{form(at, 'concern_report').time_input[0].value:%H:%M} har inte kommit än: ange när orosanmälan gjordes."
    ]
    assert "behövdes" not in page_text(at.main)  # nothing recorded
    assert form(at, "concern_report").text_input[0].value == "Malmö"  # nothing typed is lost


def test_a_consent_is_withdrawn_after_confirming_and_stays_in_the_history() -> None:
    at = open_section(on_conference("polis", "DEMO-001 Våld i lägenhet"), "conference.consents")
    withdraw = form(at, "withdraw_consent")
    withdraw.selectbox[0].set_value(("v1", "social_services"))
    click(at, "Återkalla samtycke")
    assert "Välj samtycket och bekräfta att personen har återkallat det." in at.error.values
    form(at, "withdraw_consent").checkbox[0].check()
    click(at, "Återkalla samtycke")
    assert any("är återkallat; det finns kvar i historiken" in s for s in at.success.values)
    [table] = [d for d in at.main.dataframe if "Nu" in d.value.columns]
    states = dict(zip(table.value["Får delas med"], table.value["Nu"], strict=True))
    assert states["socialtjänsten"].startswith("återkallat ") and states["socialtjänsten"].endswith(" av polis")
    assert states["brottsofferjouren"] == "gäller"
    assert len(form(at, "withdraw_consent").selectbox[0].options) == 1  # only the consent still in force


def test_an_organisation_is_brought_into_the_case() -> None:
    at = open_section(on_conference("polis", "DEMO-001 Våld i lägenhet"), "conference.organisations")
    add = form(at, "add_organisation")
    add.selectbox[0].set_value("healthcare")
    click(at, "Lägg till i ärendet")
    assert "hälso- och sjukvården deltar nu i ärendet. Den ser bara det den får se." in " ".join(at.success.values)
    assert "healthcare" not in form(at, "add_organisation").selectbox[0].options


def test_a_person_is_corrected_and_one_registered_by_mistake_removed_but_not_one_assessed() -> None:
    cid = new_case_with_children("K-PERS-1")
    store = get_store()
    store.add_person(store.authenticate("polis", PASSWORD), cid, {"id": "x9", "role": "relative", "age": 50})
    at = open_section(on_conference("polis", "K-PERS-1"), "conference.persons")
    selectbox(at, "Person").set_value("c2")
    at.run()
    correct = form(at, "correct_person.c2")
    correct.number_input[0].set_value(10)
    click(at, "Spara rättelsen")
    assert "c2 är rättad; de tidigare uppgifterna finns kvar i historiken." in at.success.values
    [history] = [d for d in at.main.dataframe if "Före" in d.value.columns]
    assert list(history.value["Före"]) == ["c2 – barn, 9 år"] and list(history.value["Efter"]) == ["c2 – barn, 10 år"]

    selectbox(at, "Person").set_value("v1")
    at.run()
    remove = form(at, "remove_person.v1")
    remove.checkbox[0].check()
    click(at, "Ta bort personen")
    [why] = at.error.values
    assert why.startswith("v1 – utsatt, 30 år kan inte tas bort: bedömningar (1) i ärendet gäller personen.")

    selectbox(at, "Person").set_value("x9")
    at.run()
    click(at, "Ta bort personen")
    assert "Kryssa i rutan för att bekräfta att personen registrerades av misstag." in at.error.values
    form(at, "remove_person.x9").checkbox[0].check()
    click(at, "Ta bort personen")
    assert "x9 är borttagen ur ärendet; borttagningen finns kvar i historiken." in at.success.values
    assert "x9" not in selectbox(at, "Person").options


def test_another_action_has_its_own_text_shown_as_plain_text_and_an_overdue_one_is_marked() -> None:
    at = open_section(on_conference("samordnare", "DEMO-004 Ärendemöte"), "conference.add_action")
    selectbox(at, "Steg").set_value("other")
    at.run()
    click(at, "Lägg till i planen")
    assert "Skriv vad den andra åtgärden är." in at.error.values
    add = next(f for f in at.get("form") if f.proto.form.form_id.startswith("add_action"))
    add.text_input[0].input("Skolan")
    add.text_area[0].input("Möte med **skolan** om [hämtning](http://x)")
    add.date_input[0].set_value(date.today() - timedelta(days=2))
    click(at, "Lägg till i planen")
    shown = next(str(m.value) for m in at.main.markdown if "skolan" in str(m.value))
    assert "Möte med \\*\\*skolan\\*\\* om \\[hämtning\\]" in shown  # no bold, no link: the text as typed
    assert any("Försenad – skulle vara klar" in str(m.value) for m in at.main.markdown)
    spec = json.loads(open_section(at, "conference.timeline").get("plotly_chart")[0].proto.spec)
    overdue = next(tr for tr in spec["data"] if tr.get("name") == "Försenade åtgärder")
    assert overdue["text"] == ["försenad"]  # in words, not colour alone
    assert overdue["x"] == [(date.today() - timedelta(days=2)).isoformat()]


def test_the_case_is_exported_with_its_plan_and_reassessment_date_only_when_asked() -> None:
    at = on_conference("samordnare", "DEMO-004 Ärendemöte")
    store = get_store()
    admin = store.authenticate("admin", PASSWORD)
    exports = lambda: [e for e in store.audit_entries(admin, limit=1000) if e["action"] == "export_case"]  # noqa: E731
    assert exports() == [] and not at.get("download_button")
    open_section(at, "conference.export")
    assert exports() == [] and not at.get("download_button")  # opening the section exports nothing yet
    click(at, "Förbered export")
    assert len(exports()) == 1
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Ladda ner ärendet (JSON)", "Ladda ner handlingsplanen och datum för ny bedömning (CSV)"]


def test_an_account_is_disabled_only_after_confirming_and_can_be_enabled_again() -> None:
    at = open_page(signed_in("admin"), "Användare")
    disable = form(at, "disable_user")
    disable.selectbox[0].set_value("vard")
    click(at, "Inaktivera användare")
    admin = get_store().authenticate("admin", PASSWORD)
    assert not next(u for u in get_store().list_users(admin) if u["username"] == "vard")["disabled"]
    assert "Kryssa i rutan för att bekräfta att vard ska inaktiveras." in at.error.values
    form(at, "disable_user").checkbox[0].check()
    click(at, "Inaktivera användare")
    assert "vard är inaktiverad och kan inte logga in." in at.success.values
    enable = form(at, "enable_user")
    assert enable.selectbox[0].options == ["vard"]
    enable.selectbox[0].set_value("vard")
    click(at, "Aktivera igen")
    assert "vard är aktiverad igen och kan logga in." in at.success.values
    assert get_store().authenticate("vard", PASSWORD).username == "vard"
