"""The law navigator's questions as data: checklists/situations.yaml, its model, and loading it checked.

A situation is a few checklist items answered yes; `permissive_provisions` and `limits` say how the navigator
(risk/navigator.py) reads the steps the engine selects for them. Every name the file uses must exist.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from risk.checklists import CHECKLIST_DIR, Checklist, default_checklists
from risk.errors import ChecklistError
from risk.rules import Rules, _parse, default_rules
from risk.text import Text
from risk.vocabulary import Agency

SITUATIONS_FILE = CHECKLIST_DIR / "situations.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SituationRule(_Strict):
    """One thing that happened or may happen, as the checklist items it answers yes."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: Text
    checklist: str | None = Field(None, description="The checklist whose items `yes` are")
    yes: list[str] = Field(default_factory=list, description="Items answered yes in that checklist")
    adds_child: bool = Field(False, description="A child is registered in the household")
    example_age: int | None = Field(None, description="The person's age in the law overview's example")

    @model_validator(mode="after")
    def _items_need_checklist(self) -> SituationRule:
        if bool(self.yes) != (self.checklist is not None):
            raise ValueError("give both checklist and yes, or neither")
        return self


class Limit(_Strict):
    """Something the law does not allow an agency, shown while no step gives it a ground."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    agencies: list[Agency] = Field(min_length=1)
    provisions: list[str] = Field(min_length=1)
    unless_steps: list[str] = Field(default_factory=list)
    text: Text


class SituationFile(_Strict):
    version: str
    permissive_provisions: list[str] = Field(description="Provision ids that allow sharing without obliging it")
    situations: list[SituationRule] = Field(min_length=1)
    limits: list[Limit] = Field(default_factory=list)


class Navigator(BaseModel):
    """The situation file, checked against the checklists and rules it names."""

    model_config = ConfigDict(frozen=True)

    file: SituationFile
    rules: Rules
    checklists: dict[str, Checklist]

    @functools.cached_property
    def situations(self) -> dict[str, SituationRule]:
        return {s.id: s for s in self.file.situations}

    @functools.cached_property
    def item_situation(self) -> dict[str, str]:
        """Each item to the first situation that answers it, to say why a step was selected."""
        out: dict[str, str] = {}
        for s in self.file.situations:
            for item in s.yes:
                out.setdefault(item, s.id)
        return out


def load_navigator(
    path: Path = SITUATIONS_FILE, rules: Rules | None = None, checklists: dict[str, Checklist] | None = None
) -> Navigator:
    """Load situations.yaml; every checklist, item, provision and step it names must exist."""
    checklists = checklists if checklists is not None else default_checklists()
    rules = rules if rules is not None else default_rules()
    file: SituationFile = _parse(SituationFile, path)  # type: ignore[arg-type]
    name = path.name
    problems: list[str] = []
    steps = {s.id for s in rules.steps.steps}
    problems += [
        f"{name}: permissive_provisions: unknown provision {p!r}"
        for p in file.permissive_provisions
        if p not in rules.provisions
    ]
    seen: set[str] = set()
    for s in file.situations:
        where = f"{name}: situations[{s.id}]"
        if s.id in seen:
            problems.append(f"{where}.id: duplicate")
        seen.add(s.id)
        if s.checklist is not None and s.checklist not in checklists:
            problems.append(f"{where}.checklist: unknown checklist {s.checklist!r}")
        elif s.checklist is not None:
            problems += [
                f"{where}.yes: {i!r} is not an item of {s.checklist}"
                for i in s.yes
                if i not in checklists[s.checklist].items
            ]
    for lim in file.limits:
        where = f"{name}: limits[{lim.id}]"
        problems += [
            f"{where}.provisions: unknown provision {p!r}" for p in lim.provisions if p not in rules.provisions
        ]
        problems += [f"{where}.unless_steps: unknown step {s!r}" for s in lim.unless_steps if s not in steps]
    if problems:
        raise ChecklistError(problems)
    return Navigator(file=file, rules=rules, checklists=checklists)


@functools.cache
def default_navigator() -> Navigator:
    return load_navigator()


def situation_schema() -> dict[str, Any]:
    return SituationFile.model_json_schema()
