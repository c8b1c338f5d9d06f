"""The checklist and rule files: complete, consistent, and loud when broken."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from risk.checklists import load_checklists
from risk.errors import ChecklistError
from risk.rules import load_rules
from risk.vocabulary import Context
from tests.conftest import run_cli

# The canonical ids of vocabulary.md: a contract; they may never disappear or be renamed.
CANONICAL = {
    "domestic_violence": """strangulation threat_to_kill weapon_threat_or_use weapon_access victim_fears_lethal
        perpetrator_suicidality separation_recent escalation stalking sexual_violence coercive_control
        jealousy_obsession pregnancy_or_infant stepchild threats_to_children order_breach prior_violence_partner
        violence_others
        perpetrator_substance perpetrator_mental_health perpetrator_unemployed child_contact_conflict injury_current
        animal_abuse property_damage victim_isolation victim_vulnerability honour_context
        injury_severe seeks_victim_at_care victim_depression_suicidal family_not_partner""",
    "psychiatric": """wish_dead suicidal_thoughts suicide_method suicide_intent suicide_plan suicide_attempt_recent
        suicide_attempt_past confusion irritability boisterous verbal_threats physical_threats attacks_objects
        psychosis_signs command_hallucinations intoxication access_to_means treatment_interrupted refuses_needed_care
        cannot_care_for_self acute_crisis violence_history
        better_off_dead suicidal_thoughts_now threatens_close_person firearm_access substance_misuse_serious""",
    "child_welfare": """witnessed_violence physical_abuse sexual_abuse neglect threats_to_child caregiver_incapacitated
        caregiver_mental_illness caregiver_substance intervened abduction_risk self_harm criminal_exploitation
        missing_episodes school_absence honour_control unborn""",
    "criminal_network": """violent_injury threats_received relative_targeted involvement recruitment_signs exploited
        weapon_carrying drug_debt retaliation_intent wants_exit staff_threat location_exposed extremist_environment""",
}
PREFIX = {"domestic_violence": "dv", "psychiatric": "psy", "child_welfare": "child", "criminal_network": "cn"}
CRITICAL = {
    "dv.strangulation",
    "dv.threat_to_kill",
    "dv.weapon_threat_or_use",
    "dv.weapon_access",
    "dv.victim_fears_lethal",
    "dv.perpetrator_suicidality",
    "psy.suicide_plan",
    "psy.suicide_attempt_recent",
    "psy.command_hallucinations",
    "dv.injury_severe",
    "psy.suicidal_thoughts_now",
    "psy.threatens_close_person",
    "cn.threats_received",
    "cn.retaliation_intent",
}


@pytest.fixture(scope="module")
def checklists():  # type: ignore[no-untyped-def]
    return load_checklists()


@pytest.mark.parametrize("name", CANONICAL)
def test_every_canonical_item_is_there(checklists, name: str) -> None:  # type: ignore[no-untyped-def]
    expected = {f"{PREFIX[name]}.{i}" for i in CANONICAL[name].split()}
    assert expected <= set(checklists[name].items)


def test_vocabulary_critical_items_are_critical(checklists) -> None:  # type: ignore[no-untyped-def]
    critical = {i for cl in checklists.values() for i in cl.critical_items}
    assert critical >= CRITICAL


def test_every_item_is_written_in_both_languages_with_help_and_evidence(checklists) -> None:  # type: ignore[no-untyped-def]
    for cl in checklists.values():
        for item in cl.items.values():
            for text in (item.text, item.help.how_to_ask, item.help.what_counts):
                assert "TODO" not in text.sv + text.en, item.id
                assert text.sv != text.en, f"{item.id}: Swedish text is a copy of the English"
            assert "TODO" not in item.evidence


def test_short_forms_are_short_and_ask_every_critical_item(checklists) -> None:  # type: ignore[no-untyped-def]
    for cl in checklists.values():
        full = cl.form_items(Context.case_conference)
        assert full == list(cl.items), "the case conference asks everything"
        for ctx in (Context.police_intake, Context.emergency_department):
            short = cl.form_items(ctx)
            # room for the Lethality Screen's eleven questions, the DASH/MARAM clusters and the ASQ
            assert len(short) < len(full) and len(short) <= 25
            assert cl.critical_items <= set(short)


def test_rules_load_and_cite_known_provisions() -> None:
    rules = load_rules()
    assert {s.id for s in rules.steps.steps} >= {
        "police.child_concern_report",
        "healthcare.child_concern_report",
        "social_services.child_protection_assessment",
        "police.report_crime",
        "healthcare.disclose_committed_crime",
        "healthcare.police_contact_with_consent",
        "case_conference.convene",
        "any.sip",
        "any.alert_112",
    }
    unverified = [p for p in rules.law.provisions if not p.verified]
    assert unverified, "SoL 2025:400 numbers are unconfirmed: some provisions must be marked unverified"
    assert all(p.checked.date and p.checked.by.strip() for p in rules.law.provisions)
    primary = {"statute_text", "proposition", "court_ruling"}
    assert all(p.source_kind in primary for p in rules.law.provisions if p.verified)


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count))


def _problems(directory: Path) -> list[str]:
    with pytest.raises(ChecklistError) as err:
        load_rules(directory, load_checklists(directory))
    return err.value.problems


def test_duplicate_item_id_names_file_and_item(tmp_checklists: Path) -> None:
    _edit(tmp_checklists / "domestic_violence.yaml", "id: dv.stalking", "id: dv.escalation")
    assert any(
        "domestic_violence.yaml" in p and "dv.escalation" in p and "duplicate" in p for p in _problems(tmp_checklists)
    )


def test_item_id_shared_between_files_is_refused(tmp_checklists: Path) -> None:
    _edit(tmp_checklists / "criminal_network.yaml", "id: cn.staff_threat", "id: dv.staff_threat")
    problems = _problems(tmp_checklists)
    assert any("criminal_network.yaml" in p and "dv.staff_threat" in p for p in problems)


def test_unknown_level_names_item_and_field(tmp_checklists: Path) -> None:
    path = tmp_checklists / "psychiatric.yaml"
    text = path.read_text()
    start = text.index("id: psy.suicide_method")
    at = text.index("level: high", start)
    path.write_text(text[:at] + "level: extreme" + text[at + len("level: high") :])
    problems = _problems(tmp_checklists)
    assert any("psychiatric.yaml" in p and "psy.suicide_method" in p and ".level" in p for p in problems), problems


def test_unknown_context_is_refused(tmp_checklists: Path) -> None:
    _edit(tmp_checklists / "child_welfare.yaml", "- police_intake", "- police_station")
    problems = _problems(tmp_checklists)
    assert any("child_welfare.yaml" in p and "forms" in p and "contexts" in p for p in problems), problems


def test_missing_translation_names_item_and_field(tmp_checklists: Path) -> None:
    path = tmp_checklists / "criminal_network.yaml"
    text = path.read_text()
    start = text.index("id: cn.drug_debt")
    sv = text.index("sv:", start)
    end = text.index("\n", sv)
    path.write_text(text[:sv] + "xx:" + text[sv + 3 : end] + text[end:])
    problems = _problems(tmp_checklists)
    assert any("cn.drug_debt" in p and "text.sv" in p and "missing" in p.lower() for p in problems), problems


def test_fractional_weight_is_refused(tmp_checklists: Path) -> None:
    path = tmp_checklists / "domestic_violence.yaml"
    text = path.read_text()
    start = text.index("id: dv.stalking")
    at = text.index("points: 2", start)
    path.write_text(text[:at] + "points: 2.5" + text[at + len("points: 2") :])
    problems = _problems(tmp_checklists)
    assert any("dv.stalking" in p and "points" in p and "integer" in p for p in problems), problems


def test_critical_item_missing_from_short_form_is_refused(tmp_checklists: Path) -> None:
    path = tmp_checklists / "criminal_network.yaml"
    text = path.read_text()
    start = text.index("id: cn.threats_received")
    forms = text.index("- short\n", start)
    path.write_text(text[:forms] + text[forms + len("- short\n") :])
    problems = _problems(tmp_checklists)
    assert any("cn.threats_received" in p and "every form" in p for p in problems), problems


def test_yes_as_a_word_is_not_a_boolean(tmp_checklists: Path) -> None:
    """YAML 1.1 reads `yes` as True; the loader must keep the operator `yes:` and answers as words."""
    rules = load_rules(tmp_checklists, load_checklists(tmp_checklists))
    assert rules.flags.flags


def test_condition_with_unknown_item_is_refused(tmp_checklists: Path) -> None:
    _edit(tmp_checklists / "steps.yaml", "yes: [dv.weapon_access]", "yes: [dv.weapon_acess]")
    problems = _problems(tmp_checklists)
    assert any("police.firearm_review" in p and "dv.weapon_acess" in p for p in problems), problems


def test_condition_with_unknown_operator_is_refused(tmp_checklists: Path) -> None:
    _edit(tmp_checklists / "flags.yaml", "any_person: {role: child}", "some_person: {role: child}")
    problems = _problems(tmp_checklists)
    assert any("flags.yaml" in p and "children_in_household" in p and "some_person" in p for p in problems), problems


def test_unknown_legal_basis_is_refused(tmp_checklists: Path) -> None:
    _edit(tmp_checklists / "steps.yaml", "legal_basis: [vapenlagen]", "legal_basis: [vapenlag]")
    assert any("police.firearm_review" in p and "vapenlag" in p for p in _problems(tmp_checklists))


def test_cli_validate_reports_broken_files_without_traceback(tmp_checklists: Path) -> None:
    _edit(tmp_checklists / "domestic_violence.yaml", "id: dv.stalking", "id: dv.escalation")
    done = run_cli("checklists", "validate", "--dir", str(tmp_checklists))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr and "dv.escalation" in done.stderr


def test_cli_validate_ok() -> None:
    done = run_cli("checklists", "validate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")


def test_cli_schema_describes_the_yaml(tmp_path: Path) -> None:
    done = run_cli("checklists", "schema", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    schema = json.loads((tmp_path / "checklist.schema.json").read_text())
    assert {"id", "sections", "forms"} <= set(schema["properties"])
    item = schema["$defs"]["Item"]["properties"]
    assert item["points"]["type"] == "integer"
    assert re.search("critical", json.dumps(item["critical"]))
    assert (tmp_path / "steps.schema.json").exists() and (tmp_path / "law.schema.json").exists()


def test_committed_schemas_are_current(tmp_path: Path) -> None:
    """checklists/schema/ is what editors use to autocomplete the YAML: it must match the models."""
    run_cli("checklists", "schema", "--out", str(tmp_path))
    for fresh in tmp_path.glob("*.schema.json"):
        committed = Path(__file__).resolve().parent.parent / "checklists" / "schema" / fresh.name
        hint = "run: python -m risk checklists schema"
        assert json.loads(fresh.read_text()) == json.loads(committed.read_text()), hint


@pytest.mark.parametrize(
    ("name", "schema"),
    [(n, "checklist") for n in CANONICAL]
    + [("steps", "steps"), ("flags", "flags"), ("law", "law"), ("followup", "followup")],
)
def test_every_yaml_file_passes_its_editor_schema(name: str, schema: str) -> None:
    """What an editor checks against the committed schema agrees with what the loader accepts."""
    import jsonschema

    from risk.checklists import CHECKLIST_DIR, read_yaml

    document = read_yaml(CHECKLIST_DIR / f"{name}.yaml")
    jsonschema.validate(document, json.loads((CHECKLIST_DIR / "schema" / f"{schema}.schema.json").read_text()))
