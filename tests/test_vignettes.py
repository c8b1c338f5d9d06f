"""Every vignette of the domain material holds when run through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, run_cli

LEVELS = ["low", "moderate", "high", "severe"]
VIGNETTES = sorted((ROOT / "tests" / "vignettes").glob("*.json"))
SHARED = ROOT.parent / "shared" / "domain" / "vignettes"


def rank(level: str) -> int:
    return LEVELS.index(level)


def problems(result: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    bad: list[str] = []
    steps = {s["id"]: s for s in result["steps"]}
    flags = {f["id"] for f in result["flags"]}
    assessments = {f"{a['checklist']}:{a['subject']}": a for a in result["assessments"]}
    required = [(r["checklist"], r["subject"]) for r in result["required_checklists"]]
    overall = result["overall_level"]
    if "overall_level_at_least" in expect and rank(overall) < rank(expect["overall_level_at_least"]):
        bad.append(f"overall {overall}")
    if "overall_level_at_most" in expect and rank(overall) > rank(expect["overall_level_at_most"]):
        bad.append(f"overall {overall}")
    for key, bounds in expect.get("assessment_levels", {}).items():
        level = assessments[key]["level"]
        if "at_least" in bounds and rank(level) < rank(bounds["at_least"]):
            bad.append(f"{key} {level}")
        if "at_most" in bounds and rank(level) > rank(bounds["at_most"]):
            bad.append(f"{key} {level}")
    for key, fields in expect.get("assessment_fields", {}).items():
        a = assessments[key]
        for field, value in fields.items():
            if field.endswith("_at_most"):
                ok = a[field[: -len("_at_most")]] <= value
            elif field.endswith("level_at_least"):
                ok = rank(a[field[: -len("_at_least")]]) >= rank(value)
            elif field.endswith("_at_least"):
                ok = a[field[: -len("_at_least")]] >= value
            else:
                ok = a[field] == value
            if not ok:
                bad.append(f"{key}.{field}")
    bad += [f"missing flag {f}" for f in expect.get("flags_include", []) if f not in flags]
    bad += [f"unexpected flag {f}" for f in expect.get("flags_exclude", []) if f in flags]
    bad += [f"missing step {s}" for s in expect.get("steps_include", []) if s not in steps]
    bad += [f"unexpected step {s}" for s in expect.get("steps_exclude", []) if s in steps]
    bad += [f"none of {g}" for g in expect.get("steps_include_any", []) if not any(s in steps for s in g)]
    for step, fields in expect.get("step_fields", {}).items():
        bad += [f"{step}.{k}" for k, v in fields.items() if steps.get(step, {}).get(k) != v]
    bad += [
        f"missing {r}"
        for r in expect.get("required_checklists_include", [])
        if (r["checklist"], r["subject"]) not in required
    ]
    bad += [
        f"unexpected {r}"
        for r in expect.get("required_checklists_exclude", [])
        if (r["checklist"], r["subject"]) in required
    ]
    if not result.get("notice"):
        bad.append("no notice")
    return bad


def test_vignettes_are_current() -> None:
    """The copies in tests/ are those of the shared domain material, where it is present."""
    if not SHARED.exists():
        pytest.skip("../shared/domain/vignettes is not beside this checkout")
    for f in SHARED.glob("*.json"):
        assert json.loads(f.read_text()) == json.loads((ROOT / "tests" / "vignettes" / f.name).read_text()), f.name


@pytest.mark.parametrize("path", VIGNETTES, ids=[p.stem for p in VIGNETTES])
def test_vignette_holds(path: Path, tmp_path: Path) -> None:
    vignette = json.loads(path.read_text())
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(vignette["case"]))
    done = run_cli("assess", str(case_file))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert problems(json.loads(done.stdout), vignette["expect"]) == []


def test_checker_can_fail() -> None:
    """The checker above is not vacuous: a wrong expectation is reported."""
    vignette = json.loads(VIGNETTES[0].read_text())
    result = json.loads(run_cli("assess", "-", stdin=json.dumps(vignette["case"])).stdout)
    assert problems(result, {"overall_level_at_most": "low", "steps_include": ["no.such_step"]}) != []
