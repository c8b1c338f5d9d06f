"""The law navigator agrees with the engine's steps: on every vignette, and on generated situations (hypothesis)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk.engine import assess
from risk.errors import ChecklistError, InputError
from risk.models import Case, Result
from risk.navigator import (
    NavigatorAnswer,
    Situation,
    answer_result,
    asking_agencies,
    build_case,
    contexts_of,
    kind_of,
    law_overview,
    navigate,
    parse_situation,
    situation_for,
)
from risk.rules import default_rules
from risk.situations import default_navigator, load_navigator
from risk.vocabulary import Agency, ConsentStatus, Context, PersonRole, RiskLevel
from tests.conftest import ROOT

VIGNETTES = sorted((ROOT / "tests" / "vignettes").glob("*.json"))
NAV = default_navigator()
RULES = default_rules()
STEP_AGENCY = {s.id: str(s.agency) for s in RULES.steps.steps}
# Steps by which health care or social services tell the police without the person's consent.
TELLS_POLICE = {
    "healthcare.disclose_committed_crime",
    "healthcare.warn_future_violence",
    "healthcare.report_crime_against_child",
    "healthcare.firearm_unfit_report",
    "social_services.disclose_committed_crime",
    "social_services.warn_future_violence",
    "social_services.report_crime_against_child",
    "social_services.youth_crime_prevention",
    "social_services.terrorism_prevention_disclosure",
}


def own_steps(result: Result, agency: Agency) -> set[str]:
    if result.context is Context.case_conference:
        return {s.id for s in result.steps if s.agency in (agency.value, "any", "case_conference")}
    return {s.id for s in result.steps if s.own_agency}


def step_ids(answer: NavigatorAnswer, *kinds: str) -> set[str]:
    return {e.step for k in kinds for e in getattr(answer, k) if e.step is not None}


def police_needs_consent(answer: NavigatorAnswer) -> bool:
    """The answer says: you may not tell the police without the person's consent."""
    return any(e.limit is not None and e.limit.endswith("police_needs_consent") for e in answer.may_not)


def agrees(answer: NavigatorAnswer, result: Result, agency: Agency) -> list[str]:
    """Every way the navigator's answer could disagree with the engine's result for this agency."""
    bad: list[str] = []
    own = own_steps(result, agency)
    steps = {s.id: s for s in result.steps}
    if step_ids(answer, "must", "may") != own:
        bad.append(f"must+may {sorted(step_ids(answer, 'must', 'may'))} != the engine's {sorted(own)}")
    required = {sid for sid in own if steps[sid].consent is ConsentStatus.required}
    if step_ids(answer, "may_not") != required:
        bad.append(f"may_not {sorted(step_ids(answer, 'may_not'))} != consent required {sorted(required)}")
    if step_ids(answer, "must") & required:
        bad.append("a step that needs consent is a must")
    for e in (*answer.must, *answer.may, *answer.may_not):
        if e.step is None:
            continue
        step = steps[e.step]
        if [p.id for p in e.provisions] != [r.id for r in step.legal_references]:
            bad.append(f"{e.step}: provisions differ from the step's legal basis")
        if e.consent is not step.consent:
            bad.append(f"{e.step}: consent {e.consent} != {step.consent}")
        if e.kind != "may_not" and e.kind != kind_of(step, NAV) and kind_of(step, NAV) != "may_not":
            bad.append(f"{e.step}: {e.kind} != {kind_of(step, NAV)}")
    for e in (*answer.must, *answer.may, *answer.may_not):
        for p in e.provisions:
            if p.verified is not RULES.provisions[p.id].verified:
                bad.append(f"{p.id}: verified differs from law.yaml")
    if answer.overall_level is not result.overall_level:
        bad.append("overall level differs")
    blocked = agency in (Agency.healthcare, Agency.social_services) and not (own & TELLS_POLICE)
    if police_needs_consent(answer) != blocked:
        bad.append(f"says police needs consent: {police_needs_consent(answer)}, engine's steps: {blocked}")
    return bad


def vignette(path: Path) -> tuple[Case, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Case.model_validate(data["case"]), data["expect"]


def agencies_of(case: Case) -> list[Agency]:
    own = RULES.steps.context_agency[case.context]
    return [own] if own is not None else asking_agencies()


# ---- the situation file ---------------------------------------------------------------------------


def test_situations_load_and_every_one_leads_somewhere() -> None:
    """Each situation selects at least one step with a provision for some agency: none is a dead question."""
    overview = {s.situation: s for s in law_overview("en")}
    for sid in NAV.situations:
        assert overview[sid].rows, f"{sid}: no provision applies for any agency"


def test_a_situation_file_naming_unknown_things_does_not_load(tmp_path: Path) -> None:
    bad = (ROOT / "checklists" / "situations.yaml").read_text(encoding="utf-8")
    bad = bad.replace("[dv.strangulation]", "[dv.strangulaton]").replace("[osl_10_27]", "[osl_10_99]")
    path = tmp_path / "situations.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ChecklistError) as e:
        load_navigator(path)
    text = "\n".join(e.value.problems)
    assert "situations[strangulation].yes: 'dv.strangulaton' is not an item of domestic_violence" in text
    assert "limits[no_general_clause].provisions: unknown provision 'osl_10_99'" in text


def test_the_overview_lists_every_provision_with_its_status() -> None:
    listed = {row.provision.id: row.provision for s in law_overview("sv") for row in s.rows}
    assert set(listed) == set(RULES.provisions)
    assert all(p.verified is RULES.provisions[p.id].verified for p in listed.values())


def test_bad_answers_name_every_field_to_fix() -> None:
    with pytest.raises(InputError) as e:
        parse_situation({"agency": "school", "age": 200, "situations": ["strangulation", "ufo"]})
    text = "\n".join(e.value.problems)
    assert "situations: unknown situation 'ufo'" in text
    assert "age:" in text
    with pytest.raises(InputError) as e:
        parse_situation({"agency": "police", "context": "psychiatry"})
    assert e.value.problems == [
        "context: psychiatry is not a setting of police; use one of police_intake, case_conference"
    ]


# ---- agreement with the engine on every vignette ---------------------------------------------------


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_the_answer_for_a_vignette_is_the_engines_steps(path: Path) -> None:
    case, expect = vignette(path)
    result = assess(case, "sv")
    for agency in agencies_of(case):
        answer = answer_result(result, Situation(agency=agency, context=case.context), lang="sv")
        assert agrees(answer, result, agency) == [], (path.stem, agency)
        own = own_steps(result, agency)
        assert {s for s in expect.get("steps_include", []) if s in own} <= step_ids(answer, "must", "may")
        assert not set(expect.get("steps_exclude", [])) & step_ids(answer, "must", "may", "may_not")


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_the_questions_answered_from_a_vignette_give_its_steps(path: Path) -> None:
    """A professional who answers the navigator's questions for the vignette's person gets the vignette's steps
    for their agency, and the same answer to "may I tell the police?" as the vignette's own result."""
    case, expect = vignette(path)
    result = assess(case, "en")
    for agency in agencies_of(case):
        sit = situation_for(case, agency, result)
        answer = navigate(sit, "en")
        asked = step_ids(answer, "must", "may")
        expected = {s for s in expect.get("steps_include", []) if STEP_AGENCY[s] in (agency.value, "any")}
        assert expected <= asked, (path.stem, agency, sit.situations, expected - asked)
        assert not set(expect.get("steps_exclude", [])) & asked, path.stem
        for group in expect.get("steps_include_any", []):
            assert set(group) & asked or not {STEP_AGENCY[s] for s in group} & {agency.value}, group
        direct = answer_result(result, Situation(agency=agency, context=case.context))
        assert police_needs_consent(answer) == police_needs_consent(direct), (path.stem, agency)


def test_p03_may_not_tell_the_police_and_strangulation_may() -> None:
    """collaboration.md: an adult victim with bruises, no consent: health care may not tell the police; after
    strangulation (minimum one year) it may, on OSL 10 kap. 23 §, without consent."""
    base = {"agency": "healthcare", "subject_role": "victim", "age": 38}
    bruises = navigate({**base, "situations": ["violence_close_relationship"]})
    assert police_needs_consent(bruises)
    assert "healthcare.police_contact_with_consent" in step_ids(bruises, "may_not")
    choked = navigate({**base, "situations": ["violence_close_relationship", "strangulation"]})
    assert not police_needs_consent(choked)
    disclose = next(e for e in choked.may if e.step == "healthcare.disclose_committed_crime")
    assert [p.id for p in disclose.provisions] == ["osl_10_23"]
    assert disclose.because == ["Strangulation"]
    consented = navigate({**base, "situations": ["violence_close_relationship"], "consent_to": ["police"]})
    assert "healthcare.police_contact_with_consent" in step_ids(consented, "may")
    assert "healthcare.police_contact_with_consent" not in step_ids(consented, "may_not")


# ---- generated situations ------------------------------------------------------------------------

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def situations(draw: st.DrawFn) -> Situation:
    agency = draw(st.sampled_from(asking_agencies()))
    return Situation(
        agency=agency,
        context=draw(st.sampled_from(contexts_of(agency))),
        subject_role=draw(st.sampled_from(list(PersonRole))),
        age=draw(st.none() | st.integers(min_value=0, max_value=90)),
        situations=draw(st.lists(st.sampled_from(list(NAV.situations)), max_size=4, unique=True)),
        consent_to=draw(st.lists(st.sampled_from(list(Agency)), max_size=3, unique=True)),
        level=draw(st.none() | st.sampled_from(list(RiskLevel))),
    )


@SETTINGS
@given(situations())
def test_the_navigator_never_disagrees_with_the_engine(sit: Situation) -> None:
    """What the navigator says is, step for step, what the engine selects for the same facts."""
    result = assess(build_case(sit), "en")
    answer = navigate(sit, "en")
    assert agrees(answer, result, sit.agency) == []


@SETTINGS
@given(situations())
def test_the_general_clause_never_opens_care_or_social_services(sit: Situation) -> None:
    """collaboration.md: OSL 10 kap. 27 § is never a basis for health care or social services."""
    answer = navigate(sit)
    if sit.agency in (Agency.healthcare, Agency.social_services):
        cited = {p.id for e in (*answer.must, *answer.may) for p in e.provisions}
        assert "osl_10_27" not in cited or sit.context is Context.case_conference
        assert any(e.limit == "no_general_clause" for e in answer.may_not)


@SETTINGS
@given(situations())
def test_consent_only_ever_adds_what_may_be_done(sit: Situation) -> None:
    without = navigate(sit.model_copy(update={"consent_to": []}))
    full = navigate(sit.model_copy(update={"consent_to": list(Agency)}))
    assert step_ids(without, "must", "may") <= step_ids(full, "must", "may")
    assert step_ids(full, "may_not") <= step_ids(without, "may_not")


@SETTINGS
@given(situations())
def test_a_child_exposed_to_violence_is_always_reported(sit: Situation) -> None:
    """The duty to report concern for a child falls on whoever learns of it, consent or not (collaboration.md)."""
    child = sit.age < 18 if sit.age is not None else sit.subject_role is PersonRole.child
    dv = any(NAV.situations[s].checklist == "domestic_violence" for s in sit.situations)
    if not (child and dv) or sit.context is Context.case_conference:
        return
    report = {
        Agency.police: "police.child_concern_report",
        Agency.healthcare: "healthcare.child_concern_report",
        Agency.social_services: "social_services.child_protection_assessment",
    }[sit.agency]
    assert report in step_ids(navigate(sit), "must")
