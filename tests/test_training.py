"""Practice cases (training/*.yaml): every file loads, every expert answer agrees with the engine's own result on
the same answers, and the feedback on a trainee's work says what they missed, point by point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from risk.checklists import default_checklists
from risk.errors import ChecklistError
from risk.training import (
    NO_SHARING,
    TRAINING_DIR,
    PracticeCase,
    TraineeWork,
    consistency_problems,
    default_training,
    expert_work,
    feedback,
    load_training,
    training_schema,
)
from risk.vocabulary import Answer, Context, RiskLevel
from tests.conftest import run_cli

LIBRARY = default_training()
CASES = sorted(LIBRARY.cases)


def case(case_id: str) -> PracticeCase:
    return LIBRARY.cases[case_id]


def test_committed_schema_is_current() -> None:
    committed = json.loads((TRAINING_DIR / "schema" / "training.schema.json").read_text())
    assert committed == training_schema(), "run: python -m risk training schema"


def test_every_file_names_its_schema() -> None:
    files = list(TRAINING_DIR.glob("*.yaml"))
    assert files
    for path in files:
        assert path.read_text().startswith("# yaml-language-server: $schema=schema/training.schema.json"), path.name


@pytest.mark.parametrize("case_id", CASES)
def test_expert_answer_agrees_with_the_engine(case_id: str) -> None:
    assert consistency_problems(case(case_id)) == []


@pytest.mark.parametrize("case_id", CASES)
def test_expert_work_scores_full_marks(case_id: str) -> None:
    got = feedback(case(case_id), expert_work(case(case_id)))
    assert got.score == 100, [p for p in got.points if not p.ok]


@pytest.mark.parametrize("case_id", CASES)
def test_case_is_labelled_synthetic_and_bilingual(case_id: str) -> None:
    c = case(case_id)
    assert c.synthetic is True and "synthetic" in c.label.en.lower() and "syntetiskt" in c.label.sv.lower()
    texts = [c.title, c.story, c.default_response.says, *(r.says for r in c.responses.values())]
    texts += [c.expert.level.why, c.expert.sharing.why, *(p.why for p in c.expert.critical_items)]
    for text in texts:
        assert text.sv.strip() and text.en.strip() and text.sv != text.en


def test_a_broken_file_names_every_problem(tmp_path: Path) -> None:
    raw = yaml.safe_load((TRAINING_DIR / "police_intake.yaml").read_text())
    bad = raw["cases"][0]
    bad["assessment"]["subject"] = "x9"
    bad["responses"]["psy.no_such_item"] = bad["responses"]["dv.strangulation"]
    bad["expert"]["must_not_miss"][0]["step"] = "police.no_such_step"
    bad["expert"]["sharing"]["accepted"] = ["no_such_law"]
    bad["expert"]["level"]["sources"] = ["guidance:no.such", "wikipedia"]
    bad["label"]["en"] = "Practice case"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(ChecklistError) as e:
        load_training(tmp_path)
    assert "label" in str(e.value) and "synthetic" in str(e.value)
    bad["label"]["en"] = "Synthetic practice case"
    twice = yaml.safe_load((TRAINING_DIR / "police_intake.yaml").read_text())["cases"][1]
    twice["persons"].append(dict(twice["persons"][0]))  # the same person id twice: not a valid case file
    raw["cases"].append(twice)
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(ChecklistError) as e:
        load_training(tmp_path)
    text = str(e.value)
    assert f"case {twice['id']}: as a case file:" in text
    for needle in ("'x9'", "psy.no_such_item", "police.no_such_step", "no_such_law", "guidance:no.such", "wikipedia"):
        assert needle in text, needle


def test_contexts_children_unknowns_overrides_and_sharing_without_consent_are_covered() -> None:
    cases = list(LIBRARY.cases.values())
    assert len(cases) >= 24
    contexts = {c.context for c in cases}
    for ctx in ("police_intake", "emergency_department", "dental_care", "psychiatry", "social_services"):
        assert Context(ctx) in contexts, ctx
    assert Context.case_conference in contexts
    tags = {t for c in cases for t in c.tags}
    assert {"children", "unknowns", "override", "sharing_without_consent"} <= tags
    assert any(c.expert.override is not None for c in cases)
    assert any(any(r.answer is Answer.unknown for r in c.responses.values()) for c in cases)


# --- feedback with known answers -----------------------------------------------------------------------------------

STRANGULATION = "police_strangulation_children"


def test_feedback_names_a_missed_critical_item_and_a_missed_step() -> None:
    c = case(STRANGULATION)
    work = expert_work(c)
    answers = dict(work.answers)
    del answers["dv.strangulation"]  # never asked
    got = feedback(
        c,
        TraineeWork(
            asked=[i for i in work.asked if i != "dv.strangulation"],
            answers=answers,
            sharing=work.sharing,
            steps=["police.protect_victim"],
        ),
    )
    missed = {(p.kind, p.item or p.step) for p in got.missed}
    assert ("critical_item", "dv.strangulation") in missed
    assert ("step", "police.child_concern_report") in missed
    assert got.score < 100
    # Without strangulation, the computed level is still severe (fear and separation): the level point holds.
    assert next(p for p in got.points if p.kind == "level").ok


def test_feedback_unknown_recorded_as_no_is_wrong() -> None:
    c = case(STRANGULATION)
    work = expert_work(c)
    answers = {**work.answers, "dv.weapon_access": Answer.no}
    got = feedback(c, work.model_copy(update={"answers": answers}))
    point = next(p for p in got.points if p.item == "dv.weapon_access")
    assert not point.ok and point.expected == "unknown" and point.given == "no"


def test_feedback_level_outside_the_range_and_why() -> None:
    c = case(STRANGULATION)
    work = expert_work(c).model_copy(update={"override_level": RiskLevel.moderate, "override_reason": "seems calm"})
    got = feedback(c, work)
    level = next(p for p in got.points if p.kind == "level")
    assert not level.ok and level.given == "moderate" and level.expected == "severe-severe"
    assert level.why is not None and "severe" in level.why.en.lower()
    override = next(p for p in got.points if p.kind == "override")
    assert not override.ok and override.given == "moderate"
    assert got.final_level is RiskLevel.moderate and got.computed_level is RiskLevel.severe


def test_feedback_sharing_route_right_and_wrong() -> None:
    c = case(STRANGULATION)
    work = expert_work(c)
    right = feedback(c, work)
    assert next(p for p in right.points if p.kind == "sharing").ok
    for wrong in ("osl_12_2", NO_SHARING, None):
        got = feedback(c, work.model_copy(update={"sharing": wrong}))
        point = next(p for p in got.points if p.kind == "sharing")
        assert not point.ok and point.given == wrong and point.expected == "sol_concern_report"
        assert got.score < right.score


def test_feedback_score_is_the_weighted_share() -> None:
    c = case(STRANGULATION)
    got = feedback(c, TraineeWork())
    earned = sum(p.weight for p in got.points if p.ok)
    assert got.score == round(100 * earned / sum(p.weight for p in got.points))
    assert got.score < 50
    assert {p.kind for p in got.missed} >= {"critical_item", "sharing", "step"}


def test_expert_answers_cover_the_whole_form() -> None:
    cls = default_checklists()
    for c in LIBRARY.cases.values():
        assert set(c.expert_answers(cls)) == set(c.form_items(cls)), c.id


def test_feedback_names_a_question_that_was_not_needed() -> None:
    c = case("primary_care_elderly_mother")
    work = expert_work(c)
    assert next(p for p in feedback(c, work).points if p.kind == "not_needed").ok
    asked = work.model_copy(
        update={
            "asked": [*work.asked, "dv.pregnancy_or_infant"],
            "answers": {**work.answers, "dv.pregnancy_or_infant": Answer.no},
        }
    )
    got = feedback(c, asked)
    point = next(p for p in got.points if p.kind == "not_needed")
    assert not point.ok and point.item == "dv.pregnancy_or_infant" and point.given == "asked"
    assert got.score < 100


def test_feedback_an_override_where_none_is_expected_is_wrong_and_one_that_is_expected_is_missed() -> None:
    c = case("psychiatry_old_attempt_lower")
    work = expert_work(c)
    kept = feedback(c, work.model_copy(update={"override_level": None}))
    assert not next(p for p in kept.points if p.kind == "override").ok
    assert not next(p for p in kept.points if p.kind == "level").ok  # high, the computed level, is outside low-moderate
    assert kept.computed_level is RiskLevel.high
    d = case("dental_broken_tooth")
    raised = feedback(d, expert_work(d).model_copy(update={"override_level": RiskLevel.high}))
    override = next(p for p in raised.points if p.kind == "override")
    assert not override.ok and override.expected is None and override.given == "high"
    assert next(p for p in raised.points if p.kind == "level").ok  # high is within moderate-high, still


def test_the_library_orders_cases_by_the_focus_items_they_cover() -> None:
    ordered = LIBRARY.covering(["psy.firearm_access", "psy.psychosis_signs"])
    assert ordered[0].id == "psychiatry_hunter_psychosis"
    assert ordered[0].covers(["psy.firearm_access", "psy.psychosis_signs"]) == 2
    assert ordered[-1].covers(["psy.firearm_access", "psy.psychosis_signs"]) == 0


def test_a_practice_case_is_a_valid_engine_case_and_marked_synthetic() -> None:
    c = case(STRANGULATION)
    engine_case = c.engine_case(c.expert_answers(default_checklists()))
    assert engine_case.synthetic is True and engine_case.note == "synthetic practice case"
    assert [a.checklist for a in engine_case.assessments] == ["domestic_violence"]


def test_the_command_line_validates_and_finds_a_disagreement(tmp_path: Path) -> None:
    got = run_cli("training", "validate")
    assert got.returncode == 0 and got.stdout.strip().endswith("ok"), got.stderr
    raw = yaml.safe_load((TRAINING_DIR / "police_intake.yaml").read_text())
    raw["cases"][0]["expert"]["level"]["max"] = "high"  # the engine says severe: one of them is wrong
    raw["cases"][0]["expert"]["level"]["min"] = "moderate"
    (tmp_path / "x.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    got = run_cli("training", "validate", "--dir", str(tmp_path))
    assert got.returncode == 1 and "outside the expert range moderate-high" in got.stderr


def test_results_by_case_give_median_lowest_and_the_points_most_missed() -> None:
    from risk.training import results_by_case

    c = case(STRANGULATION)
    full = feedback(c, expert_work(c))
    no_step = feedback(c, expert_work(c).model_copy(update={"steps": ["police.protect_victim"]}))
    nothing = feedback(c, TraineeWork())
    other = feedback(case("dental_broken_tooth"), expert_work(case("dental_broken_tooth")))
    got = results_by_case([full, no_step, nothing, other])
    assert [r.case_id for r in got] == [STRANGULATION, "dental_broken_tooth"]
    first = got[0]
    assert first.attempts == 3 and first.lowest == nothing.score and first.median == no_step.score
    assert first.most_missed[0] == ("step", "police.child_concern_report", 2)
    assert got[1].most_missed == [] and got[1].median == 100


def test_trainee_work_is_bounded() -> None:
    from pydantic import ValidationError

    from risk.training import MAX_REASON_CHARS

    with pytest.raises(ValidationError):
        TraineeWork(override_reason="x" * (MAX_REASON_CHARS + 1))
    with pytest.raises(ValidationError):
        TraineeWork(steps=["police.protect_victim"] * 501)
