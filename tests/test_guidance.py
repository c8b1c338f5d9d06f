"""Guidance as data (knowledge/): every file loads, every link resolves, both languages, search, review document."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from risk import content_review
from risk.checklists import default_checklists
from risk.errors import ChecklistError
from risk.guidance import (
    KNOWLEDGE_DIR,
    REQUIRED_TOPICS,
    Library,
    Topic,
    default_library,
    guidance_for_step,
    guidance_schema,
    links,
    load_library,
    search,
)
from risk.rules import default_rules
from risk.vocabulary import Context
from tests.conftest import run_cli

SETTINGS = [
    "police_intake",
    "emergency_department",
    "ambulance",
    "primary_care",
    "dental_care",
    "psychiatry",
    "child_adolescent_psychiatry",
    "antenatal_child_health",
    "addiction_care",
    "social_services",
]


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def test_every_setting_of_issue_10_is_a_context_with_a_guidance_file(library: Library) -> None:
    assert {c.value for c in library.settings} == set(SETTINGS)
    assert set(SETTINGS) <= {c.value for c in Context}


@pytest.mark.parametrize("setting", SETTINGS)
def test_each_setting_covers_every_topic_with_entries_of_that_topic(library: Library, setting: str) -> None:
    for topic in REQUIRED_TOPICS:
        entries = library.for_setting(setting, topic)
        assert entries, f"{setting} has no guidance on {topic}"
        assert all(e.topic is topic for e in entries)


@pytest.mark.parametrize("setting", SETTINGS)
def test_each_new_context_has_a_short_form_in_every_checklist(setting: str) -> None:
    """The form a context asks decides what is asked: every setting asks something of every checklist."""
    for checklist in default_checklists().values():
        form = checklist.form_for(Context(setting))
        assert checklist.form_items(Context(setting)), f"{checklist.id} asks nothing in {setting}"
        if setting in ("antenatal_child_health", "addiction_care", "dental_care", "primary_care"):
            assert form.id == "short"


def test_each_setting_names_every_checklist_once_and_a_misspelt_one_is_refused(
    library: Library, tmp_path: Path
) -> None:
    for setting, gf in library.settings.items():
        assert sorted(gf.checklists) == sorted(default_checklists()), setting
    folder = _copy_knowledge(tmp_path)
    path = folder / "dental_care.yaml"
    path.write_text(path.read_text().replace("checklists: [domestic_violence,", "checklists: [domestic_violense,"))
    with pytest.raises(ChecklistError) as e:
        load_library(folder)
    assert "dental_care.yaml: checklists: unknown checklist 'domestic_violense'" in e.value.problems


def test_both_languages_are_complete_and_differ(library: Library) -> None:
    for entry in library.entries.values():
        texts = [entry.title, entry.summary, *entry.points, *([entry.to_confirm] if entry.to_confirm else [])]
        for text in texts:
            assert text.sv.strip() and text.en.strip(), entry.id
        assert entry.title.sv != entry.title.en or entry.title.sv in ("Barnahus",), entry.id
        assert entry.summary.sv != entry.summary.en, entry.id
        assert bool(entry.keywords.sv) == bool(entry.keywords.en), entry.id


def test_every_entry_has_a_source_and_a_checked_date(library: Library) -> None:
    for entry in library.entries.values():
        assert entry.sources
        assert entry.checked.by.strip()
        for src in entry.sources:
            assert src.url or src.reference
            if src.kind == "not_verified":  # a fact without a source says what must be confirmed
                assert entry.to_confirm is not None, entry.id


def test_a_phone_number_appears_only_where_a_source_gives_it(library: Library) -> None:
    """Never an invented number: the only numbers are 112 and CVE's line, read at cve.se."""
    import re

    for entry in library.entries.values():
        for text in [entry.summary, *entry.points]:
            for lang in ("sv", "en"):
                for number in re.findall(r"\b0\d[\d -]{5,}\d\b", text(lang)):
                    assert number == "08-527 44 290", (entry.id, number)
                    assert any(s.url == "https://cve.se/stod/stodtelefon.html" for s in entry.sources)


def test_every_step_and_every_item_links_to_guidance_that_exists(library: Library) -> None:
    found = links()
    steps = {s.id for s in default_rules().steps.steps}
    items = {i for cl in default_checklists().values() for i in cl.items}
    assert len(found) == len(steps) + len(items)
    for where, ids in found.items():
        assert ids, f"{where}: no guidance"
        assert all(i in library.entries for i in ids), where


def test_guidance_for_a_step_is_what_steps_yaml_says() -> None:
    assert guidance_for_step("healthcare.suicide_safety_plan") == ["mental.safety_plan"]
    assert guidance_for_step("no.such_step") == []


def _copy_knowledge(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


def test_a_broken_file_stops_loading_with_the_file_entry_and_field(tmp_path: Path) -> None:
    folder = _copy_knowledge(tmp_path)
    path = folder / "physical_care.yaml"
    raw = yaml.safe_load(path.read_text())
    del raw["entries"][0]["title"]["en"]
    raw["entries"][1]["sources"] = []
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(ChecklistError) as e:
        load_library(folder, check_links=False)
    text = "\n".join(e.value.problems)
    assert "physical_care.yaml: entries[care.strangulation].title.en: required field is missing" in text
    assert "entries[care.sexual_violence].sources" in text


def test_an_unknown_entry_in_a_reading_list_and_a_missing_topic_are_named(tmp_path: Path) -> None:
    folder = _copy_knowledge(tmp_path)
    path = folder / "dental_care.yaml"
    raw = yaml.safe_load(path.read_text())
    raw["topics"]["physical_care"] = ["care.no_such_entry"]
    del raw["topics"]["mental_care"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(ChecklistError) as e:
        load_library(folder, check_links=False)
    assert "dental_care.yaml: topics.physical_care: unknown entry 'care.no_such_entry'" in e.value.problems
    assert "dental_care.yaml: topics: give entries for mental_care" in e.value.problems


def test_a_missing_setting_file_is_named(tmp_path: Path) -> None:
    folder = _copy_knowledge(tmp_path)
    (folder / "addiction_care.yaml").unlink()
    with pytest.raises(ChecklistError) as e:
        load_library(folder, check_links=False)
    assert any("no setting file for addiction_care" in p for p in e.value.problems)


def test_a_link_to_an_entry_that_does_not_exist_stops_loading(tmp_path: Path, library: Library) -> None:
    folder = _copy_knowledge(tmp_path)
    (folder / "mental_health.yaml").unlink()  # mental.* entries gone: steps and items that link to them break
    with pytest.raises(ChecklistError) as e:
        load_library(folder)
    step = "steps.yaml: steps[healthcare.suicide_safety_plan].guidance"
    assert f"{step}: unknown guidance entry 'mental.safety_plan'" in e.value.problems
    assert any(p.startswith("psychiatric.yaml: items[psy.suicide_plan].help.guidance") for p in e.value.problems)


# ---- search ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "lang", "first"),
    [
        ("strypning", "sv", "care.strangulation"),
        ("strangulation", "en", "care.strangulation"),
        ("struptag", "sv", "care.strangulation"),
        ("PEP", "en", "care.sexual_violence"),
        ("akut p-piller", "sv", "care.sexual_violence"),
        ("våldtäkt", "sv", "care.sexual_violence"),
        ("Barnahus", "sv", "care.child_abuse_barnahus"),
        ("tolk", "sv", "ask.privately"),
        ("interpreter", "en", "ask.privately"),
        ("sekretessmarkering", "sv", "staff.protected_data"),
        ("rättsintyg", "sv", "doc.forensic_certificate"),
        ("forensic certificate", "en", "doc.forensic_certificate"),
        ("säkerhetsplan suicid", "sv", "mental.safety_plan"),
        ("tandläkare", "sv", "dental.signs_and_duties"),
        ("gravid", "sv", "mvc.ask_pregnant"),
        ("STRYPNING", "sv", "care.strangulation"),
    ],
)
def test_search_puts_the_right_entry_first(library: Library, query: str, lang: str, first: str) -> None:
    hits = search(query, lang, library)
    assert hits and hits[0].entry.id == first, [h.entry.id for h in hits]


def test_search_is_in_the_language_asked(library: Library) -> None:
    assert search("strangulation", "sv", library) == []  # an English word is not in the Swedish texts
    assert search("strypning", "en", library) == []


def test_every_word_must_match_and_ranking_is_stable(library: Library) -> None:
    assert search("strypning hiv", "sv", library) == []
    assert search("", "sv", library) == [] and search("  ,. ", "en", library) == []
    once = [h.entry.id for h in search("våld", "sv", library)]
    assert once == [h.entry.id for h in search("våld", "sv", library)]
    scores = [h.score for h in search("våld", "sv", library)]
    assert scores == sorted(scores, reverse=True)


def test_an_inflected_word_finds_its_base_form(library: Library) -> None:
    assert search("strypningen", "sv", library)[0].entry.id == "care.strangulation"
    assert search("tolkar", "sv", library)[0].entry.id == "ask.privately"


def test_a_compound_word_finds_its_part(library: Library) -> None:
    """Swedish joins words: a query for the part finds the compound."""
    assert "staff.protected_data" in [h.entry.id for h in search("folkbokföring", "sv", library)]


# ---- command line, schema, review document ------------------------------------------------------------------


def test_cli_search_validate_and_errors() -> None:
    got = run_cli("guidance", "search", "strypning")
    assert got.returncode == 0 and got.stdout.splitlines()[0] == "care.strangulation\tEfter strypning"
    got = run_cli("guidance", "search", "strangulation", "--lang", "en")
    assert got.returncode == 0 and got.stdout.startswith("care.strangulation\tAfter strangulation")
    got = run_cli("guidance", "validate")
    assert got.returncode == 0 and got.stdout.strip().endswith("ok")
    got = run_cli("guidance", "search")
    assert got.returncode == 2 and got.stdout == "" and "give the words to search for" in got.stderr


def test_committed_schema_is_current() -> None:
    committed = json.loads((KNOWLEDGE_DIR / "schema" / "guidance.schema.json").read_text())
    assert committed == guidance_schema(), "run: python -m risk guidance schema"


def test_every_yaml_file_names_its_schema() -> None:
    for path in KNOWLEDGE_DIR.glob("*.yaml"):
        assert path.read_text().startswith("# yaml-language-server: $schema=schema/guidance.schema.json"), path.name


def test_review_document_is_current_and_names_every_content_file() -> None:
    doc = content_review.DOC_PATH.read_text()
    assert doc == content_review.default_document(), "run: python -m risk guidance review --out docs/content_review.md"
    for path in [*KNOWLEDGE_DIR.glob("*.yaml"), *(KNOWLEDGE_DIR.parent / "checklists").glob("*.yaml")]:
        if path.name != "review.yaml":
            assert f"`{path.parent.name}/{path.name}`" in doc
    assert "| `checklists/law.yaml` | legal provisions | a lawyer |" in doc
    assert "| `knowledge/physical_care.yaml` | guidance: Physical care needs that are easy to miss | a physician" in doc


def test_a_content_file_without_a_reviewer_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "checklists"
    folder.mkdir()
    shutil.copy(KNOWLEDGE_DIR.parent / "checklists" / "review.yaml", folder)
    for name in content_review.load_registry().files:
        (folder / name).write_text("{}\n")
    (folder / "new_rules.yaml").write_text("{}\n")
    with pytest.raises(ChecklistError) as e:
        content_review.load_registry(folder)
    assert e.value.problems == ["review.yaml: files: add new_rules.yaml (who must confirm it?)"]


def test_the_default_library_is_the_one_on_disk() -> None:
    assert set(default_library().entries) == set(load_library().entries)
    assert {t.value for t in Topic} >= {t.value for t in REQUIRED_TOPICS}


def test_checklists_validate_names_a_step_or_item_link_that_does_not_resolve(tmp_checklists: Path) -> None:
    steps = tmp_checklists / "steps.yaml"
    steps.write_text(steps.read_text().replace("guidance: [mental.safety_plan]", "guidance: [mental.safety_plans]"))
    dv = tmp_checklists / "domestic_violence.yaml"
    dv.write_text(dv.read_text().replace("guidance: [care.strangulation,", "guidance: [care.strangle,", 1))
    done = run_cli("checklists", "validate", "--dir", str(tmp_checklists))
    assert done.returncode == 2 and done.stdout == ""
    step = "steps.yaml: steps[healthcare.suicide_safety_plan].guidance"
    assert f"error: {step}: unknown guidance entry 'mental.safety_plans'" in done.stderr.splitlines()
    assert "domestic_violence.yaml: items[dv.strangulation].help.guidance: unknown guidance entry 'care.strangle'" in (
        done.stderr
    )
