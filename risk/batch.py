"""Score many assessments of one checklist at once, from a table with one column per item.

Vectorised over rows: the same array code as `assess` (risk.scoring.score_arrays), so a
batch row and a single assessment with the same answers get the same score and level.
Reading a CSV (separator, limits) and writing one safely (formula cells) live here too, so the
command line stays thin.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import stat
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from risk.errors import InputError, problem
from risk.input_limits import LIMITS, bounded, printable, read_bounded, short
from risk.vocabulary import LEVEL_ORDER, Context

if TYPE_CHECKING:  # pandas is imported where a DataFrame is made: `score` on pyarrow starts without it
    import pandas as pd  # and the checklist models where they are used: `score` reads risk.plain_checklist

    from risk.checklists import Checklist


class ItemsOf(Protocol):
    """What the header checks need of a checklist: a Checklist, or its plain form (risk.plain_checklist)."""

    @property
    def id(self) -> str: ...

    @property
    def item_prefix(self) -> str: ...

    @property
    def items(self) -> Mapping[str, object]: ...


ADDED = ("score", "score_max", "completeness", "level")
ALLOWED = ("yes", "no", "unknown", "")
SEPARATORS = (",", ";", "\t")  # what spreadsheets write; Swedish Excel writes ";"
# A cell starting with one of these is run as a formula by a spreadsheet (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NEGATIVE_NUMBER = r"-\d+(?:[.,]\d+)?"  # -3, -3.5, -3,5: left as they are
_FORMULA_FIRST = frozenset(FORMULA_START)
_PLAIN_NEGATIVE_NUMBER = re.compile(PLAIN_NEGATIVE_NUMBER)


def score_frame(
    df: pd.DataFrame,
    checklist: str,
    context: Context | str = Context.case_conference,
    checklists: dict[str, Checklist] | None = None,
) -> pd.DataFrame:
    """Return a copy of `df` with score, score_max, completeness and level added.

    Item columns hold yes / no / unknown, or empty (not asked); other columns pass through.
    `context` decides the form, and so score_max and completeness; it defaults to the full form.
    """
    from risk.checklists import default_checklists
    from risk.scoring import compile_checklist, score_arrays

    checklists = checklists if checklists is not None else default_checklists()
    problems: list[str] = []
    cl = checklists.get(checklist)
    try:
        ctx = Context(context)
    except ValueError:
        problems.append(f"--context: {context!r} is not a context; allowed: {', '.join(c.value for c in Context)}")
    if cl is None:
        problems.append(f"--checklist: unknown checklist {checklist!r}; allowed: {', '.join(checklists)}")
    if problems or cl is None:
        raise InputError(problems)
    cc = compile_checklist(cl)
    columns = [str(c) for c in df.columns]
    problems += column_problems(columns, cl, checklists)
    problems += [
        problem(
            "validation.column_taken",
            c,
            f"column {c!r}: already in the file; rename it, the result is written there",
            column=c,
        )
        for c in ADDED
        if c in columns
    ]
    if problems:
        raise InputError(bounded(problems))
    n, k = len(df), len(cc.ids)
    yes = np.zeros((n, k), dtype=bool)
    known = np.zeros((n, k), dtype=bool)
    answered = np.zeros((n, k), dtype=bool)
    for j, item in enumerate(cc.ids):
        if item not in df.columns:
            continue
        col = df[item]
        values = col.fillna("").astype(str)  # empty cells (NaN when read with default options) = not asked
        is_yes = (values == "yes").to_numpy(dtype=bool)
        is_no = (values == "no").to_numpy(dtype=bool)
        is_unknown = (values == "unknown").to_numpy(dtype=bool)
        ok = is_yes | is_no | is_unknown | (values == "").to_numpy(dtype=bool)
        if not ok.all():
            problems.append(_not_answers(item, np.flatnonzero(~ok), values))
        yes[:, j] = is_yes
        known[:, j] = is_yes | is_no
        answered[:, j] = known[:, j] | is_unknown
    if problems:
        raise InputError(bounded(problems))
    in_form = cc.form_mask(ctx)[None, :] | answered
    now = score_arrays(cc, yes)
    worst = score_arrays(cc, yes | (in_form & ~known))
    out = df.copy()
    out["score"] = now.score
    out["score_max"] = worst.score
    out["completeness"] = np.round((known & in_form).sum(axis=1) / in_form.sum(axis=1), 4)
    out["level"] = np.array([lv.value for lv in LEVEL_ORDER], dtype=object)[now.level]
    return out


def _not_answers(item: str, bad: np.ndarray, values: pd.Series) -> str:
    """The lines (a spreadsheet's numbers) where an item's cell is not an answer: the first five as one text, how
    many more as a number, so a page says "and 3 more" in its own language."""
    first = ", ".join(str(r + 2) for r in bad[:5])
    more = max(0, len(bad) - 5)
    got = short(values.iloc[bad[0]])
    text = (
        f"column {item!r}, line {first}{f' and {more} more' if more else ''}: {got!r} is not an answer; "
        "allowed: yes, no, unknown or empty"
    )
    if more:
        return problem(
            "validation.not_an_answer_more", item, text, column=item, lines=first, more=more, value=printable(got)
        )
    return problem("validation.not_an_answer", item, text, column=item, lines=first, value=printable(got))


def _typed(value: object) -> str:
    """What the user typed, as a problem's parameter: cut short and printable, as in the English message."""
    return printable(short(str(value)))


def _repeated(header: list[str]) -> list[str]:
    return [
        problem(
            "validation.column_repeated",
            c,
            f"column {short(c)!r} appears {n} times; name each column once",
            column=_typed(c),
            times=n,
        )
        for c, n in Counter(header).items()
        if n > 1
    ]


def _near_miss(column: str, cl: ItemsOf) -> str | None:
    """The item a column was probably meant to be: other case, spaces, `dv_` for `dv.`, or no prefix."""
    name = column.strip().lower().replace(" ", "_").replace("-", "_")
    prefix = cl.item_prefix
    if name.startswith(prefix + "_"):
        name = prefix + "." + name[len(prefix) + 1 :]
    elif not name.startswith(prefix + "."):
        name = prefix + "." + name
    return name if name in cl.items and name != column else None


def column_problems(columns: list[str], cl: ItemsOf, checklists: Mapping[str, ItemsOf]) -> list[str]:
    """Columns that cannot be scored as meant: repeated, near misses of an item id, or none an item at all.

    A misspelt item column would otherwise pass through unscored and the level come out too low.
    """
    problems = _repeated(columns)
    items = list(cl.items)
    guesses = 0
    for c in columns:
        if c in cl.items:
            continue
        if c.startswith(cl.item_prefix + "."):
            hint, close = "", []
            if guesses < LIMITS.problems:  # difflib is slow on very many columns: suggest for the first few
                guesses += 1
                close = difflib.get_close_matches(c, items, n=1, cutoff=0.8)
                hint = f"; did you mean {close[0]!r}?" if close else f"; items start with {cl.item_prefix}."
            text = f"column {short(c)!r}: not an item of {cl.id}{hint}"
            if close:
                problems.append(
                    problem("validation.not_an_item_guess", c, text, column=_typed(c), checklist=cl.id, item=close[0])
                )
            else:
                problems.append(
                    problem("validation.not_an_item", c, text, column=_typed(c), checklist=cl.id, prefix=cl.item_prefix)
                )
        elif (item := _near_miss(c, cl)) is not None:
            text = f"column {short(c)!r}: did you mean {item!r}? Item columns are spelt as the item id"
            problems.append(problem("validation.near_miss", c, text, column=_typed(c), item=item))
    if not any(c in cl.items for c in columns):
        others = Counter(
            other.id
            for c in columns
            for other in checklists.values()
            if other.id != cl.id and c.strip().lower().startswith((other.item_prefix + ".", other.item_prefix + "_"))
        )
        belong = "".join(
            f"; {n} column{' belongs' if n == 1 else 's belong'} to {other}" for other, n in others.most_common()
        )
        text = (
            f"no column is an item of {cl.id}, so nothing would be scored; name the columns by item id, "
            f"e.g. {items[0]!r}{belong}"
        )
        if others:
            belongs = tuple(other for other, _ in others.most_common())
            problems.append(
                problem("validation.no_item_column_other", "", text, checklist=cl.id, item=items[0], checklists=belongs)
            )
        else:
            problems.append(problem("validation.no_item_column", "", text, checklist=cl.id, item=items[0]))
    return problems


def neutralise_formulas(df: pd.DataFrame, keep: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """Prefix `'` to cells and column names a spreadsheet would run as a formula (OWASP CSV injection).

    For writing a table out. A plain negative number (-3, -3.5, -3,5) is left as it is. Columns in
    `keep` (answers and results, already checked) are not scanned, which keeps large files fast.
    The text columns are scanned as one array: per-column pandas calls cost minutes on a wide table.
    """
    import pandas as pd

    names = list(df.columns)
    dtypes = list(df.dtypes)
    scan = [
        j
        for j, c in enumerate(names)
        if c not in keep and (pd.api.types.is_object_dtype(dtypes[j]) or pd.api.types.is_string_dtype(dtypes[j]))
    ]
    out = df.copy()
    if scan:
        block = df.iloc[:, scan].to_numpy(dtype=object, copy=True)  # a single column may be a read-only view
        flat = block.ravel()
        marks = np.fromiter(map(_is_formula, flat), dtype=bool, count=flat.size)
        if marks.any():
            flat[marks] = ["'" + v for v in flat[marks]]
            scanned_at = set(scan)
            rest = [j for j in range(len(names)) if j not in scanned_at]
            scanned = pd.DataFrame(flat.reshape(block.shape), columns=scan, index=df.index, dtype=object)
            out = pd.concat([scanned, df.iloc[:, rest].set_axis(rest, axis=1)], axis=1)[list(range(len(names)))]
    out.columns = ["'" + c if isinstance(c, str) and _is_formula(c) else c for c in names]
    return out


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and value[:1] in _FORMULA_FIRST and _PLAIN_NEGATIVE_NUMBER.fullmatch(value) is None


def _header_row(head: bytes, truncated: bool, sep: str, source: str) -> list[str]:
    """The column names in the first bytes of a CSV, as csv would read them with separator `sep`."""
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        if not truncated or e.start < len(head) - 3:
            raise InputError([_not_utf8(source, e.start)]) from None
        text = head[: e.start].decode("utf-8-sig")  # a character cut at the end of the bytes read
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        row = next(reader, [])
    except csv.Error as e:
        raise InputError([_not_csv(source, str(e))]) from None
    try:  # the first line ended if a second begins within the bytes read; pandas judges that line itself
        ended = not truncated or next(reader, None) is not None
    except csv.Error:
        ended = True
    if not ended:
        text = f"{source}: the first line is longer than {LIMITS.header_bytes:,} bytes; too many columns"
        raise InputError([problem("validation.header_too_long", "file", text, file=_typed(source))])
    return row


def _not_utf8(source: str, byte: int) -> str:
    text = f"{source}: not UTF-8 text at byte {byte:,}; save it as CSV UTF-8"
    return problem("validation.not_utf8", "file", text, file=_typed(source), byte=byte)


def _not_csv(source: str, why: str) -> str:
    """A file the CSV parser refuses; `why` is the parser's English, kept for the command line and the logs only."""
    return problem("validation.not_csv", "file", f"{source}: not a valid CSV file: {why}", file=_typed(source))


def _empty(source: str) -> str:
    text = f"{source}: the file is empty; the first line must name the columns"
    return problem("validation.file_empty", "file", text, file=_typed(source))


def choose_separator(head: bytes, truncated: bool, cl: ItemsOf, source: str) -> str:
    """The separator under which the header names the most item columns (then near misses, then columns)."""

    def rank(sep: str) -> tuple[int, int, int]:
        row = _header_row(head, truncated, sep, source)
        return (sum(c in cl.items for c in row), sum(_near_miss(c, cl) is not None for c in row), len(row))

    return max(SEPARATORS, key=rank)


def read_answers_csv(
    source: str, checklist: str, sep: str | None = None, checklists: Mapping[str, ItemsOf] | None = None
) -> tuple[pd.DataFrame, str]:
    """Read a CSV of answers for `score`, with its separator (given, or detected from the header).

    Refuses, before pandas parses anything, a file larger than LIMITS.csv_bytes, a header of more than
    LIMITS.columns columns or longer than LIMITS.header_bytes, and repeated column names: wide headers
    are where pandas' time and memory grow faster than the file.
    """
    opened = open_answers_csv(source, checklist, sep, checklists)
    return read_opened_csv(opened), opened.sep


@dataclass(frozen=True)
class OpenedCsv:
    """A CSV checked up to its header: where its bytes are, its columns and separator."""

    source: str
    data: str | io.BytesIO  # a regular file's path (read from there: no second copy), or its bytes
    header: list[str]
    sep: str


def open_answers_csv(
    source: str, checklist: str, sep: str | None = None, checklists: Mapping[str, ItemsOf] | None = None
) -> OpenedCsv:
    """The checks of read_answers_csv before any parser runs: size, header, separator, repeated names."""
    if checklists is None:
        from risk.checklists import default_checklists

        checklists = default_checklists()
    cl = checklists.get(checklist)
    if cl is None:
        raise InputError([f"--checklist: unknown checklist {checklist!r}; allowed: {', '.join(checklists)}"])
    return open_csv(source, sep, lambda head, truncated: choose_separator(head, truncated, cl, source))


def choose_by_columns(head: bytes, truncated: bool, wanted: set[str], source: str) -> str:
    """The separator under which the header names the most of the `wanted` columns (then the most columns)."""

    def rank(sep: str) -> tuple[int, int]:
        row = _header_row(head, truncated, sep, source)
        return (sum(c in wanted for c in row), len(row))

    return max(SEPARATORS, key=rank)


def read_csv_table(source: str, sep: str | None, choose: Callable[[bytes, bool], str]) -> tuple[pd.DataFrame, str]:
    """Read a CSV as text cells with the limits of `read_answers_csv`; `choose(head, truncated)` picks the
    separator when `sep` is None."""
    opened = open_csv(source, sep, choose)
    return read_opened_csv(opened), opened.sep


def open_csv(source: str, sep: str | None, choose: Callable[[bytes, bool], str]) -> OpenedCsv:
    """The checks of `read_csv_table` before any parser runs: size, header, separator, repeated names."""
    sep = _typed_separator(sep)
    data: str | io.BytesIO  # a regular file is read by the parser from its path: no second copy in memory
    too_large = f"a CSV file larger than {LIMITS.csv_bytes:,} bytes; split it"
    try:
        if source == "-":
            data = io.BytesIO(read_bounded(sys.stdin.buffer, LIMITS.csv_bytes, "standard input", "a CSV file"))
            head = data.read(LIMITS.header_bytes + 1)
            data.seek(0)
        else:
            info = os.stat(source)
            if stat.S_ISDIR(info.st_mode):
                raise InputError([f"{source}: is a folder; give a CSV file"])
            if stat.S_ISREG(info.st_mode) and info.st_size > LIMITS.csv_bytes:
                raise InputError([f"{source}: {too_large}"])
            with open(source, "rb") as f:
                if stat.S_ISREG(info.st_mode):
                    data, head = source, f.read(LIMITS.header_bytes + 1)
                else:  # a pipe or device: read once, bounded
                    data = io.BytesIO(read_bounded(f, LIMITS.csv_bytes, source, "a CSV file"))
                    head = data.read(LIMITS.header_bytes + 1)
                    data.seek(0)
    except FileNotFoundError:
        raise InputError([f"{source}: no such file"]) from None
    except OSError as e:
        raise InputError([f"{source}: cannot be read: {e.strerror}"]) from None
    return _opened(data, head, source, sep, choose)


def read_csv_upload(
    raw: bytes, source: str, sep: str | None, choose: Callable[[bytes, bool], str]
) -> tuple[pd.DataFrame, str]:
    """A CSV already in memory (an upload), with the limits of `read_csv_table`; `source` names it in messages."""
    if len(raw) > LIMITS.csv_bytes:
        raise InputError([f"{source}: a CSV file larger than {LIMITS.csv_bytes:,} bytes; split it"])
    opened = _opened(io.BytesIO(raw), raw[: LIMITS.header_bytes + 1], source, _typed_separator(sep), choose)
    return read_opened_csv(opened), opened.sep


def _typed_separator(sep: str | None) -> str | None:
    sep = "\t" if sep in ("\\t", "tab") else sep  # what people type for a tab
    if sep is not None and (len(sep) != 1 or sep in '"\r\n'):
        raise InputError([f"--sep: {sep!r} is not a separator; give one character such as , ; or a tab"])
    return sep


def _opened(
    data: str | io.BytesIO, head: bytes, source: str, sep: str | None, choose: Callable[[bytes, bool], str]
) -> OpenedCsv:
    if not head.strip():
        raise InputError([_empty(source)])
    truncated = len(head) > LIMITS.header_bytes
    head = head[: LIMITS.header_bytes]
    sep = sep if sep is not None else choose(head, truncated)
    header = _header_row(head, truncated, sep, source)
    if len(header) > LIMITS.columns:
        text = f"{source}: {len(header):,} columns; at most {LIMITS.columns:,} are allowed"
        raise InputError(
            [
                problem(
                    "validation.too_many_columns",
                    "file",
                    text,
                    file=_typed(source),
                    columns=len(header),
                    most=LIMITS.columns,
                )
            ]
        )
    repeated = _repeated(header)
    if repeated:
        raise InputError(bounded(repeated))
    return OpenedCsv(source, data, header, sep)


def read_opened_csv(opened: OpenedCsv) -> pd.DataFrame:
    """Parse a checked CSV with pandas, every cell a string."""
    import pandas as pd

    source, data, sep = opened.source, opened.data, opened.sep
    try:
        df = pd.read_csv(data, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig", engine="c")
    except UnicodeDecodeError as e:
        raise InputError([_not_utf8(source, e.start)]) from None
    except pd.errors.EmptyDataError:
        raise InputError([_empty(source)]) from None
    except (pd.errors.ParserError, ValueError, csv.Error) as e:
        raise InputError(bounded([_not_csv(source, str(e).strip())])) from None
    if not isinstance(df.index, pd.RangeIndex):  # pandas takes a surplus first field as the row index
        n = len(df.columns)
        text = f"{source}: not a valid CSV file: line 2 has more fields than the {n} the first line names"
        raise InputError([problem("validation.extra_fields", "file", text, file=_typed(source), columns=n)])
    return df
