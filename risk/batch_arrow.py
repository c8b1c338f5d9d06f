"""`score` on Apache Arrow: read the CSV with pyarrow, score it in blocks, write it in blocks.

The same answers, checks, messages and output bytes as the pandas path in risk.batch (reading with
pandas, `score_frame`, `neutralise_formulas`, `DataFrame.to_csv` with CRLF line ends), at close to
the speed at which pyarrow alone reads and writes the file. A thread (risk.batch_read) parses the file in
blocks of BLOCK_BYTES (the user's columns as strings, the answer columns as bytes) and turns each block's
answers into one byte a cell (0 yes, 1 no, 2 unknown, 3 empty, 4 not an answer) with Arrow's index_in, while the
caller's thread scores ROWS_AT_ONCE rows at a time with numpy (score_rows, the arithmetic of score_arrays) and
renders them with Arrow compute functions. Runs of up to GROUP adjacent answer columns are coded as
base-4 numbers: one `take` from a table of every combination renders a run, and the same code looks up
what the run adds to score_max and to completeness. The four added cells come from tables made once
(the level's with the line end); the user's other columns get formulas neutralised and quotes as
Python's csv writer quotes, and one join makes the lines. The output is yielded as it is made, so
neither the table nor the output is ever held whole; a bad cell is found before the caller keeps
anything (see score_csv).

A file pyarrow will not parse as pandas would (a short row, an empty column name, text that is not
UTF-8, a row longer than the header) raises `Unsupported`; the caller then takes the pandas path,
whose messages name the problem.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from risk.batch import ADDED, FORMULA_START, OpenedCsv, _is_formula, column_problems
from risk.batch_read import ANSWERS, Reading, Unsupported, answer_columns, ints, strings
from risk.errors import InputError
from risk.input_limits import bounded, short
from risk.plain_checklist import NotPlain, PlainChecklist, from_model, score_rows
from risk.vocabulary import LEVEL_ORDER, Context

if TYPE_CHECKING:  # `score` passes plain checklists (risk.plain_checklist): no pydantic models to import
    from risk.checklists import Checklist

ROWS_AT_ONCE = 1 << 14  # rows scored and rendered together: fewer numpy calls; 2**15 is as fast, 30 MB more
GROUP = 6  # adjacent answer columns rendered by one take: 4**6 = 4,096 distinct rows
_TABLES: dict[tuple[int, str], pa.Array] = {}
_FORMULA_BYTES = np.zeros(256, dtype=bool)  # the first bytes of a formula (all ASCII)
_FORMULA_BYTES[[ord(c) for c in FORMULA_START]] = True
# Python's re `\d` is any Unicode decimal digit, RE2's only 0-9: \p{Nd} is the same set.
_FORMULA_RE2 = "^[" + "".join("\\-" if c == "-" else c for c in FORMULA_START) + "]"
_NEGATIVE_RE2 = r"^-\p{Nd}+(?:[.,]\p{Nd}+)?\z"


@dataclass
class _Bad:
    """Rows of one item column whose cell is not an answer: the first few, how many, the first value."""

    rows: list[int] = field(default_factory=list)
    count: int = 0
    first: str = ""


@functools.cache
def _text(value: str) -> pa.Scalar:
    """A string as an Arrow scalar (what compute functions make of a str, without pa.scalar)."""
    return strings([value])[0]


def csv_field(value: str, sep: str) -> str:
    """One cell as Python's csv writer writes it (QUOTE_MINIMAL, doubled quotes, CRLF line ends)."""
    if any(c in value for c in (sep, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def _float_text(value: float) -> str:
    """A float as pandas writes it into a CSV: repr, and an empty cell for NaN."""
    return "" if np.isnan(value) else repr(float(value))


def _answer_table(width: int, sep: str) -> pa.Array:
    """Every row of `width` answer cells, rendered and joined by `sep`: row n is the cells whose kinds are
    the base-4 digits of n (first column most significant), so one `take` renders `width` columns."""
    key = (width, sep)
    if key not in _TABLES:
        cells = [csv_field(c, sep) for c in ANSWERS]  # each answer quoted once, not once a row (4**6 rows)
        rows = [sep.join(row) for row in itertools.product(cells, repeat=width)]
        _TABLES[key] = strings(rows)
    return _TABLES[key]


def _rendered(texts: list[str], sep: str, end: str = "") -> pa.Array:
    """Cells as written (quoted as needed), each followed by `end`: a table for `take`."""
    return strings([csv_field(t, sep) + end for t in texts])


def _passthrough(chunk: pa.Array, sep: str, scan: bool) -> pa.Array:
    """A column the user brought: formula cells prefixed with ' (unless `scan` is off), then quoted as needed.

    The bytes are looked at first (the first byte of each cell, every byte for a character that needs
    quotes): most columns need neither, and then no regular expression runs."""
    if scan and _may_start_formula(chunk):
        formula = pc.and_(
            pc.match_substring_regex(chunk, _FORMULA_RE2),
            pc.invert(pc.match_substring_regex(chunk, _NEGATIVE_RE2)),
        )
        if pc.any(formula).as_py():
            chunk = pc.if_else(formula, pc.binary_join_element_wise(_text("'"), chunk, _text("")), chunk)
    if not _may_need_quotes(chunk, sep):
        return chunk
    quote = pc.match_substring(chunk, sep)
    for c in ('"', "\r", "\n"):
        if c != sep:
            quote = pc.or_(quote, pc.match_substring(chunk, c))
    if pc.any(quote).as_py():
        quoted = pc.binary_join_element_wise(_text('"'), pc.replace_substring(chunk, '"', '""'), _text('"'), _text(""))
        chunk = pc.if_else(quote, quoted, chunk)
    return chunk


def _offsets_and_bytes(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's offsets (len + 1) and the whole of its data buffer, as numpy views."""
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
    data = chunk.buffers()[2]
    return offsets, np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)


def _may_start_formula(chunk: pa.Array) -> bool:
    """Whether some cell begins with a character that starts a formula (its first byte: they are all ASCII)."""
    offsets, data = _offsets_and_bytes(chunk)
    starts = offsets[:-1][offsets[1:] > offsets[:-1]]
    return bool(starts.size) and bool(_FORMULA_BYTES[data[starts]].any())


def _may_need_quotes(chunk: pa.Array, sep: str) -> bool:
    """Whether some cell holds the separator, a quote, CR or LF (any byte of them; a non-ASCII separator: yes)."""
    if ord(sep) > 127:
        return True
    offsets, data = _offsets_and_bytes(chunk)
    if len(offsets) < 2:
        return False
    values = data[offsets[0] : offsets[-1]]
    return any(bool((values == ord(c)).any()) for c in (sep, '"', "\r", "\n"))


@dataclass
class _Run:
    """Adjacent answer columns of the file, rendered together by one `take` of a table of every combination of
    their answers, and what each combination adds to score_max and to the two counts of completeness."""

    first: int  # index in `present` of the run's first column
    width: int
    cells: pa.Array  # code -> the rendered cells, joined by the separator
    worst: np.ndarray  # code -> points towards score_max: yes | (in form & not known)
    known: np.ndarray  # code -> how many are known (and so in the form)
    in_form: np.ndarray  # code -> how many are in the form (asked in it, or answered)

    def codes(self, kinds: np.ndarray) -> np.ndarray:
        """Each row's code: its kinds in the run's columns as base-4 digits (kinds: column-major)."""
        code = kinds[:, self.first].astype(np.int32)
        for j in range(self.first + 1, self.first + self.width):
            code <<= 2
            code += kinds[:, j]
        return code


@dataclass
class _Plan:
    """How the rows of one file are scored and written, made once from its header.

    Each kind of answer (0 yes, 1 no, 2 unknown, 3 empty) in an answer column adds to score_max and to the two
    counts of completeness what score_arrays and score_frame compute from whole rows; the checklist's items that
    are not columns of the file add what an empty cell adds. So score_max and completeness are sums of a few
    table lookups, one per run of answer columns."""

    cc: PlainChecklist
    sep: str
    at: list[int]  # the answer columns' indexes in the checklist
    layout: list[str | _Run]  # the header as written: a user's column by name, answer columns by run
    runs: list[_Run]
    absent_worst: int
    absent_in_form: int
    numbers: pa.Array  # n -> str(n), quoted as needed
    completeness: pa.Array  # known * (items + 1) + in_form -> round(known / in_form, 4) as pandas writes it
    levels: pa.Array  # level code -> its name and the line end

    @classmethod
    def of(cls, cc: PlainChecklist, header: list[str], present: list[str], form: np.ndarray, sep: str) -> _Plan:
        weight = cc.points  # each item is in one section
        at = [cc.items[item] for item in present]
        absent = np.ones(len(cc.items), dtype=bool)
        absent[at] = False
        layout: list[str | _Run] = []
        runs: list[_Run] = []
        for part in _layout(header, present):
            if isinstance(part, str):
                layout.append(part)
                continue
            width = len(part)
            place = 4 ** np.arange(width - 1, -1, -1, dtype=np.int32)
            digits = (np.arange(4**width, dtype=np.int32)[:, None] // place) % 4  # code -> kinds of the run
            w, f = weight[[at[j] for j in part]], form[[at[j] for j in part]].astype(np.int64)
            col = np.arange(width)
            per_kind = {
                "worst": np.stack([w, 0 * w, w, w * f], axis=1),
                "known": np.tile(np.array([1, 1, 0, 0], dtype=np.int64), (width, 1)),
                "in_form": np.stack([f * 0 + 1, f * 0 + 1, f * 0 + 1, f], axis=1),
            }
            sums = {name: table[col, digits].sum(axis=1) for name, table in per_kind.items()}
            run = _Run(part[0], width, _answer_table(width, sep), sums["worst"], sums["known"], sums["in_form"])
            layout.append(run)
            runs.append(run)
        n = len(cc.items)
        known, in_form = np.divmod(np.arange((n + 1) ** 2), n + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.round(known / in_form, 4)
        return cls(
            cc=cc,
            sep=sep,
            at=at,
            layout=layout,
            runs=runs,
            absent_worst=int((weight * form)[absent].sum()),
            absent_in_form=int(form[absent].sum()),
            numbers=_rendered([str(v) for v in range(int(weight.sum()) + 1)], sep),
            completeness=_rendered([_float_text(v) for v in ratio.tolist()], sep),
            levels=_rendered([lv.value for lv in LEVEL_ORDER], sep, end="\r\n"),
        )


def _layout(header: list[str], present: list[str]) -> list[str | list[int]]:
    """The header as written: a user's column by name, runs of adjacent answer columns as lists of at most
    GROUP indexes into `present` (each run rendered by one `take`)."""
    column = {item: j for j, item in enumerate(present)}
    out: list[str | list[int]] = []
    for name in header:
        if name not in column:
            out.append(name)
        elif out and isinstance(out[-1], list) and len(out[-1]) < GROUP and out[-1][-1] + 1 == column[name]:
            out[-1].append(column[name])
        else:
            out.append([column[name]])
    return out


def _header_bytes(header: list[str], sep: str) -> bytes:
    head = io.StringIO()
    names = [*header, *ADDED]
    csv.writer(head, delimiter=sep, lineterminator="\r\n").writerow(["'" + c if _is_formula(c) else c for c in names])
    return head.getvalue().encode("utf-8")


def _data(lines: pa.Array) -> pa.Buffer:
    """The bytes of a string array's values, one after another: its data buffer, sliced."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    data = lines.buffers()[2]
    if data is None or len(offsets) < 2:
        return pa.py_buffer(b"")
    return data.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def _render(pending: list[tuple[np.ndarray, pa.RecordBatch]], plan: _Plan) -> pa.Buffer:
    """Score some checked batches together (fewer, larger numpy calls) and render them as CSV lines."""
    kinds = pending[0][0]
    if len(pending) > 1:
        kinds = np.empty((sum(len(k) for k, _ in pending), kinds.shape[1]), dtype=np.int8, order="F")
        np.concatenate([k for k, _ in pending], out=kinds)
    cc, sep = plan.cc, plan.sep
    # Column-major: score_arrays reads it column by column.
    yes = np.zeros((len(kinds), len(cc.items)), dtype=bool, order="F")
    yes[:, plan.at] = kinds == 0
    score, level = score_rows(cc, yes)
    score_max = np.full(len(kinds), plan.absent_worst, dtype=np.int64)
    in_form = np.full(len(kinds), plan.absent_in_form, dtype=np.int64)
    known = np.zeros(len(kinds), dtype=np.int64)
    codes: dict[int, pa.Array] = {}
    for run in plan.runs:
        code = run.codes(kinds)
        score_max += run.worst[code]
        known += run.known[code]
        in_form += run.in_form[code]
        codes[id(run)] = ints(code)
    cells = []
    for part in plan.layout:
        if isinstance(part, str):
            column = pa.concat_arrays([batch.column(part) for _, batch in pending])
            cells.append(_passthrough(column, sep, scan=True))
        else:
            cells.append(pc.take(part.cells, codes[id(part)]))
    cells += [
        pc.take(plan.numbers, ints(score)),
        pc.take(plan.numbers, ints(score_max)),
        pc.take(plan.completeness, ints(known * (len(cc.items) + 1) + in_form)),
        pc.take(plan.levels, ints(level)),  # the line end with it
    ]
    return _data(pc.binary_join_element_wise(*cells, _text(sep)))


def score_csv(
    opened: OpenedCsv,
    checklist: str,
    context: Context | str,
    checklists: Mapping[str, PlainChecklist] | Mapping[str, Checklist],
    reading: Reading | None = None,
) -> Iterator[bytes | pa.Buffer]:
    """Read, check and score the file block by block, yielding its scored CSV as it goes (header first).

    The checks and messages are those of read_answers_csv and score_frame. Anything found in the header (an
    unknown checklist or context, misspelt or surplus columns) is left to the pandas path, which names it
    (`Unsupported` before anything is yielded); here only the cells are checked. A cell that is not an answer
    stops the output, the checks go on to the end and raise InputError: the caller must drop what it was
    given (`score` writes to a temporary file). `Unsupported` may also come after some blocks were yielded.
    `checklists` are plain forms (what `score` loads) or the models (turned into plain forms here). `reading`:
    the file already being read (risk.batch_read, started by `score` before it imported this module); the
    caller closes it if this raises before reading it.
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
    try:
        cc = cl if isinstance(cl, PlainChecklist) else from_model(cl)
    except NotPlain as e:  # a level rule batch scoring cannot use: the pandas path says so
        raise Unsupported(str(e)) from None
    present = answer_columns(cc.items, header)
    if reading is None or reading.present != present:
        if reading is not None:
            reading.close()
        reading = Reading(opened, present)
    try:
        yield from _scored(reading, opened, present, _Plan.of(cc, header, present, cc.form_mask(ctx), opened.sep))
    finally:
        reading.close()


def _scored(reading: Reading, opened: OpenedCsv, present: list[str], plan: _Plan) -> Iterator[bytes | pa.Buffer]:
    header, sep = opened.header, opened.sep
    bad: dict[str, _Bad] = {}
    pending: list[tuple[np.ndarray, pa.RecordBatch]] = []  # checked, not yet scored and written
    start = 0
    yield _header_bytes(header, sep)
    for kinds, batch in reading:
        rows = batch.num_rows
        if kinds.max(initial=0) == 4:
            for j, item in enumerate(present):
                wrong = np.flatnonzero(kinds[:, j] == 4)
                if wrong.size:
                    values = pc.take(batch.column(item), ints(wrong))
                    try:  # pandas fails on text that is not UTF-8 before it looks at the answers, and says so
                        values = values.cast(pa.string())
                    except pa.ArrowInvalid as e:
                        raise Unsupported(str(e)) from None
                    b = bad.setdefault(item, _Bad())
                    if not b.rows:
                        b.first = str(values[0].as_py())
                    b.rows.extend(int(start + r) for r in wrong[: 5 - len(b.rows)])
                    b.count += wrong.size
        start += rows
        if bad:
            pending.clear()  # after a bad cell nothing more is written: only the checks go on
            continue
        pending.append((kinds, batch))
        if sum(len(kinds) for kinds, _ in pending) >= ROWS_AT_ONCE:
            yield _render(pending, plan)
            pending.clear()
    if pending and not bad:
        yield _render(pending, plan)
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
