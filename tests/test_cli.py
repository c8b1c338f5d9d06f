"""The command line as a user meets it: results on stdout, problems on stderr with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import dv, make_case, run_cli


def test_assess_reads_a_file_and_stdin(tmp_path: Path) -> None:
    case = make_case(assessments=[dv({"dv.strangulation": "yes"})])
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    from_file = run_cli("assess", str(path))
    from_stdin = run_cli("assess", "-", stdin=json.dumps(case))
    assert from_file.returncode == from_stdin.returncode == 0
    assert json.loads(from_file.stdout) == json.loads(from_stdin.stdout)
    result = json.loads(from_file.stdout)
    assert result["overall_level"] == "high"
    assert result["notice"]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("{not json", ["not valid JSON at line 1"]),
        ("[]", ["expected a JSON object"]),
        (json.dumps({"context": "patrol"}), ["context: Input should be 'police_intake'"]),
        (
            json.dumps(make_case(assessments=[{"checklist": "dv", "subject": "v1", "answers": {}}])),
            ["assessments[0].checklist: unknown checklist 'dv'; allowed: domestic_violence"],
        ),
        (
            json.dumps(make_case(assessments=[dv({"dv.strangulation": "maybe"})])),
            ["assessments[0].answers.dv.strangulation: Input should be 'yes', 'no' or 'unknown' (got 'maybe')"],
        ),
        (
            json.dumps(make_case(assessments=[dv({"dv.choking": "yes"})])),
            ["assessments[0].answers.dv.choking: not an item of domestic_violence"],
        ),
        (json.dumps(make_case(assessments=[dv({}, subject="x9")])), ["assessments[0].subject: unknown person 'x9'"]),
        (
            json.dumps(
                make_case(
                    assessments=[dv({})],
                    overrides=[{"checklist": "domestic_violence", "subject": "v1", "level": "severe", "reason": ""}],
                )
            ),
            ["overrides[0].reason: write why"],
        ),
        (json.dumps(make_case(persons=[{"id": "v1", "role": "victim", "age": -3}])), ["persons[0].age"]),
    ],
)
def test_bad_input_exit_2_one_line_per_problem(case: str, expected: list[str]) -> None:
    done = run_cli("assess", "-", stdin=case)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    for text in expected:
        assert text in done.stderr, done.stderr


def test_every_problem_is_reported_at_once() -> None:
    case = make_case(assessments=[dv({"dv.strangulation": "maybe", "dv.nope": "yes"}, subject="x9")])
    case["context"] = "patrol"
    done = run_cli("assess", "-", stdin=json.dumps(case))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 4, lines
    assert all(line.startswith("error: ") for line in lines)


def test_missing_file() -> None:
    done = run_cli("assess", "no/such/case.json")
    assert done.returncode == 2 and "cannot be read" in done.stderr and done.stdout == ""


def _csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "in.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_score_adds_columns_and_passes_others_through(tmp_path: Path) -> None:
    src = _csv(
        tmp_path,
        [
            {"case_ref": "K-1", "dv.strangulation": "yes", "dv.stalking": "", "note": "007"},
            {"case_ref": "K-2", "dv.strangulation": "unknown", "dv.stalking": "no", "note": ""},
        ],
    )
    out = tmp_path / "out.csv"
    done = run_cli("score", str(src), "--checklist", "domestic_violence", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got.columns) == [
        "case_ref",
        "dv.strangulation",
        "dv.stalking",
        "note",
        "score",
        "score_max",
        "completeness",
        "level",
    ]
    assert got["note"].tolist() == ["007", ""]
    assert got["level"].tolist() == ["high", "low"]
    assert got["score"].tolist() == ["4", "0"]


def test_score_to_stdout(tmp_path: Path) -> None:
    src = _csv(tmp_path, [{"dv.threat_to_kill": "yes", "dv.escalation": "yes"}])
    done = run_cli("score", str(src), "--checklist", "domestic_violence")
    assert done.returncode == 0
    assert done.stdout.splitlines()[1].endswith(",severe")


def test_score_bad_values_name_column_and_line_and_write_nothing(tmp_path: Path) -> None:
    src = _csv(tmp_path, [{"dv.strangulation": "yes"}, {"dv.strangulation": "Ja"}, {"dv.strangulation": "no"}])
    out = tmp_path / "out.csv"
    done = run_cli("score", str(src), "--checklist", "domestic_violence", "-o", str(out))
    assert done.returncode == 2
    assert "column 'dv.strangulation', line 3: 'Ja' is not an answer" in done.stderr
    assert not out.exists() and list(tmp_path.glob(".out.csv*")) == []


def test_score_unknown_checklist_and_item_column(tmp_path: Path) -> None:
    src = _csv(tmp_path, [{"dv.strangulaton": "yes"}])
    assert "unknown checklist 'dvx'" in run_cli("score", str(src), "--checklist", "dvx").stderr
    done = run_cli("score", str(src), "--checklist", "domestic_violence")
    assert done.returncode == 2 and "'dv.strangulaton': not an item" in done.stderr


def test_score_malformed_csv(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text('a,b\n"unterminated,1\n')
    done = run_cli("score", str(bad), "--checklist", "domestic_violence")
    assert done.returncode == 2 and "not a valid CSV" in done.stderr and done.stdout == ""
