"""Batch scoring agrees with single assessments and keeps every other column."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from risk import assess, score_frame
from risk.checklists import default_checklists
from risk.errors import InputError
from tests.conftest import ROOT, make_case, run_cli


@pytest.mark.parametrize("checklist", ["domestic_violence", "psychiatric", "child_welfare", "criminal_network"])
def test_random_rows_match_assess(checklist: str) -> None:
    cl = default_checklists()[checklist]
    rng = np.random.default_rng(7)
    ids = list(cl.items)
    values = rng.choice(["yes", "no", "unknown", ""], size=(300, len(ids)), p=[0.2, 0.5, 0.15, 0.15])
    df = pd.DataFrame(values, columns=ids)
    scored = score_frame(df, checklist, context="emergency_department")
    for n, row in enumerate(values[:300]):
        answers = {i: v for i, v in zip(ids, row, strict=True) if v}
        case = make_case(
            context="emergency_department",
            persons=[{"id": "p", "role": "victim", "age": 30}],
            assessments=[{"checklist": checklist, "subject": "p", "answers": answers}],
        )
        a = assess(case).assessments[0]
        got = scored.iloc[n]
        assert (got["score"], got["score_max"], got["level"]) == (a.score, a.score_max, a.computed_level.value)
        assert got["completeness"] == pytest.approx(a.completeness, abs=1e-4)


def test_missing_item_columns_are_unasked() -> None:
    out = score_frame(pd.DataFrame({"dv.strangulation": ["yes"]}), "domestic_violence")
    assert out.loc[0, "score"] == 4 and out.loc[0, "score_max"] == 65


def test_nan_cells_are_not_asked() -> None:
    out = score_frame(pd.DataFrame({"dv.strangulation": ["yes", None]}), "domestic_violence")
    assert out["level"].tolist() == ["high", "low"]


def test_result_columns_may_not_overwrite_input() -> None:
    with pytest.raises(InputError) as err:
        score_frame(pd.DataFrame({"dv.strangulation": ["yes"], "level": ["x"]}), "domestic_violence")
    assert "column 'level': already in the file" in err.value.problems[0]


def test_unknown_context() -> None:
    with pytest.raises(InputError, match="context"):
        score_frame(pd.DataFrame({"dv.strangulation": ["yes"]}), "domestic_violence", context="patrol")


# The pyarrow path of `score` (risk.batch_arrow) must write the bytes the pandas path writes.

TRICKY = {
    "formulas and quotes": (
        'case_ref,dv.strangulation,note\r\nK1,yes,"=1+2"\r\nK2,no,"a,b"\r\nK3,unknown,"say ""hi"""\r\n'
    ),
    "negatives, tabs, newlines, unicode, empty": (
        'note,dv.strangulation,x\n-3,yes,+1\n-3.5,,"-3,5"\n"-3,5",no,@x\n"\ttab",,"-٣"\n'
        '"line\nbreak",yes,"cr\ronly"\nåäö ✓,,\n"",,""\n"-3\n",yes,"-3 "\n--3,no,-0.5\n'
    ),
    "semicolons with BOM": '\ufeffnote;dv.strangulation;dv.weapon_access\n=HYPERLINK("x");yes;no\n"a;b";;unknown\n',
    "tabs": 'note\tdv.strangulation\n"a\tb"\tyes\nplain\tno\n',
    "blank lines": "note,dv.strangulation\n\na,yes\n\n\nb,no\n",
    "formula in the header": "=cmd,dv.strangulation\nx,yes\n",
    "header only": "note,dv.strangulation\n",
    "no line end at the end": "note,dv.strangulation\r\na,yes",
    "spaces": 'note,dv.strangulation\n  a  ,yes\n" q ",no\n',
    "old Mac line ends": "note,dv.strangulation\ra,yes\rb,no\r",
    "short row (pandas path)": "note,dv.strangulation,dv.weapon_access\na,yes\nb,no,no\n",
    "empty column name (pandas path)": "note,,dv.strangulation\na,b,yes\n",
}


def _pandas_output(path: str, sep: str | None = None) -> bytes:
    from risk.batch import ADDED, neutralise_formulas, open_answers_csv, read_opened_csv

    opened = open_answers_csv(path, "domestic_violence", sep)
    scored = score_frame(read_opened_csv(opened), "domestic_violence")
    out = neutralise_formulas(scored, keep={*default_checklists()["domestic_violence"].items, *ADDED})
    buf = io.StringIO()
    out.to_csv(buf, index=False, sep=opened.sep, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8")


def _arrow_output(path: str, sep: str | None = None) -> bytes:
    from risk.batch import open_answers_csv
    from risk.batch_arrow import score_csv

    opened = open_answers_csv(path, "domestic_violence", sep)
    return b"".join(bytes(b) for b in score_csv(opened, "domestic_violence", "case_conference", default_checklists()))


@pytest.mark.parametrize("name", list(TRICKY))
def test_score_command_writes_what_pandas_wrote(name: str, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(TRICKY[name], encoding="utf-8", newline="")
    expected = _pandas_output(str(src))
    done = run_cli("score", str(src), "--checklist", "domestic_violence", "-o", str(tmp_path / "out.csv"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.csv").read_bytes() == expected
    if "pandas path" in name:
        from risk.batch_arrow import Unsupported

        with pytest.raises(Unsupported):
            _arrow_output(str(src))
    else:
        assert _arrow_output(str(src)) == expected


def test_arrow_path_in_many_blocks_matches_pandas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import risk.batch_read

    monkeypatch.setattr(risk.batch_read, "BLOCK_BYTES", 4096)  # dozens of blocks, scored and written one by one
    ids = list(default_checklists()["domestic_violence"].items)
    rng = np.random.default_rng(3)
    values = rng.choice(["yes", "no", "unknown", ""], size=(2000, len(ids)), p=[0.2, 0.5, 0.15, 0.15])
    df = pd.DataFrame(values, columns=ids)
    df.insert(0, "note", rng.choice(["plain", "=SUM(A1)", 'a "b"', "x;y", "-4", "åäö", ""], size=2000))
    src = tmp_path / "in.csv"
    df.to_csv(src, index=False, sep=";")
    assert _arrow_output(str(src)) == _pandas_output(str(src))


def test_arrow_path_names_bad_answers_across_blocks_as_pandas_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import risk.batch_read

    monkeypatch.setattr(risk.batch_read, "BLOCK_BYTES", 1024)
    rows = [f"K{n},{'maybe' if n % 97 == 5 else 'yes'},{'Ja' if n == 1500 else 'no'}" for n in range(3000)]
    src = tmp_path / "in.csv"
    src.write_text("case_ref,dv.strangulation,dv.weapon_access\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as pandas_err:
        _pandas_output(str(src))
    with pytest.raises(InputError) as arrow_err:
        _arrow_output(str(src))
    assert arrow_err.value.problems == pandas_err.value.problems
    assert "line 7, 104, 201, 298, 395 and 26 more: 'maybe'" in arrow_err.value.problems[0]


def _many_rows(tmp_path: Path, bad_last: bool) -> Path:
    """A file of several of pyarrow's 1 MB blocks; with `bad_last` its last cell is not an answer."""
    rows = [f"K{n:06d},yes,no,unknown," for n in range(120_000)]
    if bad_last:
        rows[-1] += "maybe"
    src = tmp_path / "in.csv"
    src.write_text(
        "case_ref,dv.strangulation,dv.weapon_access,dv.stalking,dv.escalation\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    assert src.stat().st_size > 2 * (1 << 20)
    return src


def test_score_to_standard_output_is_what_the_file_gets(tmp_path: Path) -> None:
    src = _many_rows(tmp_path, bad_last=False)
    done = subprocess.run(
        [sys.executable, "-m", "risk", "score", str(src), "--checklist", "domestic_violence"],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == _pandas_output(str(src))


@pytest.mark.parametrize("to_file", [True, False])
def test_a_bad_cell_after_blocks_were_written_leaves_no_output(tmp_path: Path, to_file: bool) -> None:
    src = _many_rows(tmp_path, bad_last=True)
    out = tmp_path / "out" / "scored.csv"
    out.parent.mkdir()
    done = run_cli("score", str(src), "--checklist", "domestic_violence", *(["-o", str(out)] if to_file else []))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "column 'dv.escalation', line 120001: 'maybe' is not an answer" in done.stderr
    assert list(out.parent.iterdir()) == []  # neither the file nor its temporary file


def test_answers_holding_the_separator_are_quoted_as_pandas_quotes_them(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text('idydv.strangulation\nK1y"yes"\nK2yno\n', encoding="utf-8")
    assert _arrow_output(str(src), sep="y") == _pandas_output(str(src), sep="y")
    assert b'"yes"' in _arrow_output(str(src), sep="y")


def test_parsing_ahead_hands_on_errors_and_stops_with_its_caller() -> None:
    import threading

    from risk.batch_read import Ahead

    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("broken block")

    got = Ahead(failing())  # type: ignore[arg-type]
    assert next(got) == 1
    with pytest.raises(ValueError, match="broken block"):
        next(got)
    endless = Ahead(iter(range(10**9)))  # type: ignore[arg-type]
    assert [next(endless) for _ in range(3)] == [0, 1, 2]
    endless.close()
    assert not any(t.name == "samrisk-csv-parse" for t in threading.enumerate())


def test_the_arrow_path_does_not_import_pandas(tmp_path: Path) -> None:
    # pandas costs 0.2 s and 30 MB of start-up; pyarrow imports it for pa.array, pa.scalar and to_numpy.
    src = tmp_path / "in.csv"
    src.write_text('case_ref,dv.strangulation,note\nK1,yes,"=1, ""a"""\nK2,,x\n', encoding="utf-8")
    argv = ["risk", "score", str(src), "--checklist", "domestic_violence", "-o", str(tmp_path / "o.csv")]
    code = f"import sys; from risk.cli import main\nsys.argv = {argv!r}\nmain()\nprint('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    assert (tmp_path / "o.csv").read_bytes() == _pandas_output(str(src))


def _random_answers(rows: int, seed: int, drop: int = 0) -> pd.DataFrame:
    """Random answers to the domestic-violence items (the first `drop` left out), with a note column."""
    ids = list(default_checklists()["domestic_violence"].items)[drop:]
    rng = np.random.default_rng(seed)
    values = rng.choice(["yes", "no", "unknown", ""], size=(rows, len(ids)), p=[0.2, 0.5, 0.15, 0.15])
    df = pd.DataFrame(values, columns=ids)
    df.insert(len(ids) // 2, "note", rng.choice(["plain", "=1+2", "-3", 'say "hi"', "a,b", ""], size=rows))
    return df


@pytest.mark.parametrize("context", ["police_intake", "emergency_department", "case_conference"])
def test_arrow_path_matches_pandas_in_every_form(tmp_path: Path, context: str) -> None:
    # score_max and completeness depend on the form; some items are missing from the file (they count as empty)
    from risk.batch import ADDED, neutralise_formulas, open_answers_csv, read_opened_csv
    from risk.batch_arrow import score_csv

    src = tmp_path / "in.csv"
    _random_answers(500, seed=11, drop=3).to_csv(src, index=False)
    opened = open_answers_csv(str(src), "domestic_violence")
    scored = score_frame(read_opened_csv(opened), "domestic_violence", context=context)
    out = neutralise_formulas(scored, keep={*default_checklists()["domestic_violence"].items, *ADDED})
    expected = out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
    got = b"".join(bytes(b) for b in score_csv(opened, "domestic_violence", context, default_checklists()))
    assert got == expected


@pytest.mark.parametrize("sep", ["1", "e", "|"])
def test_a_separator_inside_scores_and_levels_is_quoted_as_pandas_quotes_it(tmp_path: Path, sep: str) -> None:
    # "1" is in scores and completeness, "e" in the levels moderate and severe and in the answer yes
    src = tmp_path / "in.csv"
    _random_answers(300, seed=5).to_csv(src, index=False, sep=sep)
    got = _arrow_output(str(src), sep=sep)
    assert got == _pandas_output(str(src), sep=sep)
    if sep != "|":
        assert b'"' in got.split(b"\r\n", 1)[1]


def test_a_separator_beyond_ascii_is_refused_with_a_message(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id§dv.strangulation\nK1§yes\n", encoding="utf-8")
    done = run_cli("score", str(src), "--checklist", "domestic_violence", "--sep", "§", "-o", str(tmp_path / "o.csv"))
    assert done.returncode == 2, done.stderr
    assert "not a valid CSV file" in done.stderr
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("first", ["maybe", "\udcff"])
def test_an_answer_that_is_not_utf8_is_named_as_pandas_names_it(tmp_path: Path, first: str) -> None:
    # answer columns are read as bytes: a cell that is no answer and no UTF-8 either gets pandas' message
    # (beyond the first 256 KiB, which are checked before any parser runs)
    src = tmp_path / "in.csv"
    rows = [f"K{n},{first if n == 25_000 else 'yes'},{'no' if n != 30_000 else chr(0xDCFF)}" for n in range(40_000)]
    text = "case_ref,dv.strangulation,dv.weapon_access\n" + "\n".join(rows) + "\n"
    src.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(InputError) as pandas_err:
        _pandas_output(str(src))
    assert "not UTF-8" in pandas_err.value.problems[0]
    done = run_cli("score", str(src), "--checklist", "domestic_violence", "-o", str(tmp_path / "o.csv"))
    assert done.returncode == 2
    assert done.stderr == "".join(f"error: {p}\n" for p in pandas_err.value.problems)
    assert not (tmp_path / "o.csv").exists()
