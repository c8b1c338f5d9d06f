"""A rendered step shows what decides a care step and, at a case conference, each agency's own legal ground."""

from __future__ import annotations

from tests.conftest import dv, make_case
from tests.ui.test_result_app import run


def test_a_care_step_says_that_consent_or_lpt_decides() -> None:
    case = make_case(
        "emergency_department",
        persons=[{"id": "p1", "role": "other", "age": 44}],
        assessments=[{"checklist": "psychiatric", "subject": "p1", "answers": {"psy.suicide_plan": "yes"}}],
    )
    at = run(case, lang="en")
    care = [m.value for m in at.markdown if m.value.startswith("**Care:**")]
    assert care, "no care basis shown"
    assert any("with the patient's consent" in c and "LPT" in c for c in care)


def test_a_case_conference_names_each_agencys_ground_and_not_18_c() -> None:
    case = make_case("case_conference", assessments=[dv({"dv.strangulation": "yes", "dv.threat_to_kill": "yes"})])
    at = run(case, lang="sv")
    grounds = [m.value for m in at.markdown if m.value.startswith("**Varje myndighets egen grund:**")]
    assert len(grounds) == 1
    assert "polisen: " in grounds[0] and "10 kap. 27 §" in grounds[0]
    assert "hälso- och sjukvård" in grounds[0] and "25 kap. 12 §" in grounds[0]
    assert "18 c" not in grounds[0]
