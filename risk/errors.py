"""Errors that carry every problem found, so a user can fix them all in one go."""

from __future__ import annotations

from typing import Any


class SamriskError(Exception):
    """Base of the errors the command line turns into exit status 2."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


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
