"""Fuzzed case files and CSVs: whatever comes in, exit status 0 or 2, no traceback, short messages.

Runs the command line in-process (a subprocess per example would take minutes) and the Python API
on the same values: risk.assess raises InputError or returns, nothing else.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk import assess
from risk.batch import FORMULA_START, PLAIN_NEGATIVE_NUMBER
from risk.checklists import default_checklists
from risk.cli import main
from risk.errors import InputError
from risk.input_limits import LIMITS
from tests.conftest import dv, make_case

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ITEMS = list(default_checklists()["domestic_violence"].items)
LINE_MAX = len("error: ") + LIMITS.message_chars + 1

text = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=2),
    st.sampled_from(["yes", "no", "unknown", "v1", "s1", "domestic_violence", "police", "high", "=1+1", "-3"]),
    st.sampled_from(ITEMS),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30, max_value=10**60),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=20
)


def run_main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def assert_clean_failure_or_success(code: int, out: str, err: str) -> None:
    assert code in (0, 2), (code, err)
    lines = err.splitlines()
    if code == 2:
        assert out == "" and lines and all(line.startswith(("error: ", "error: …")) for line in lines), err
        assert len(lines) <= LIMITS.problems + 1 and all(len(line) <= LINE_MAX for line in lines), err[:2000]
    else:
        assert err == ""


@st.composite
def mutated_cases(draw: st.DrawFn) -> Any:
    """A valid case with one value somewhere replaced by anything JSON can hold."""
    case: Any = make_case(
        assessments=[dv({"dv.strangulation": "yes", "dv.threat_to_kill": "unknown"})],
        overrides=[{"checklist": "domestic_violence", "subject": "v1", "level": "severe", "reason": "r"}],
        consents=[{"person": "v1", "to_share_with": ["social_services"]}],
    )
    for _ in range(draw(st.integers(1, 3))):
        node = case
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            child = node[key]
            if not isinstance(child, (dict, list)) or draw(st.booleans()):
                node[key] = draw(json_values)
                break
            node = child
    return case


def _assess_both(case: Any) -> None:
    try:
        assess(case).model_dump_json()
    except InputError as e:
        assert all(isinstance(p, str) and len(p) <= LIMITS.message_chars + 1 for p in e.problems)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.json"
        path.write_text(json.dumps(case), encoding="ascii")  # surrogates as \ud800 escapes, as another tool might
        assert_clean_failure_or_success(*run_main("assess", str(path)))


@SETTINGS
@given(mutated_cases())
def test_fuzzed_case_files(case: Any) -> None:
    _assess_both(case)


@SETTINGS
@given(json_values)
def test_any_json_value_as_a_case(value: Any) -> None:
    _assess_both(value)


@SETTINGS
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8")))
def test_any_bytes_as_a_case_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.json"
        path.write_bytes(data)
        assert_clean_failure_or_success(*run_main("assess", str(path)))


cells = st.one_of(
    st.sampled_from(["yes", "no", "unknown", "", "Ja", "YES"]),
    st.text(max_size=12),
    st.sampled_from(FORMULA_START).flatmap(lambda c: st.text(max_size=8).map(lambda t: c + t)),
    st.sampled_from(["-3", "-3.5", "-3,5", "-", "+1", "=SUM(A1)", '"', "'", "\r", "\n", "\x00"]),
)
headers = st.one_of(
    st.sampled_from(ITEMS),
    st.sampled_from(ITEMS).map(str.upper),
    st.sampled_from(ITEMS).map(lambda i: i.replace(".", "_")),
    st.sampled_from(["case_ref", "note", "score", "level", "=cmd", "-2", "@x", "psy.x", "dv.nope", ""]),
    st.text(max_size=10),
)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    sep = draw(st.sampled_from([",", ";", "\t"]))
    columns = draw(st.lists(headers, min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(cells, min_size=len(columns), max_size=len(columns)), max_size=6))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(columns)
    writer.writerows(rows)
    data = buf.getvalue()
    if draw(st.booleans()):  # break it somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(['"', sep, "\n", "\x00", "\ud800", ""])) + data[at:]
    return data.encode("utf-8", "surrogatepass")


def _passthrough_is_safe(out: str, sep: str) -> None:
    frame = pd.read_csv(io.StringIO(out), sep=sep, dtype=str, keep_default_na=False)
    for column in frame.columns:
        if column in ITEMS or column in ("score", "score_max", "completeness", "level"):
            continue
        assert not column.startswith(FORMULA_START) or pd.Series([column]).str.fullmatch(PLAIN_NEGATIVE_NUMBER).all()
        values = frame[column]
        risky = values.str.startswith(FORMULA_START) & ~values.str.fullmatch(PLAIN_NEGATIVE_NUMBER)
        assert not risky.any(), values[risky].tolist()


@SETTINGS
@given(csv_files())
def test_fuzzed_csv_files(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.csv"
        path.write_bytes(data)
        code, out, err = run_main("score", str(path), "--checklist", "domestic_violence")
        assert_clean_failure_or_success(code, out, err)
        if code == 0:
            first = out.split("\r\n", 1)[0]
            sep = max([",", ";", "\t"], key=first.count)
            _passthrough_is_safe(out, sep)


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_as_a_csv(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.csv"
        path.write_bytes(data)
        assert_clean_failure_or_success(*run_main("score", str(path), "--checklist", "domestic_violence"))


@st.composite
def scorable_csv_files(draw: st.DrawFn) -> tuple[bytes, str]:
    """Files that should score: item columns with answers, any passthrough columns, any separator."""
    sep = draw(st.sampled_from([",", ";", "\t"]))
    items = draw(st.lists(st.sampled_from(ITEMS), min_size=1, max_size=3, unique=True))
    passthrough = draw(
        st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=8), max_size=3, unique=True).filter(
            lambda names: (
                all(n.strip() not in ("", *ITEMS, "score", "score_max", "completeness", "level") for n in names)
                and all("dv" not in n.lower() for n in names)
            )
        )
    )
    columns = passthrough + items
    rows = [
        [draw(cells) for _ in passthrough] + [draw(st.sampled_from(["yes", "no", "unknown", ""])) for _ in items]
        for _ in range(draw(st.integers(1, 5)))
    ]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8"), sep


@SETTINGS
@given(scorable_csv_files())
def test_scorable_csv_files_score_and_come_out_safe(file: tuple[bytes, str]) -> None:
    data, sep = file
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.csv"
        path.write_bytes(data)
        code, out, err = run_main("score", str(path), "--checklist", "domestic_violence", "--sep", sep)
        if code == 2:  # only for a passthrough name that nearly names an item, or a cell pandas cannot read
            assert "did you mean" in err or "not a valid CSV" in err, err
            return
        assert code == 0 and err == "", err
        _passthrough_is_safe(out, sep)
