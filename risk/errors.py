"""Errors that carry every problem found, so a user can fix them all in one go."""

from __future__ import annotations


class SamriskError(Exception):
    """Base of the errors the command line turns into exit status 2."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class InputError(SamriskError):
    """A case file, CSV or argument that does not follow the contract."""


class ChecklistError(SamriskError):
    """A checklist or rule file in checklists/ that does not load."""
