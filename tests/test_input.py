"""Hostile and careless input to `assess` and `score`: each finding of the input review, reproduced.

Every malformed input gets exit status 2 and short messages; the Python API raises InputError with
the same messages, never a raw RecursionError, TypeError or serialisation error.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from risk import assess, score_frame
from risk.cli import main
from risk.errors import InputError
from risk.input_limits import LIMITS
from tests.conftest import dv, make_case


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The command line in-process: exit status, stdout, stderr; any exception fails the test."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assess_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | bytes) -> tuple[int, str, str]:
    path = tmp_path / "case.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    return run(capsys, "assess", str(path))


def score_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *extra: str, checklist: str = "domestic_violence"
) -> tuple[int, str, str]:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    return run(capsys, "score", str(path), "--checklist", checklist, *extra)


def api_problems(case: Any) -> list[str]:
    with pytest.raises(InputError) as err:
        assess(case).model_dump_json()
    return err.value.problems


# --- assess: structure ---------------------------------------------------------------------------


def test_deep_nesting_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = assess_file(tmp_path, capsys, '{"id":' + "[" * 100_000 + "]" * 100_000 + "}")
    assert code == 2 and out == "" and "nested more than" in err and len(err) < 500
    deep: Any = "x"
    for _ in range(5000):
        deep = [deep]
    assert "nested more than" in api_problems({**make_case(), "id": deep})[0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda c: c["assessments"][0].update(subject=["v1"]),
            "assessments[0].subject: Input should be a valid string",
        ),
        (lambda c: c["assessments"][0].update(checklist={"a": 1}), "assessments[0].checklist: Input should be a valid"),
        (lambda c: c["assessments"][0].update(agency=["police"]), "assessments[0].agency"),
        (lambda c: c["assessments"][0].update(about={"x": 1}), "assessments[0].about: Input should be a valid string"),
        (
            lambda c: c["overrides"].append({"checklist": [1], "subject": {}, "level": "high", "reason": "r"}),
            "overrides[0].checklist",
        ),
        (lambda c: c["persons"][0].update(id={"a": 1}), "persons[0].id: Input should be a valid string"),
    ],
)
def test_a_list_or_object_where_a_string_belongs(
    change: Any, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = make_case(assessments=[dv({"dv.strangulation": "yes"})])
    change(case)
    assert any(expected in p for p in api_problems(case)), api_problems(case)
    code, out, err = assess_file(tmp_path, capsys, json.dumps(case))
    assert code == 2 and out == "" and expected in err


def test_integer_of_thousands_of_digits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = json.dumps(make_case()).replace('"age": 31', '"age": ' + "9" * 5000)
    code, out, err = assess_file(tmp_path, capsys, case)
    assert code == 2 and out == "" and "persons[0].age: a number of 5000 digits" in err and len(err) < 500
    big = make_case()
    big["persons"][0]["age"] = 10**5000
    assert "persons[0].age: a number of" in api_problems(big)[0]


def test_lone_surrogate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = make_case(
        persons=[{"id": "v\ud800", "role": "victim", "age": 30}], assessments=[dv({}, subject="v\ud800", about=None)]
    )
    text = json.dumps(case)  # ensure_ascii: the surrogate is written as the escape \ud800
    code, out, err = assess_file(tmp_path, capsys, text)
    assert code == 2 and out == "" and "persons[0].id: contains a lone surrogate" in err
    assert "persons[0].id: contains a lone surrogate" in api_problems(case)[0]


def test_nan_and_infinity_are_not_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = assess_file(tmp_path, capsys, json.dumps(make_case()).replace('"age": 31', '"age": NaN'))
    assert code == 2 and "NaN is not JSON" in err


def test_byte_order_mark_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = assess_file(tmp_path, capsys, b"\xef\xbb\xbf" + json.dumps(make_case()).encode())
    assert code == 0, err


def test_case_file_size_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = make_case()
    case["note"] = "x" * LIMITS.case_bytes
    code, out, err = assess_file(tmp_path, capsys, json.dumps(case))
    assert code == 2 and out == "" and f"larger than {LIMITS.case_bytes:,} bytes" in err


def test_long_strings_are_refused_and_not_echoed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = make_case(assessments=[dv({"dv.strangulation": "x" * 50_000})])
    problems = api_problems(case)
    assert any("a text of 50,000 characters" in p for p in problems) and all(len(p) < 300 for p in problems)
    code, _out, err = assess_file(tmp_path, capsys, json.dumps(case))
    assert code == 2 and len(err) < 1000


def test_echoed_values_are_bounded() -> None:
    case = make_case(assessments=[dv({"dv.strangulation": "maybe" * 100})])
    case["persons"][0]["id"] = "p" * 5000
    problems = api_problems(case)
    assert problems and all(len(p) < 300 for p in problems), [len(p) for p in problems]


def test_counts_are_limited_and_reported_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    n = LIMITS.persons + 1
    case = make_case(persons=[{"id": f"p{i}", "role": "victim"} for i in range(n)])
    assert api_problems(case) == [f"persons: {n} persons; at most {LIMITS.persons} are allowed in one case"]


def test_many_problems_are_cut_short(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = {f"dv.nope{i}": "yes" for i in range(400)}
    problems = api_problems(make_case(assessments=[dv(answers)]))
    assert len(problems) == LIMITS.problems + 1 and problems[-1].startswith("… and 350 more problems")


def test_hostile_1mb_case_file_is_fast(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    persons = [{"id": f"p{i}", "role": "victim", "age": 30} for i in range(12_000)]
    assessments = [dv({"dv.strangulation": "yes"}, subject=f"p{i}", about=None) for i in range(3000)]
    text = json.dumps(make_case(persons=persons, assessments=assessments))
    assert len(text) > 800_000
    start = time.perf_counter()
    code, _out, err = assess_file(tmp_path, capsys, text)
    assert code == 2 and time.perf_counter() - start < 10.0 and len(err) < 2000


def test_largest_allowed_case_is_fast() -> None:
    n = LIMITS.persons
    persons = [{"id": f"p{i}", "role": "victim", "age": 30} for i in range(n)]
    assessments = [dv({"dv.strangulation": "yes"}, subject=f"p{i}", about=None) for i in range(n)]
    assessments += [dv({"dv.strangulation": "yes"}, subject=f"p{i}", about=None, agency="police") for i in range(n)]
    assert len(assessments) == LIMITS.assessments
    start = time.perf_counter()
    assess(make_case(persons=persons, assessments=assessments))
    assert time.perf_counter() - start < 10.0


# --- score: columns and separators ---------------------------------------------------------------


def test_semicolon_file_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = score_file(tmp_path, capsys, "case_ref;dv.strangulation;note\nK-1;yes;a,b\n")
    assert code == 0, err
    assert out.splitlines() == [
        "case_ref;dv.strangulation;note;score;score_max;completeness;level",
        "K-1;yes;a,b;4;65;0.0312;high",
    ]


def test_tab_and_sep_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = score_file(tmp_path, capsys, "case_ref\tdv.strangulation\nK-1\tyes\n")
    assert code == 0 and out.splitlines()[1] == "K-1\tyes\t4\t65\t0.0312\thigh"
    code, out, _err = score_file(tmp_path, capsys, "dv.strangulation|x\nyes|1\n", "--sep", "|")
    assert code == 0 and out.splitlines()[1].startswith("yes|1|4|")
    code, out, _ = score_file(tmp_path, capsys, "a\tdv.strangulation\nx\tyes\n", "--sep", "tab")
    assert code == 0 and out.splitlines()[1].startswith("x\tyes\t4")
    code, out, err = score_file(tmp_path, capsys, "a,dv.strangulation\nx,yes\n", "--sep", ";;")
    assert code == 2 and "--sep: ';;' is not a separator" in err


def test_excel_utf8_with_byte_order_mark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = score_file(tmp_path, capsys, "\ufeffdv.strangulation;ärende\nyes;Å\n")
    assert code == 0 and out.splitlines()[1] == "yes;Å;4;65;0.0312;high", err


def test_no_item_column_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = score_file(tmp_path, capsys, "a,b\n1,2\n")
    assert code == 2 and out == "" and "no column is an item of domestic_violence" in err
    with pytest.raises(InputError, match="no column is an item"):
        score_frame(pd.DataFrame({"a": ["1"]}), "domestic_violence")


def test_near_miss_columns_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = score_file(
        tmp_path, capsys, "case_ref,DV.STRANGULATION,dv_threat_to_kill, dv.stalking\nK,yes,yes,no\n"
    )
    assert code == 2 and out == ""
    assert "column 'DV.STRANGULATION': did you mean 'dv.strangulation'?" in err
    assert "column 'dv_threat_to_kill': did you mean 'dv.threat_to_kill'?" in err
    assert "column ' dv.stalking': did you mean 'dv.stalking'?" in err
    assert "case_ref" not in err


def test_typo_in_item_column_gets_a_suggestion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = score_file(tmp_path, capsys, "dv.strangulaton\nyes\n")
    assert code == 2 and "'dv.strangulaton': not an item of domestic_violence; did you mean 'dv.strangulation'?" in err


def test_columns_of_another_checklist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = score_file(tmp_path, capsys, "dv.strangulation\nyes\n", checklist="psychiatric")
    assert code == 2 and "1 column belongs to domestic_violence" in err


def test_duplicate_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = score_file(tmp_path, capsys, "dv.strangulation,dv.strangulation\nyes,no\n")
    assert code == 2 and "column 'dv.strangulation' appears 2 times" in err
    frame = pd.DataFrame([["yes", "no"]], columns=["dv.strangulation", "dv.strangulation"])
    with pytest.raises(InputError, match="appears 2 times"):
        score_frame(frame, "domestic_violence")


def test_too_many_columns_is_refused_fast(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    n = 150_000
    start = time.perf_counter()
    text = ",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("x" for _ in range(n)) + "\n"
    code, _out, err = score_file(tmp_path, capsys, text)
    assert code == 2 and "columns" in err and time.perf_counter() - start < 10.0 and len(err) < 500


def test_wide_file_of_one_repeated_name_is_refused_fast(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = time.perf_counter()
    code, _out, err = score_file(tmp_path, capsys, ",".join("a" for _ in range(LIMITS.columns)) + "\n")
    assert code == 2 and "appears" in err and time.perf_counter() - start < 10.0 and len(err) < 500


def test_csv_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("dv.strangulation;ärende\nyes;Å\n".encode("cp1252"))
    code, _out, err = run(capsys, "score", str(path), "--checklist", "domestic_violence")
    assert code == 2 and "not UTF-8" in err


def test_ragged_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = score_file(tmp_path, capsys, "dv.strangulation,a\nyes,1,2\n")
    assert code == 2 and "not a valid CSV file" in err and "line 2" in err


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = score_file(tmp_path, capsys, "")
    assert code == 2 and "empty" in err


def test_csv_size_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LIMITS, "csv_bytes", 100)
    code, _out, err = score_file(tmp_path, capsys, "dv.strangulation\n" + "yes\n" * 100)
    assert code == 2 and "larger than 100 bytes" in err


# --- score: formula cells ------------------------------------------------------------------------


def test_formula_cells_and_headers_are_neutralised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        ['=HYPERLINK("http://x")', "yes", "+1+1", "-3", "@SUM(A1)"],
        ["\tx", "no", "\rx", "-3.5", "-1+cmd|' /C calc'!A0"],
        ["ok", "", "a=b", "-3,5", "-"],
    ]
    frame = pd.DataFrame(rows, columns=["case_ref", "dv.strangulation", "=cmd()", "-2", "@x"])
    src = tmp_path / "in.csv"
    frame.to_csv(src, index=False, lineterminator="\r\n")  # so that the cell holding a CR is quoted
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "score", str(src), "--checklist", "domestic_violence", "-o", str(out))
    assert code == 0, err
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got.columns)[:5] == ["case_ref", "dv.strangulation", "'=cmd()", "-2", "'@x"]
    assert got.iloc[:, 0].tolist() == ['\'=HYPERLINK("http://x")', "'\tx", "ok"]
    assert got.iloc[:, 2].tolist() == ["'+1+1", "'\rx", "a=b"]
    assert got.iloc[:, 3].tolist() == ["-3", "-3.5", "-3,5"]
    assert got.iloc[:, 4].tolist() == ["'@SUM(A1)", "'-1+cmd|' /C calc'!A0", "'-"]
    code, stdout, err = run(capsys, "score", str(src), "--checklist", "domestic_violence")
    assert code == 0 and stdout.splitlines()[1].startswith("\"'=HYPERLINK")


# --- score -o: where the result is written ------------------------------------------------------


def test_output_refuses_symlink_and_device(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.csv"
    src.write_text("dv.strangulation\nyes\n")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.csv"
    link.symlink_to(victim)
    code, _, err = run(capsys, "score", str(src), "--checklist", "domestic_violence", "-o", str(link))
    assert code == 2 and "symbolic link" in err and victim.read_text() == "keep me" and link.is_symlink()
    code, _, err = run(capsys, "score", str(src), "--checklist", "domestic_violence", "-o", os.devnull)
    assert code == 2 and "not a regular file" in err
    code, _out, err = run(capsys, "score", str(src), "--checklist", "domestic_violence", "-o", str(tmp_path))
    assert code == 2 and "not a regular file" in err


def test_output_replaces_a_regular_file_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.csv"
    src.write_text("dv.strangulation\nyes\n")
    code, _out, err = run(capsys, "score", str(src), "--checklist", "domestic_violence", "-o", str(src))
    assert code == 0, err
    assert src.read_text().splitlines() == [
        "dv.strangulation,score,score_max,completeness,level",
        "yes,4,65,0.0312,high",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_output_folder_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.csv"
    src.write_text("dv.strangulation\nyes\n")
    code, _out, err = run(
        capsys, "score", str(src), "--checklist", "domestic_violence", "-o", str(tmp_path / "no" / "x.csv")
    )
    assert code == 2 and "does not exist" in err


def test_an_internal_fault_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import risk.engine

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(risk.engine, "assess", broken)
    monkeypatch.delenv("SAMRISK_DEBUG", raising=False)
    code, out, err = assess_file(tmp_path, capsys, json.dumps(make_case()))
    assert (
        code == 1
        and out == ""
        and err == "error: internal error (KeyError); please report it with the command you ran\n"
    )


def test_neutralising_a_wide_table_is_fast() -> None:
    """Per-column pandas calls took about 100 s for 2,000 columns (found while measuring)."""
    from risk.batch import neutralise_formulas

    frame = pd.DataFrame([["=x"] * LIMITS.columns] * 20, columns=[f"c{i}" for i in range(LIMITS.columns)])
    start = time.perf_counter()
    out = neutralise_formulas(frame)
    assert time.perf_counter() - start < 30.0
    assert out.iloc[0, 0] == "'=x" and out.iloc[19, -1] == "'=x" and list(out.columns) == list(frame.columns)


def test_a_long_quoted_cell_in_the_first_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The header is sniffed from the first 256 KiB; a cell that runs past them is pandas' to read."""
    code, out, err = score_file(tmp_path, capsys, 'note,dv.strangulation\n"' + "x," * 200_000 + '",yes\n')
    assert code == 0 and out.splitlines()[1].endswith(",yes,4,65,0.0312,high"), err


def test_one_passthrough_column_of_formulas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One text column came back from pandas as a read-only array (found by benchmarks/hostile_input.py)."""
    code, out, err = score_file(tmp_path, capsys, "note,dv.strangulation\n" + "=1+1,yes\n" * 3)
    assert code == 0, err
    assert out.splitlines()[1:] == ["'=1+1,yes,4,65,0.0312,high"] * 3
