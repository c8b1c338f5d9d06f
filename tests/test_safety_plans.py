"""Safety plans as data: the templates load and are complete in both languages, the victim plan starts with the
person's own priorities, the suicide plan follows the Stanley–Brown steps, which result offers which plan (a pure
function of the result and the persons' roles), the answers' checks, and who may see and write a plan (access.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from risk.engine import assess
from risk.errors import ChecklistError
from risk.safety_plans import (
    MAX_ANSWER,
    SAFETY_PLANS_PATH,
    answer_problems,
    clean_answers,
    default_safety_plans,
    load_safety_plans,
    offered_plans,
)
from risk.storage.access import CaseAccess, ConsentFact, Org, Viewer, safety_plan_basis, safety_plan_write_problems
from risk.vocabulary import Language, PersonRole

PLANS = default_safety_plans()


def texts(node: Any) -> list[dict[str, str]]:
    """Every bilingual text in the file's data (a mapping with exactly the keys sv and en)."""
    if isinstance(node, dict):
        if set(node) == {"sv", "en"}:
            return [node]
        return [t for v in node.values() for t in texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in texts(v)]
    return []


def test_both_languages_are_complete_and_differ() -> None:
    found = texts(PLANS.model_dump(mode="json"))
    assert len(found) > 50
    for text in found:
        assert text["sv"].strip() and text["en"].strip()
        assert text["sv"] != text["en"], text  # a copy is a missing translation


def test_the_victim_plan_starts_with_the_persons_priorities_and_covers_the_research_notes() -> None:
    victim = PLANS.plan("victim")
    assert victim is not None and victim.sections[0].id == "priorities"
    assert {"if_it_happens", "safe_contacts", "code_word", "documents_ready", "safe_route"} <= {
        s.id for s in victim.sections
    }
    assert victim.person_roles == [PersonRole.victim]
    contacts = victim.section("safe_contacts")
    assert contacts is not None and "never" in contacts.help(Language.en)  # the abuser is never a contact


def test_the_suicide_plan_follows_stanley_brown_after_the_persons_own_reasons() -> None:
    suicide = PLANS.plan("suicide")
    assert suicide is not None
    assert [s.id for s in suicide.sections] == [
        "reasons_for_living",
        "warning_signs",
        "coping",
        "people_places",
        "people_help",
        "professionals",
        "safe_environment",
    ]
    assert suicide.for_role("suspect") and suicide.for_role(PersonRole.victim)


def test_every_plan_tells_where_to_keep_it_and_to_call_112() -> None:
    for plan in PLANS.plans:
        assert "112" in plan.intro(Language.sv) and "112" in plan.intro(Language.en)
        assert plan.keep_safe(Language.en)


def test_loading_names_an_unknown_checklist_section_plan_and_guidance(tmp_path: Path) -> None:
    raw = yaml.safe_load(SAFETY_PLANS_PATH.read_text())
    raw["offers"] = [
        {"plan": "staff", "checklists": ["nope"]},
        {"plan": "suicide", "checklists": ["psychiatric"], "section": "mood"},
    ]
    raw["plans"][0]["guidance"] = ["safety.nothing"]
    path = tmp_path / "safety_plans.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(ChecklistError) as err:
        load_safety_plans(path)
    problems = "\n".join(err.value.problems)
    for expected in ("unknown plan 'staff'", "unknown checklist 'nope'", "no section 'mood'", "'safety.nothing'"):
        assert expected in problems


def test_a_section_id_twice_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(SAFETY_PLANS_PATH.read_text())
    raw["plans"][1]["sections"].append(raw["plans"][1]["sections"][0])
    path = tmp_path / "safety_plans.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(ChecklistError, match="ids must be unique"):
        load_safety_plans(path)


def case(*assessments: dict[str, Any], persons: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "context": "emergency_department",
        "persons": persons
        or [
            {"id": "v1", "role": "victim", "age": 31},
            {"id": "s1", "role": "suspect", "age": 35},
        ],
        "assessments": list(assessments),
    }


def offers(c: dict[str, Any]) -> list[tuple[str, str]]:
    result = assess(c)
    roles = {p["id"]: p["role"] for p in c["persons"]}
    return [(o.plan, o.person) for o in offered_plans(result, roles)]


def test_a_domestic_violence_assessment_of_a_victim_offers_the_victim_plan_at_any_level() -> None:
    dv = {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.stalking": "no"}}
    assert offers(case(dv)) == [("victim", "v1")]


def test_the_suicide_plan_is_offered_from_the_suicide_section_at_moderate_and_above() -> None:
    low = {"checklist": "psychiatric", "subject": "s1", "answers": {"psy.wish_dead": "no"}}
    assert offers(case(low)) == []
    thoughts = {"checklist": "psychiatric", "subject": "s1", "answers": {"psy.suicidal_thoughts": "yes"}}
    assert offers(case(thoughts)) == [("suicide", "s1")]


def test_a_suspect_assessed_in_a_criminal_network_gets_no_victim_plan() -> None:
    cn = {"checklist": "criminal_network", "subject": "s1", "answers": {}}
    assert offers(case(cn)) == []
    cn_victim = {"checklist": "criminal_network", "subject": "v1", "answers": {}}
    assert offers(case(cn_victim)) == [("victim", "v1")]


def test_both_plans_for_a_victim_with_suicidal_thoughts_each_once() -> None:
    dv = {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {}}
    cn = {"checklist": "criminal_network", "subject": "v1", "answers": {}}
    psy = {"checklist": "psychiatric", "subject": "v1", "answers": {"psy.suicide_plan": "yes"}}
    assert offers(case(dv, cn, psy)) == [("victim", "v1"), ("suicide", "v1")]


def test_answers_are_checked_by_section_and_cleaned_in_the_templates_order() -> None:
    victim = PLANS.plan("victim")
    assert victim is not None
    assert answer_problems(victim, {"priorities": "x"}) == []
    problems = answer_problems(victim, {"escape": "x", "code_word": 3, "priorities": "y" * (MAX_ANSWER + 1)})
    assert [p.split(":")[0] for p in problems] == ["escape", "code_word", "priorities"]
    assert answer_problems(victim, {"priorities": "  ", "code_word": ""}) == [
        "sections: write at least one section of the plan"
    ]
    cleaned = clean_answers(victim, {"code_word": " Pizza ", "priorities": "The children", "children": " "})
    assert list(cleaned) == ["priorities", "code_word"] and cleaned["code_word"] == "Pizza"


T0 = datetime(2026, 12, 5, 9, 0)
TREE = {
    1: Org(1, "healthcare", None, "region"),
    2: Org(2, "healthcare", 1, "region.akuten"),
    3: Org(3, "police", None, "polis"),
    4: Org(4, "social_services", None, "soc"),
}


def access(consents: list[ConsentFact] | None = None) -> CaseAccess:
    return CaseAccess({2, 3, 4}, TREE, consents or [])


def test_who_sees_a_plan_own_organisation_or_the_persons_consent_only() -> None:
    nurse, doctor = Viewer("clinician", "healthcare", 2), Viewer("clinician", "healthcare", 1)
    officer, coordinator = Viewer("officer", "police", 3), Viewer("coordinator", "social_services", 4)
    seen = {"person": "v1", "holder": 1, "saved_at": T0}
    assert safety_plan_basis(nurse, access(), **seen) == "own_agency"
    assert safety_plan_basis(doctor, CaseAccess({1}, TREE), **seen) == "own_agency"  # the region holds its unit's
    assert safety_plan_basis(officer, access(), **seen) is None
    assert safety_plan_basis(coordinator, access(), **seen) is None
    consent = ConsentFact("v1", 3, 1, 1, None, T0 - timedelta(hours=1), None)
    assert safety_plan_basis(officer, access([consent]), **seen) == "consent"
    assert safety_plan_basis(officer, access([consent]), **{**seen, "person": "v2"}) is None
    withdrawn = ConsentFact("v1", 3, 1, 1, None, T0 - timedelta(hours=1), T0 - timedelta(minutes=1))
    assert safety_plan_basis(officer, access([withdrawn]), **seen) is None
    assert safety_plan_basis(Viewer("officer", "police", 9), access([consent]), **seen) is None  # not in the case


def test_who_writes_a_plan_a_case_worker_in_the_case() -> None:
    assert safety_plan_write_problems(Viewer("clinician", "healthcare", 2), access()) == []
    assert "does not write safety plans" in safety_plan_write_problems(Viewer("coordinator", "police", 3), access())[0]
    assert "taking part in the case" in safety_plan_write_problems(Viewer("officer", "police", 9), access())[0]


def test_the_file_passes_its_committed_editor_schema() -> None:
    import json

    import jsonschema

    from risk.checklists import CHECKLIST_DIR, read_yaml

    assert SAFETY_PLANS_PATH.read_text().startswith("# yaml-language-server: $schema=schema/safety_plans.schema.json")
    schema = json.loads((CHECKLIST_DIR / "schema" / "safety_plans.schema.json").read_text())
    jsonschema.validate(read_yaml(SAFETY_PLANS_PATH), schema)


def test_a_step_asks_the_law_by_its_data_not_its_id() -> None:
    from risk.navigator import asks_the_law
    from risk.vocabulary import ConsentStatus

    dv = {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.strangulation": "yes"}}
    steps = assess(case(dv)).steps
    cited = next(s for s in steps if s.legal_references)
    assert asks_the_law(cited)
    bare = cited.model_copy(
        update={
            "id": "police.honour_risk_assessment",
            "legal_basis": [],
            "legal_references": [],
            "consent": ConsentStatus.not_required,
        }
    )
    assert not asks_the_law(bare)  # no provision, no consent, shares with no one
    assert asks_the_law(bare.model_copy(update={"consent": ConsentStatus.required}))
    assert asks_the_law(bare.model_copy(update={"id": "healthcare.police_contact_with_consent"}))  # shares_with
