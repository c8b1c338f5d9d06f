"""Limits on what a case file or CSV may be, checked before any work that grows faster than the input.

A case file or CSV comes from outside: a mistaken export, a spreadsheet, or someone probing the tool.
Everything here runs in time linear in the input and stops at the first limit, so a hostile file is
refused in well under a second, and a message never echoes more than a short part of the input.
The limits are stated in README.md and docs/security.md; change them there too.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from typing import IO, Any

from risk.errors import InputError, Problem, problem


@dataclass
class Limits:
    """What one input may hold. Far above any real case; low enough to keep time and memory small."""

    case_bytes: int = 2 * 1024 * 1024  # a case file, in bytes
    depth: int = 16  # nesting of objects and lists; a case file needs 5
    string_chars: int = 10_000  # one text, e.g. an override's reason
    int_digits: int = 18  # one whole number
    persons: int = 100
    consents: int = 100
    assessments: int = 200
    overrides: int = 200
    answers: int = 1_000  # answers in one assessment
    csv_bytes: int = 2 * 1024 * 1024 * 1024  # a CSV for `score`, in bytes
    columns: int = 2_000  # columns of a CSV
    header_bytes: int = 256 * 1024  # the header line of a CSV
    problems: int = 50  # problems listed; the rest are counted
    echo_chars: int = 40  # characters of a value shown in a message
    message_chars: int = 400  # characters of one message


LIMITS = Limits()

_LISTS = ("persons", "consents", "assessments", "overrides")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters a terminal or log would act on rather than show: controls, line and paragraph
# separators, bidirectional overrides, and surrogates (which cannot even be written as UTF-8).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` with every unprintable character written as its escape, e.g. \\x1b, so a message stays one line."""
    return _UNPRINTABLE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def shown(value: Any) -> str:
    """A value as a message may show it: a bounded repr, containers named rather than printed."""
    if isinstance(value, str):
        n = LIMITS.echo_chars
        return repr(value[:n]) + (f"… ({len(value):,} characters)" if len(value) > n else "")
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if abs(value).bit_length() < 64 else "a very large number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


def short(value: Any) -> str:
    """A value for a message without quotes: text cut to a few words, anything else as `shown`."""
    if isinstance(value, str):
        return value if len(value) <= LIMITS.echo_chars else value[: LIMITS.echo_chars] + "…"
    return shown(value)


def with_short_input(err: Any) -> Any:
    """A pydantic error whose echoed input is cut short, for risk.errors.describe."""
    got = err.get("input")
    return {**err, "input": short(got)} if isinstance(got, str) and len(got) > LIMITS.echo_chars else err


def bounded(problems: list[str]) -> list[str]:
    """At most LIMITS.problems messages of at most LIMITS.message_chars each, then how many more there are.

    A coded problem (risk/errors.py Problem) keeps its code and parameters, so a page still says it in its own
    language; only its English is made printable and cut."""
    n = LIMITS.problems
    cut = [_bounded_one(p) for p in problems[:n]]
    if len(problems) <= n:
        return cut
    more = len(problems) - n
    return [*cut, problem("more_problems", "", f"… and {more} more problems; fix these first", more=more)]


def _bounded_one(text: str) -> str:
    width = LIMITS.message_chars
    line = printable(text)
    line = line if len(line) <= width else line[:width] + "…"
    if isinstance(text, Problem):
        return text if line == text else Problem(text.code, text.field, line, text.params)
    return line


def _digits_problem(path: str, digits: int) -> str:
    return f"{path}: a number of {digits} digits; at most {LIMITS.int_digits} digits are allowed"


def _digits(value: int) -> str:
    """The digits of a whole number, or a placeholder as long as them when too long to convert quickly."""
    bits = abs(value).bit_length()
    if bits < 200:
        return str(abs(value))
    return "9" * (int(bits * 0.30103) + 1)  # log10(2): the digit count, give or take one


def _where(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(case)"


def check_case_shape(raw: Any) -> None:
    """Refuse a case (a dict from JSON, or built in Python) too deep, too large or with broken text.

    Walks the value once, without recursion. Raises InputError naming the first problems found.
    """
    if not isinstance(raw, dict):
        return
    problems: list[str] = []
    for key in _LISTS:
        value = raw.get(key)
        limit = getattr(LIMITS, key)
        if isinstance(value, (list, dict)) and len(value) > limit:
            problems.append(f"{key}: {len(value):,} {key}; at most {limit} are allowed in one case")
    assessments = raw.get("assessments")
    for n, a in enumerate(assessments if isinstance(assessments, list) else []):
        answers = a.get("answers") if isinstance(a, dict) else None
        if isinstance(answers, (dict, list)) and len(answers) > LIMITS.answers:
            problems.append(f"assessments[{n}].answers: {len(answers):,} answers; at most {LIMITS.answers} are allowed")
    if problems:
        raise InputError(problems)
    stack: list[tuple[Any, list[str | int]]] = [(raw, [])]
    while stack and len(problems) < LIMITS.problems:
        value, path = stack.pop()
        if len(path) > LIMITS.depth:
            problems.append(f"{_where(path[: LIMITS.depth])}: nested more than {LIMITS.depth} levels deep")
            continue
        if isinstance(value, str):
            if len(value) > LIMITS.string_chars:
                problems.append(
                    f"{_where(path)}: a text of {len(value):,} characters; at most {LIMITS.string_chars:,} are allowed"
                )
            elif (bad := _SURROGATE.search(value)) is not None:
                problems.append(
                    f"{_where(path)}: contains a lone surrogate (\\u{ord(bad[0]):04x}), which is not a character;"
                    " save the file as UTF-8 text"
                )
        elif isinstance(value, bool):
            continue
        elif isinstance(value, TooManyDigits):
            problems.append(_digits_problem(_where(path), value.digits))
        elif isinstance(value, int):
            if len(str_digits := _digits(value)) > LIMITS.int_digits:
                problems.append(_digits_problem(_where(path), len(str_digits)))
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if isinstance(key, str) and (len(key) > LIMITS.string_chars or _SURROGATE.search(key)):
                    problems.append(f"{_where(path)}: a field name that is too long or not text: {shown(key)}")
                    continue
                stack.append((item, [*path, key if isinstance(key, str) else str(key)]))
        elif isinstance(value, (list, tuple)):
            stack.extend((item, [*path, i]) for i, item in reversed(list(enumerate(value))))
    if problems:
        raise InputError(bounded(problems))


class TooManyDigits:
    """Stands in for a whole number too long to convert, so the case check can name where it is."""

    def __init__(self, digits: int):
        self.digits = digits


def _parse_int(text: str) -> int | TooManyDigits:
    digits = len(text.lstrip("-"))
    return TooManyDigits(digits) if digits > LIMITS.int_digits else int(text)


def _parse_constant(name: str) -> Any:
    raise InputError([f"{name} is not JSON; write a number, or leave the field out"])


def read_bounded(stream: IO[bytes], limit: int, source: str, what: str) -> bytes:
    """Read at most `limit` bytes; refuse a larger input rather than reading all of it."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError([f"{source}: {what} larger than {limit:,} bytes; split it or leave out what is not needed"])
    return data


def read_source(source: str, limit: int, what: str) -> bytes:
    """At most `limit` bytes of the file `source`, or of standard input for "-" (the command line's convention).
    An unreadable file raises OSError: the caller names the option it came from."""
    if source == "-":
        return read_bounded(sys.stdin.buffer, limit, "standard input", what)
    with open(source, "rb") as f:
        return read_bounded(f, limit, source, what)


def load_case_json(data: bytes, source: str) -> Any:
    """Parse a case file's bytes into plain values, refusing what would break or stall a JSON parser.

    A number too long to convert is kept as TooManyDigits, which check_case_shape reports with its path.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError([f"{source}: not UTF-8 text at byte {e.start:,}; save the case file as UTF-8 JSON"]) from None
    try:
        return json.loads(text, parse_int=_parse_int, parse_constant=_parse_constant)
    except json.JSONDecodeError as e:
        raise InputError([f"{source}: not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}"]) from None
    except RecursionError:
        raise InputError([f"{source}: nested more than {LIMITS.depth} levels deep"]) from None
