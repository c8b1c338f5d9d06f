"""Adversarial cases written from the published instruments and Swedish law (issue: safe advice).

Each file in tests/adversarial/ is a YAML list of cases: `id`, `story` (what happened, in words),
`source` (the instrument, statute or guidance the expectation comes from), `case` (a case file of
contract.md) and `expect` (the keys of the vignette checker in tests/test_vignettes.py, plus
`assessment_reasons_include`: per `checklist:subject`, rule ids that must appear in its `level_reasons`,
and `step_persons`: per step id, person ids that must be among the step's `persons`).
The cases run in-process through `risk.assess`, so the whole set costs seconds.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from risk import assess
from tests.conftest import ROOT
from tests.test_vignettes import problems as vignette_problems

FILES = sorted((ROOT / "tests" / "adversarial").glob("*.yaml"))
REQUIRED_KEYS = {"id", "story", "source", "case", "expect"}


def _cases() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for f in FILES:
        for case in yaml.safe_load(f.read_text(encoding="utf-8")) or []:
            out.append((f"{f.stem}:{case.get('id', '?')}", case))
    return out


CASES = _cases()


def problems(result: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    bad = vignette_problems(result, expect)
    assessments = {f"{a['checklist']}:{a['subject']}": a for a in result["assessments"]}
    for key, rules in expect.get("assessment_reasons_include", {}).items():
        got = {r["rule"] for r in assessments[key]["level_reasons"]}
        bad += [f"{key}: no level reason {r}" for r in rules if r not in got]
    steps = {s["id"]: s for s in result["steps"]}
    for step, persons in expect.get("step_persons", {}).items():
        got = set(steps.get(step, {}).get("persons", []))
        bad += [f"{step}: person {p} not named" for p in persons if p not in got]
    return bad


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 60
    ids = [name for name, _ in CASES]
    assert len(ids) == len(set(ids)), "case ids are unique within a file"


@pytest.mark.parametrize("name,case", CASES, ids=[n for n, _ in CASES])
def test_case_holds(name: str, case: dict[str, Any]) -> None:
    assert set(case) >= REQUIRED_KEYS, f"{name}: needs {sorted(REQUIRED_KEYS - set(case))}"
    assert case["story"].strip() and case["source"].strip()
    result = assess(case["case"]).model_dump(mode="json")
    assert problems(result, case["expect"]) == []


def test_checker_can_fail() -> None:
    _name, case = CASES[0]
    result = assess(case["case"]).model_dump(mode="json")
    key = f"{result['assessments'][0]['checklist']}:{result['assessments'][0]['subject']}"
    assert problems(result, {"assessment_reasons_include": {key: ["rule:no_such_rule"]}}) != []
    assert problems(result, {"step_persons": {"no.such_step": ["nobody"]}}) != []
