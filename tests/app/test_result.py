"""The result page of a saved case: changing the level needs a reason; consent recorded from a step."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from risk.rules import default_rules
from tests.app.helpers import badges, click, open_case, selectbox, signed_in, title
from tests.ui.helpers import no_exceptions, page_text
from ui.i18n import t

STEPS = {s.id: s for s in default_rules().steps.steps}


def demo_001() -> AppTest:
    """polis on the result of DEMO-001: the police's own domestic-violence assessment, level severe."""
    at = open_case(signed_in("polis"), "DEMO-001")
    assert title(at) == "Resultat"
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
    at = demo_001()
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
