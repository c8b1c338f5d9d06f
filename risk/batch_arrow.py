"""`score` on Apache Arrow: read the CSV with pyarrow, score it in blocks, write it in blocks.

The same answers, checks, messages and output bytes as the pandas path in risk.batch (reading with
pandas, `score_frame`, `neutralise_formulas`, `DataFrame.to_csv` with CRLF line ends), at close to
the speed at which pyarrow alone reads and writes the file: pyarrow parses the file in blocks of
BLOCK_BYTES, answers are kept as one byte a cell (no strings), the user's other columns as Arrow
strings, and the output is rendered column by column with Arrow compute functions, block by block,
so it is never held whole: memory stays below the size of the file.

A file pyarrow will not parse as pandas would (a short row, an empty column name, text that is not
UTF-8, a row longer than the header) raises `Unsupported`; the caller then takes the pandas path,
whose messages name the problem.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from risk.batch import ADDED, FORMULA_START, OpenedCsv, _is_formula, column_problems
from risk.checklists import Checklist
from risk.errors import InputError
from risk.input_limits import bounded, short
from risk.scoring import compile_checklist, score_arrays
from risk.vocabulary import LEVEL_ORDER, Context

BLOCK_BYTES = 1 << 20  # bytes parsed at a time: pyarrow reads ahead some blocks, so small blocks keep memory low
_ANSWER = pa.dictionary(pa.int32(), pa.string())
_KINDS = {"yes": 0, "no": 1, "unknown": 2, "": 3}
# Python's re `\d` is any Unicode decimal digit, RE2's only 0-9: \p{Nd} is the same set.
_FORMULA_RE2 = "^[" + "".join("\\-" if c == "-" else c for c in FORMULA_START) + "]"
_NEGATIVE_RE2 = r"^-\p{Nd}+(?:[.,]\p{Nd}+)?\z"


class Unsupported(Exception):
    """pyarrow does not read this file as pandas would; use the pandas path."""


@dataclass
class _Bad:
    """Rows of one item column whose cell is not an answer: the first few, how many, the first value."""

    rows: list[int] = field(default_factory=list)
    count: int = 0
    first: str = ""


@dataclass
class _Block:
    """Some rows, kept small: the user's other columns as Arrow strings, answers as one byte a cell."""

    others: dict[str, pa.Array]
    kinds: np.ndarray  # (rows, answer columns present) int8: 0 yes, 1 no, 2 unknown, 3 empty
    score: np.ndarray
    score_max: np.ndarray
    completeness: np.ndarray
    level: np.ndarray  # index into LEVEL_ORDER


@dataclass
class Scored:
    """The scored file in blocks, and the column order to write it in."""

    header: list[str]
    present: list[str]  # answer columns in the file, in the order of `kinds`
    sep: str
    blocks: list[_Block]


def _codes(chunk: pa.Array) -> tuple[list[str], np.ndarray]:
    """The distinct values and, per row, the index of its value (a string chunk is encoded first)."""
    enc = chunk if pa.types.is_dictionary(chunk.type) else pc.dictionary_encode(chunk)
    return enc.dictionary.to_pylist(), enc.indices.to_numpy(zero_copy_only=False)


def _batches(opened: OpenedCsv, items: set[str]) -> Iterator[pa.RecordBatch]:
    """The CSV block by block: other columns as strings, answer columns as dictionary codes."""
    data = opened.data
    source = data if isinstance(data, str) else pa.BufferReader(pa.py_buffer(data.getbuffer()))
    try:
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, use_threads=True),
            parse_options=pacsv.ParseOptions(delimiter=opened.sep, newlines_in_values=True, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: _ANSWER if c in items else pa.string() for c in opened.header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        if reader.schema.names != opened.header:
            raise Unsupported("the columns pyarrow read are not those of the header")
        yield from reader
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as e:
        raise Unsupported(str(e)) from None


def score_file(opened: OpenedCsv, checklist: str, context: Context | str, checklists: dict[str, Checklist]) -> Scored:
    """Read, check and score every row, with the checks and messages of read_answers_csv and score_frame.

    Anything found in the header (an unknown checklist or context, misspelt or surplus columns) is left
    to the pandas path, which names it; here only the cells are checked.
    """
    cl = checklists.get(checklist)
    header = opened.header
    if (
        cl is None
        or context not in {c.value for c in Context}
        or any(name == "" for name in header)  # pandas names it "Unnamed: n"
        or column_problems(header, cl, checklists)
        or any(c in header for c in ADDED)
    ):
        raise Unsupported("a problem in the header")
    ctx = Context(context)
    cc = compile_checklist(cl)
    present = [item for item in cc.ids if item in header]
    at = [cc.index[item] for item in present]
    form = cc.form_mask(ctx)[None, :]
    bad: dict[str, _Bad] = {}
    blocks: list[_Block] = []
    start = 0
    for batch in _batches(opened, set(present)):
        rows = batch.num_rows
        kinds = np.empty((rows, len(present)), dtype=np.int8)
        for j, item in enumerate(present):
            values, idx = _codes(batch.column(item))
            lookup = np.array([_KINDS.get(v, 4) for v in values], dtype=np.int8)
            kinds[:, j] = lookup[idx]
            wrong = np.flatnonzero(kinds[:, j] == 4)
            if wrong.size:
                b = bad.setdefault(item, _Bad())
                if not b.rows:
                    b.first = values[idx[wrong[0]]]
                b.rows.extend(int(start + r) for r in wrong[: 5 - len(b.rows)])
                b.count += wrong.size
        start += rows
        if bad:
            blocks.clear()  # nothing will be written: only the checks go on
            continue
        k = len(cc.ids)
        yes = np.zeros((rows, k), dtype=bool)
        known = np.zeros((rows, k), dtype=bool)
        answered = np.zeros((rows, k), dtype=bool)
        yes[:, at] = kinds == 0
        known[:, at] = kinds <= 1
        answered[:, at] = kinds <= 2
        in_form = form | answered
        now = score_arrays(cc, yes)
        worst = score_arrays(cc, yes | (in_form & ~known))
        with np.errstate(invalid="ignore", divide="ignore"):
            completeness = np.round((known & in_form).sum(axis=1) / in_form.sum(axis=1), 4)
        others = {name: batch.column(name) for name in header if name not in cc.index}
        blocks.append(_Block(others, kinds, now.score, worst.score, completeness, now.level))
    problems = []
    for item in present:
        if item in bad:
            b = bad[item]
            listed = ", ".join(str(r + 2) for r in b.rows) + (f" and {b.count - 5} more" if b.count > 5 else "")
            problems.append(
                f"column {item!r}, line {listed}: {short(b.first)!r} is not an answer; "
                "allowed: yes, no, unknown or empty"
            )
    if problems:
        raise InputError(bounded(problems))
    return Scored(header, present, opened.sep, blocks)


def csv_field(value: str, sep: str) -> str:
    """One cell as Python's csv writer writes it (QUOTE_MINIMAL, doubled quotes, CRLF line ends)."""
    if any(c in value for c in (sep, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def _float_text(value: float) -> str:
    """A float as pandas writes it into a CSV: repr, and an empty cell for NaN."""
    return "" if np.isnan(value) else repr(float(value))


def _from_codes(values: list[str], idx: np.ndarray, sep: str) -> pa.Array:
    """Rendered cells from a few distinct values and the index of each row's value."""
    rendered = pa.array([csv_field(v, sep) for v in values], type=pa.string())
    return pc.take(rendered, pa.array(idx))


def _small(values: np.ndarray, text: Callable[[object], str], sep: str) -> pa.Array:
    """Rendered cells of a column with few distinct values (scores, completeness, level)."""
    distinct, idx = np.unique(values, return_inverse=True)
    return _from_codes([text(v) for v in distinct.tolist()], idx.astype(np.int32), sep)


def _passthrough(chunk: pa.Array, sep: str, scan: bool) -> pa.Array:
    """A column the user brought: formula cells prefixed with ' (unless `scan` is off), then quoted as needed."""
    if scan:
        formula = pc.and_(
            pc.match_substring_regex(chunk, _FORMULA_RE2),
            pc.invert(pc.match_substring_regex(chunk, _NEGATIVE_RE2)),
        )
        if pc.any(formula).as_py():
            chunk = pc.if_else(formula, pc.binary_join_element_wise("'", chunk, ""), chunk)
    quote = pc.match_substring(chunk, sep)
    for c in ('"', "\r", "\n"):
        if c != sep:
            quote = pc.or_(quote, pc.match_substring(chunk, c))
    if pc.any(quote).as_py():
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(chunk, '"', '""'), '"', "")
        chunk = pc.if_else(quote, quoted, chunk)
    return chunk


def render(scored: Scored) -> Iterator[bytes | pa.Buffer]:
    """The scored file as CSV bytes, header first, one block at a time."""
    sep = scored.sep
    names = [*scored.header, *ADDED]
    head = io.StringIO()
    csv.writer(head, delimiter=sep, lineterminator="\r\n").writerow(["'" + c if _is_formula(c) else c for c in names])
    yield head.getvalue().encode("utf-8")
    levels = [lv.value for lv in LEVEL_ORDER]
    answers = ["yes", "no", "unknown", ""]
    column = {item: j for j, item in enumerate(scored.present)}
    for block in scored.blocks:
        cells = []
        for name in scored.header:
            if name in column:  # answers, checked: rendered from the four values
                cells.append(_from_codes(answers, block.kinds[:, column[name]].astype(np.int32), sep))
            else:
                cells.append(_passthrough(block.others[name], sep, scan=True))
        cells.append(_small(block.score, str, sep))
        cells.append(_small(block.score_max, str, sep))
        cells.append(_small(block.completeness, _float_text, sep))  # type: ignore[arg-type]
        cells.append(_from_codes(levels, block.level.astype(np.int32), sep))
        lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, sep), "\r\n", "")
        yield _data(lines)


def _data(lines: pa.Array) -> pa.Buffer:
    """The bytes of a string array's values, one after another: its data buffer, sliced."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    data = lines.buffers()[2]
    if data is None or len(offsets) < 2:
        return pa.py_buffer(b"")
    return data.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def score_csv(
    opened: OpenedCsv, checklist: str, context: Context | str, checklists: dict[str, Checklist]
) -> Iterator[bytes | pa.Buffer]:
    """Read, check and score the whole file, then its scored CSV block by block (nothing before all is checked)."""
    return render(score_file(opened, checklist, context, checklists))
