"""The problems of an uploaded follow-up file (the local validation page: reading the CSV, `validate`, `learn`) are
coded: each keeps its English as before (the command line and the logs read it) and carries a code and parameters,
so the page says it in its own language (issue 9: no English in the Swedish view)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from risk.batch import choose_by_columns, read_csv_upload
from risk.errors import InputError, Problem
from risk.input_limits import LIMITS, bounded
from risk.local_validation import validate_frame
from risk.points_score import learn_frame
from ui.i18n import catalog
from ui.problems import problem_texts

ENGLISH_WORDS = {"the", "is", "not", "with", "and", "of", "column", "line", "file", "more", "allowed", "outcome"}


def refused(call: Callable[[], Any]) -> InputError:
    with pytest.raises(InputError) as e:
        call()
    return e.value


def upload(raw: bytes) -> InputError:
    return refused(lambda: read_csv_upload(raw, "f.csv", None, lambda h, t: choose_by_columns(h, t, set(), "f.csv")))


def frame(**columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def coded(e: InputError) -> list[tuple[str, str, dict[str, Any]]]:
    return [(p.code, p.field, dict(p.params)) for p in e.details]


def test_a_cell_that_is_no_outcome_names_column_line_and_value_as_data_and_keeps_its_english() -> None:
    e = refused(lambda: validate_frame(frame(utfall=["1", "0", "kanske"], s=["1", "2", "3"]), "utfall", score="s"))
    assert e.problems == ["column 'utfall', line 4: 'kanske' is not an outcome; allowed: 1 or 0 (yes/no, true/false)"]
    assert coded(e) == [("validation.not_outcome", "utfall", {"column": "utfall", "lines": "4", "value": "kanske"})]


def test_more_than_five_bad_lines_give_the_first_five_as_text_and_how_many_more_as_a_number() -> None:
    df = frame(y=["1", "0", *["x"] * 8], s=["1"] * 10)
    e = refused(lambda: validate_frame(df, "y", score="s"))
    assert e.problems == [
        "column 'y', line 4, 5, 6, 7, 8 and 3 more: 'x' is not an outcome; allowed: 1 or 0 (yes/no, true/false)"
    ]
    assert coded(e) == [("validation.not_outcome_more", "y", {"column": "y", "lines": "4, 5, 6, 7, 8", "more": 3,
                                                              "value": "x"})]  # fmt: skip
    e = refused(lambda: validate_frame(frame(y=["1", "0"] * 5, s=["a"] * 10), "y", score="s"))
    assert e.problems == ["column 's', line 2, 3, 4, 5, 6 and 5 more: 'a' is not a number"]
    assert coded(e)[0][0] == "validation.not_number_more" and e.details[0].params["more"] == 5
    e = refused(lambda: validate_frame(frame(y=["1", "0"], s=["1", ""]), "y", score="s"))
    assert coded(e) == [("validation.not_number", "s", {"column": "s", "lines": "3", "value": ""})]


def test_one_outcome_missing_columns_and_too_many_groups() -> None:
    e = refused(lambda: validate_frame(frame(y=["1", "1"], s=["1", "2"]), "y", score="s"))
    assert e.problems == ["column 'y': every row has the same outcome; an AUC needs both"]
    assert coded(e) == [("validation.one_outcome", "y", {"column": "y"})]
    e = refused(lambda: validate_frame(frame(y=["1", "0"], s=["1", "2"]), "y", score="risk", groups=["sex"]))
    assert e.problems[-1] == "the columns are: 'y', 's'"
    assert coded(e) == [
        ("validation.no_column", "--group", {"column": "sex"}),
        ("validation.no_column", "--score", {"column": "risk"}),
        ("validation.columns_are", "", {"columns": ("y", "s")}),
    ]
    wide = pd.DataFrame({f"c{i}": ["1"] for i in range(25)})
    e = refused(lambda: validate_frame(wide, "nope", score="c1"))
    assert e.details[-1].params["columns"] == (*(f"c{i}" for i in range(20)), "…")
    n = 40
    df = frame(y=["1", "0"] * (n // 2), s=["1"] * n, unit=[f"u{i}" for i in range(n)])
    e = refused(lambda: validate_frame(df, "y", score="s", groups=["unit"], n_boot=100))
    assert coded(e) == [("validation.too_many_groups", "unit", {"column": "unit", "values": n, "most": 30})]


def test_a_checklist_file_without_items_and_with_a_score_column_and_bad_answers() -> None:
    df = frame(y=["1", "0"], score=["3", "1"], dv_threats=["yes", "no"], **{"dv.strangulatoin": ["yes", "no"]})
    e = refused(lambda: validate_frame(df, "y", checklist="domestic_violence"))
    codes = {code: params for code, _, params in coded(e)}
    assert codes["validation.not_an_item_guess"] == {
        "column": "dv.strangulatoin", "checklist": "domestic_violence", "item": "dv.strangulation"
    }  # fmt: skip
    assert codes["validation.column_taken"] == {"column": "score"}
    assert codes["validation.no_item_column"] == {"checklist": "domestic_violence", "item": "dv.strangulation"}
    assert "column 'score': already in the file; rename it, the result is written there" in e.problems
    df = frame(y=["1", "0"], **{"psy.wish_dead": ["yes", "no"]})
    e = refused(lambda: validate_frame(df, "y", checklist="domestic_violence"))
    assert coded(e)[-1][0] == "validation.no_item_column_other"
    assert e.details[-1].params["checklists"] == ("psychiatric",)
    df = frame(y=["1", "0"] * 4, **{"dv.strangulation": ["ja", *["yes"] * 7]})
    e = refused(lambda: validate_frame(df, "y", checklist="domestic_violence"))
    assert e.problems == [
        "column 'dv.strangulation', line 2: 'ja' is not an answer; allowed: yes, no, unknown or empty"
    ]
    params = {"column": "dv.strangulation", "lines": "2", "value": "ja"}
    assert coded(e) == [("validation.not_an_answer", "dv.strangulation", params)]


@pytest.mark.parametrize(
    ("raw", "code", "params"),
    [
        (b"", "validation.file_empty", {"file": "f.csv"}),
        (b"  \n", "validation.file_empty", {"file": "f.csv"}),
        (b"a,b\n1,2,3\n", "validation.extra_fields", {"file": "f.csv", "columns": 2}),
        (b"a,a\n1,2\n", "validation.column_repeated", {"column": "a", "times": 2}),
        (b'a,b\n"x,1\n', "validation.not_csv", {"file": "f.csv"}),
        (b"a,b\n1,\xff\n", "validation.not_utf8", {"file": "f.csv", "byte": 6}),
        (b"a\xff,b\n1,2\n", "validation.not_utf8", {"file": "f.csv", "byte": 1}),
        (b",".join(b"c%d" % i for i in range(LIMITS.columns + 1)) + b"\n",
         "validation.too_many_columns", {"file": "f.csv", "columns": LIMITS.columns + 1, "most": LIMITS.columns}),
        (b"a," * (LIMITS.header_bytes // 2 + 10), "validation.header_too_long", {"file": "f.csv"}),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_read_says_why_as_data(raw: bytes, code: str, params: dict[str, Any]) -> None:
    [p] = upload(raw).details
    assert (p.code, dict(p.params)) == (code, params)
    assert str(p).startswith(("f.csv: ", "column 'a' appears"))  # the English as before


def test_learning_problems_the_page_can_meet() -> None:
    df = frame(y=["1", "0"] * 3, s=["1", "2"] * 3)
    e = refused(lambda: learn_frame(df, "y", max_items=3, score="s"))
    assert e.problems == ["no column is left to learn from besides the outcome"]
    assert coded(e) == [("validation.nothing_to_learn_from", "exclude", {})]
    df = frame(y=["1", "1", "0", "0", "0", "0"], x=["1", "2", "3", "4", "5", "6"])
    e = refused(lambda: learn_frame(df, "y", max_items=3, folds=3))
    assert e.problems == ["--folds: 3 folds need at least 3 rows of each outcome"]
    assert coded(e) == [("validation.too_few_for_folds", "folds", {"folds": 3})]
    rng = np.random.default_rng(0)
    many = {f"x{j}": [str(v) for v in rng.normal(size=40)] for j in range(50)}  # 9 cuts each: 450 > 400
    e = refused(lambda: learn_frame(frame(y=["1", "0"] * 20, **many), "y", max_items=3, folds=2))
    assert e.problems == ["450 candidate items from the columns; at most 400: use --exclude"]
    assert coded(e) == [("validation.too_many_items", "exclude", {"items": 450, "most": 400})]


def test_bounded_keeps_a_problems_code_and_counts_the_rest_as_a_coded_problem() -> None:
    from risk.errors import problem

    long = problem("validation.no_column", "--outcome", "x" * (LIMITS.message_chars + 5) + "\x1b", column="c")
    out = bounded([long, *["plain"] * LIMITS.problems])
    first = out[0]
    assert isinstance(first, Problem) and first.code == "validation.no_column" and first.params == {"column": "c"}
    assert str(first) == "x" * LIMITS.message_chars + "…"
    assert isinstance(out[-1], Problem) and out[-1].code == "more_problems" and out[-1].params == {"more": 1}
    assert out[-1] == "… and 1 more problems; fix these first"  # the English as before
    assert out[1] == "plain" and not isinstance(out[1], Problem)


def every_problem() -> list[Problem]:
    """The problems of every scenario above: each code the page can meet, at least once."""
    n = 40
    rng = np.random.default_rng(0)
    many = {f"x{j}": [str(v) for v in rng.normal(size=40)] for j in range(50)}
    checklist_file = frame(
        y=["1", "0"],
        score=["1", "2"],
        dv_threats=["yes", "no"],
        **{"DV.strangulation": ["yes", "no"], "dv.strangulatoin": ["yes", "no"], "dv.zzz": ["yes", "no"]},
    )
    calls: list[Callable[[], Any]] = [
        lambda: validate_frame(frame(y=["1", "0", "x"], s=["1", "2", "3"]), "y", score="s"),
        lambda: validate_frame(frame(y=["1", "0", *["x"] * 8], s=["1"] * 10), "y", score="s"),
        lambda: validate_frame(frame(y=["1", "0"], s=["1", "x"]), "y", score="s"),
        lambda: validate_frame(frame(y=["1", "0"] * 5, s=["a"] * 10), "y", score="s"),
        lambda: validate_frame(frame(y=["1", "1"], s=["1", "2"]), "y", score="s"),
        lambda: validate_frame(frame(y=["1", "0"], s=["1", "2"]), "y", score="risk"),
        lambda: validate_frame(frame(y=["1", "0"] * 20, s=["1"] * n, u=[f"u{i}" for i in range(n)]), "y", score="s",
                               groups=["u"]),
        lambda: validate_frame(checklist_file, "y", checklist="domestic_violence"),
        lambda: validate_frame(frame(y=["1", "0"], **{"psy.wish_dead": ["yes", "no"]}), "y",
                               checklist="domestic_violence"),
        lambda: validate_frame(frame(y=["1", "0"] * 4, **{"dv.strangulation": ["ja"] * 8}), "y",
                               checklist="domestic_violence"),
        lambda: validate_frame(frame(y=["1", "0"], **{"dv.strangulation": ["ja", "no"]}), "y",
                               checklist="domestic_violence"),
        lambda: learn_frame(frame(y=["1", "0"], s=["1", "2"]), "y", max_items=3, score="s"),
        lambda: learn_frame(frame(y=["1", "0", "0"], x=["1", "2", "3"]), "y", max_items=3, folds=2),
        lambda: learn_frame(frame(y=["1", "0"] * 20, **many), "y", max_items=3, folds=2),
    ]  # fmt: skip
    wide = b",".join(b"c%d" % i for i in range(LIMITS.columns + 1))
    long = b"a," * (LIMITS.header_bytes // 2 + 10)
    for raw in (b"", b"a,b\n1,2,3\n", b"a,a\n1,2\n", b'a,b\n"x,1\n', b"a,b\n1,\xff\n", wide, long):
        calls.append(lambda raw=raw: upload(raw).details)
    found: list[Problem] = []
    for call in calls:
        try:
            details = call()
        except InputError as e:
            details = e.details
        assert details, call
        found += details
    return found


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text.lower()))


def test_every_problem_the_page_can_meet_has_a_text_and_the_swedish_one_no_english() -> None:
    found = every_problem()
    assert all(p.code for p in found), [str(p) for p in found if not p.code]
    texts = {k.removeprefix("problems.") for k in catalog("sv") if k.startswith("problems.validation.")}
    assert {p.code for p in found} == texts  # every text is met here, and nothing without one
    for p in found:
        typed = set().union(*(words(str(v)) for v in p.params.values()))
        [sv] = problem_texts(InputError([p]), "sv")
        assert not (words(sv) - typed) & ENGLISH_WORDS, (p.code, sv)
        assert "⟦" not in sv and str(p) not in sv
        [en] = problem_texts(InputError([p]), "en")
        assert not any(c in w for w in words(en) - typed for c in "åäö"), (p.code, en)
