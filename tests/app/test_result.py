"""The result page of a saved case: changing the level needs a reason; consent recorded from a step."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from risk.models import Result
from risk.rules import default_rules
from tests.app.helpers import badges, click, open_case, open_page, open_section, selectbox, signed_in, title
from tests.ui.helpers import no_exceptions, page_text
from ui.i18n import t
from ui.labels import md_escape
from ui.session import get_store

STEPS = {s.id: s for s in default_rules().steps.steps}


def demo_001() -> AppTest:
    """polis on the result of DEMO-001, its section "why" opened: the police's own domestic-violence assessment,
    level severe."""
    at = open_case(signed_in("polis"), "DEMO-001")
    assert title(at) == "Resultat"
    assert not badges(at)[1:]  # the section is drawn when opened
    open_section(at, "result.why")
    assert badges(at)[1] == "Risknivå: Mycket hög (4 av 4)"
    return at


def test_an_override_without_a_reason_is_refused_and_with_one_both_levels_are_kept() -> None:
    at = demo_001()
    assert "Ändra nivån (professionell bedömning)" in [e.label for e in at.expander]
    for reason in ("", "   "):
        selectbox(at, "Ny nivå").set_value("moderate")
        at.text_area(key="override.reason.0").input(reason)
        click(at, "Spara ändrad nivå")
        assert [e.value for e in at.error] == [t("pages.result.override_needs_reason", "sv")]
        assert "Skriv ett skäl till ändringen. Nivån har inte ändrats" in at.error[0].value
        assert badges(at)[1] == "Risknivå: Mycket hög (4 av 4)"  # unchanged
        assert "Beräknad nivå" not in page_text(at.main)
        assert at.text_area(key="override.reason.0").value == reason  # what was typed is still there

    reason = "Den misstänkte är häktad sedan i morse."
    selectbox(at, "Ny nivå").set_value("moderate")
    at.text_area(key="override.reason.0").input(reason)
    click(at, "Spara ändrad nivå")
    assert at.error.values == []
    assert [s.value for s in at.success] == [t("pages.result.override_saved", "sv")]
    assert badges(at)[1:3] == [
        "Bedömd nivå (ändrad av handläggaren): Måttlig (2 av 4)",
        "Beräknad nivå: Mycket hög (4 av 4)",
    ]
    assert f"**Skäl till ändringen:** {reason}" in page_text(at.main)


@pytest.mark.parametrize(
    ("step", "person", "to"),
    [
        ("case_conference.convene", "v1", ["police", "healthcare", "social_services"]),
        ("social_services.perpetrator_programme", "s1", ["social_services"]),
    ],
)
def test_consent_is_recorded_from_the_step_that_needs_it(step: str, person: str, to: list[str]) -> None:
    at = open_section(demo_001(), "result.steps")  # every agency's steps, with their consent
    action = STEPS[step].action("sv")
    required = f":material/pending_actions: **Samtycke:** {t('consent.required', 'sv')}"

    def consent_line() -> str:
        box = next(c for c in at.main.container if f"**{action}**" in page_text(c) and len(c.markdown) <= 4)
        return next(str(m.value) for m in box.markdown if "**Samtycke:**" in m.value)

    assert consent_line().startswith(required)
    at.button(key=f"steps:consent:{step}").click()
    at.run()
    no_exceptions(at)
    assert f"Registrera samtycke: {action}" in [s.value for s in at.subheader]
    # the form opens where its button is: in the step's own box, right under the button
    boxes = [c for c in at.main.container if any(b.key == f"steps:consent:{step}" for b in c.button)]
    box = min(boxes, key=lambda c: len(c.markdown))  # the innermost: the step's own box
    assert f"**{action}**" in [m.value for m in box.markdown]
    assert f"Registrera samtycke: {action}" in [s.value for s in box.subheader]
    # the form starts from whose consent the step needs, to the recipients it needs
    assert selectbox(at, "Vem har samtyckt").value == person
    assert at.multiselect[0].value == to

    click(at, "Spara samtycke")  # not yet confirmed that the person consented
    assert [e.value for e in at.error] == [t("pages.result.consent_incomplete", "sv")]
    assert consent_line().startswith(required)

    next(c for c in at.checkbox if c.label == t("pages.result.consent_confirm", "sv")).check()
    click(at, "Spara samtycke")
    assert at.error.values == []
    assert [s.value for s in at.success] == [t("pages.result.consent_saved", "sv")]
    assert consent_line().startswith(f":material/check_circle: **Samtycke:** {t('consent.given', 'sv')}")
    assert not [s for s in at.subheader if "Registrera samtycke" in s.value]


def in_order(node: Any) -> Iterator[Any]:
    """Every element under `node` in the order the page shows them."""
    for child in getattr(node, "children", {}).values():
        yield child
        yield from in_order(child)


def first_screen(at: AppTest) -> list[str]:
    """What the result shows, in order, up to the first section a person opens."""
    out = []
    for el in in_order(at.main):
        if el.type == "expandable":
            break
        if el.type in ("markdown", "subheader"):  # a step's check box is named like the text beside it
            out.append(str(el.value))
    return out


def test_the_first_screen_is_the_level_then_the_own_immediate_then_the_same_day_steps() -> None:
    at = demo_001()
    shown = first_screen(at)
    user, cid = at.session_state["user"], at.session_state["case_id"]
    result = Result.model_validate(get_store().assess_case(user, cid, lang="sv"))
    own = [s for s in result.steps if s.agency == "police"]
    immediate = [md_escape(s.action) for s in own if s.urgency.value == "immediate"]
    same_day = [md_escape(s.action) for s in own if s.urgency.value == "same_day"]
    assert immediate and same_day
    at_level = next(n for n, x in enumerate(shown) if "Samlad risknivå: Mycket hög" in x)
    now = shown.index(":material/e911_emergency: Innan du lämnar platsen")
    today = shown.index(":material/today: Samma dag")
    assert at_level < now < today
    assert [x for x in shown[now:today] if x in immediate] == immediate  # each one line, all of them
    assert [x for x in shown[today:] if x in same_day] == same_day
    assert not any(STEPS[s.id].action("sv") in shown for s in own if s.urgency.value == "within_week")
    # other agencies' steps, why, flags, consent and the override form wait in sections
    assert [e.label for e in at.expander][:1] == [t("pages.result.why", "sv")]
    assert any(e.label.startswith("Alla steg, alla myndigheter") for e in at.expander)


def test_ticking_a_step_done_is_stored_audited_and_shown_on_the_conference_page() -> None:
    at = demo_001()
    user, cid = at.session_state["user"], at.session_state["case_id"]
    box = next(c for c in at.checkbox if c.key.startswith("now.immediate:done:police.report_crime:") and not c.value)
    box.check()
    at.run()
    no_exceptions(at)
    assert [s.value for s in at.success] == [t("pages.result.step_done", "sv")]
    ticked = next(c for c in at.checkbox if c.key.startswith("now.immediate:done:police.report_crime:"))
    assert ticked.value and ticked.disabled
    store = get_store()
    (action,) = [a for a in store.list_actions(user, cid) if a["step_id"] == "police.report_crime"]
    assert (action["status"], action["owner_agency"], action["responsible"]) == ("done", "police", "polis")
    assert "add_action" in [e["action"] for e in store.audit_entries(user, cid)]
    # the plan on the conference page shows it done
    open_page(at, "Ärendemöte")
    assert at.selectbox(key=f"status.{action['item']}").value == "done"
    # a planned step ticked done later: the same item, now done
    open_page(at, "Resultat")
    planned = next(c for c in at.checkbox if c.key.startswith("now.same_day:done:police.restraining_order:planned"))
    planned.check()
    at.run()
    (order,) = [a for a in store.list_actions(user, cid) if a["step_id"] == "police.restraining_order"]
    assert (order["status"], order["version"]) == ("done", 2)


def test_a_step_added_to_the_plan_says_planned() -> None:
    at = demo_001()
    user, cid = at.session_state["user"], at.session_state["case_id"]
    at.button(key="now.immediate:plan:police.protect_victim").click()
    at.run()
    no_exceptions(at)
    assert [s.value for s in at.success] == [t("pages.result.step_planned", "sv")]
    (action,) = [a for a in get_store().list_actions(user, cid) if a["step_id"] == "police.protect_victim"]
    assert action["status"] == "planned"
    assert f":blue-badge[:material/event: {t('steps.in_plan', 'sv')}]" in page_text(at.main)
    assert not [b for b in at.button if b.key == "now.immediate:plan:police.protect_victim"]


def test_the_print_summary_is_offered_in_the_users_language() -> None:
    at = demo_001()
    assert t("summary.print_title", "sv") in [e.label for e in at.expander]
    assert not at.get("download_button")  # the summary is built when its section is opened
    open_section(at, "result.print")
    (download,) = [d for d in at.get("download_button") if d.proto.label == t("summary.download", "sv")]
    assert download.proto.label
