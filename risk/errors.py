"""Errors that carry every problem found, so a user can fix them all in one go.

Each problem is kept twice over: as English text (the command line, the logs and the API read `problems`, as
before) and as data (`details`: a code, the field and the parameters), so a page says it in its own language from
locales/*.yaml without ever parsing the English back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

Param = str | int | tuple[str, ...]


class Problem(str):
    """One thing to fix: the English text itself (so every reader of `problems` today — the command line, the
    logs, the audit trail's JSON, tests — reads it as before), and as data: `code` names its text in the locale
    files (`problems.<code>`; "" for a problem that has none: pages then show a generic message), `field` what to
    fix, `params` the text's placeholders — codes of the vocabulary (agency, role, checklist, …) that a page says
    in words, and values as the user typed them (shown as plain text)."""

    code: str
    field: str
    params: Mapping[str, Param]

    def __new__(cls, code: str, field: str, text: str, params: Mapping[str, Param] | None = None) -> Problem:
        self = super().__new__(cls, text)
        self.code, self.field, self.params = code, field, MappingProxyType(dict(params or {}))
        return self

    def __getnewargs__(self) -> tuple[str, str, str, dict[str, Param]]:  # type: ignore[override]
        return self.code, self.field, str(self), dict(self.params)

    def __getstate__(self) -> None:  # everything is in the new-args above (a mappingproxy does not pickle)
        return None

    def __repr__(self) -> str:
        return f"Problem({self.code!r}, {self.field!r}, {str(self)!r}, {dict(self.params)!r})"


def problem(code: str, field: str, text: str, **params: Param) -> Problem:
    """A problem with a code: `text` is the English kept for the command line and the logs."""
    return Problem(code, field, text, params)


def as_problems(problems: Sequence[str]) -> list[Problem]:
    """Problems as data; a plain string becomes a problem without a code."""
    return [p if isinstance(p, Problem) else Problem("", "", str(p)) for p in problems]


class SamriskError(Exception):
    """Base of the errors the command line turns into exit status 2."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        self.details = as_problems(self.problems)
        super().__init__("\n".join(self.problems))


class InputError(SamriskError):
    """A case file, CSV or argument that does not follow the contract."""


class ChecklistError(SamriskError):
    """A checklist or rule file in checklists/ that does not load."""


def describe(err: Any) -> str:
    """A pydantic error in words a person editing a file understands."""
    kind = err.get("type", "")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field; remove it or check its spelling"
    got = err.get("input")
    shown = f" (got {got!r})" if not isinstance(got, (dict, list)) else ""
    return f"{err['msg']}{shown}"
