"""Checklists as data: the YAML files of checklists/ loaded into validated models.

An agency adapts a checklist by editing YAML; this module makes sure a broken edit
stops loading with a message that names the file, the item and the field.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from risk.checklist_files import CHECKLIST_DIR as CHECKLIST_DIR
from risk.checklist_files import CHECKLIST_FILES as CHECKLIST_FILES
from risk.checklist_files import ITEM_ID as ITEM_ID
from risk.conditions import (
    AnswersCondition,
    CountYes,
    SectionLevelAtLeast,
    YesAll,
    YesAny,
    walk,
)
from risk.errors import ChecklistError, describe
from risk.text import Text
from risk.vocabulary import Context, Gender, PersonRole, RiskLevel
from risk.yaml_files import read_yaml as read_yaml  # the files are read there; the name stays here too


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class ItemHelp(Strict):
    how_to_ask: Text = Field(description="How to ask the question safely and plainly")
    what_counts: Text = Field(description="What counts as yes; what does not")
    guidance: list[str] = Field(
        default_factory=list, description="Ids of knowledge/ entries that say more (risk/guidance.py checks them)"
    )


class Item(Strict):
    id: str = Field(pattern=ITEM_ID.pattern, description="Canonical item id; never reuse or rename")
    text: Text = Field(description="The question as asked")
    help: ItemHelp
    points: StrictInt = Field(ge=0, le=20, description="Points a yes adds to the score")
    critical: bool = Field(False, description="A yes raises the checklist to at least the critical level on its own")
    level: RiskLevel | None = Field(None, description="highest_positive sections: the level a yes gives")
    evidence: str = Field(min_length=1, description="Why this item and weight: source and effect size")
    forms: list[str] = Field(min_length=1, description="Forms (short, full, ...) that ask this item")


class Band(Strict):
    min: StrictInt = Field(ge=0, description="Lowest score (or count) of this band")
    level: RiskLevel


class Section(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: Text
    scoring: Literal["weighted_sum", "highest_positive", "count"] = Field(
        description="weighted_sum: points against bands; highest_positive: the highest level of any yes; "
        "count: number of yes against bands"
    )
    bands: list[Band] = Field(default_factory=list)
    items: list[Item] = Field(min_length=1)


class Form(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: Text
    contexts: list[Context] = Field(min_length=1)


class LevelRule(Strict):
    id: str = Field(min_length=1)
    level: RiskLevel
    when: AnswersCondition
    explanation: Text
    source: str | None = Field(
        None,
        min_length=1,
        description="The published instrument or study the combination comes from; shown with the result",
    )


class PopulationLimit(Strict):
    """One way a subject can fall outside the population the evidence comes from.

    Every criterion given must hold; the note says why the result needs extra caution then.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    subject_age_below: StrictInt | None = Field(None, ge=0)
    subject_age_at_least: StrictInt | None = Field(None, ge=0)
    subject_gender: list[Gender] | None = Field(None, min_length=1, description="The subject's gender is one of these")
    same_gender_as_about: bool = Field(
        False, description="The subject and the person the items are about (the suspect) have the same known gender"
    )
    answers_yes: list[str] | None = Field(None, min_length=1, description="Any of these items answered yes")
    source: str = Field(min_length=1, description="Where the population of the evidence is described")
    note: Text


class ValidatedPopulation(Strict):
    subject_min_age: StrictInt | None = None
    subject_max_age: StrictInt | None = None
    note: Text
    outside: list[PopulationLimit] = Field(
        default_factory=list, description="Conditions under which the subject is outside the validated population"
    )


class Checklist(Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    version: str = Field(min_length=1)
    title: Text
    description: Text
    item_prefix: str = Field(pattern=r"^[a-z]+$", description="Every item id starts with this and a dot")
    subject_roles: list[PersonRole] = Field(min_length=1, description="Roles this checklist is usually about")
    about_role: PersonRole | None = Field(None, description="The other person the items are about, if any")
    critical_level: RiskLevel = RiskLevel.high
    total_bands: list[Band] = Field(
        default_factory=list,
        description="Bands over the points of all weighted_sum sections that have no bands of their own",
    )
    forms: list[Form] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    level_rules: list[LevelRule] = Field(default_factory=list)
    validated_population: ValidatedPopulation | None = None

    @functools.cached_property
    def items(self) -> dict[str, Item]:
        return {item.id: item for section in self.sections for item in section.items}

    @functools.cached_property
    def section_of(self) -> dict[str, str]:
        return {item.id: section.id for section in self.sections for item in section.items}

    @functools.cached_property
    def critical_items(self) -> frozenset[str]:
        return frozenset(i.id for i in self.items.values() if i.critical)

    def form_for(self, context: Context) -> Form:
        for form in self.forms:
            if context in form.contexts:
                return form
        raise KeyError(context)  # unreachable for a loaded checklist: every context has a form

    def form_items(self, context: Context) -> list[str]:
        form = self.form_for(context).id
        return [i.id for i in self.items.values() if form in i.forms]


def _consistency(cl: Checklist) -> list[str]:
    """Rules across fields that pydantic cannot see one field at a time."""
    problems: list[str] = []
    form_ids = [f.id for f in cl.forms]
    for ctx in Context:
        owners = [f.id for f in cl.forms if ctx in f.contexts]
        if len(owners) != 1:
            problems.append(f"forms: context {ctx.value} must be in exactly one form, is in {owners or 'none'}")
    seen: set[str] = set()
    for s in cl.sections:
        where = f"sections[{s.id}]"
        if s.scoring == "highest_positive":
            if s.bands:
                problems.append(f"{where}.bands: a highest_positive section takes its levels from items, not bands")
        elif s.scoring == "count" and not s.bands:
            problems.append(f"{where}.bands: a count section needs bands")
        elif not s.bands and not cl.total_bands:
            problems.append(f"{where}.bands: give the section bands, or the checklist total_bands")
        if s.bands and s.bands[0].min != 0:
            problems.append(f"{where}.bands: the first band must start at min 0")
        mins = [b.min for b in s.bands]
        if mins != sorted(set(mins)):
            problems.append(f"{where}.bands: min values must be strictly increasing, got {mins}")
        ranks = [b.level.rank for b in s.bands]
        if ranks != sorted(ranks):
            problems.append(f"{where}.bands: levels must not go down as the score rises")
        for item in s.items:
            at = f"{where}.items[{item.id}]"
            if item.id in seen:
                problems.append(f"{at}.id: duplicate item id {item.id}")
            seen.add(item.id)
            if not item.id.startswith(cl.item_prefix + "."):
                problems.append(f"{at}.id: must start with {cl.item_prefix}.")
            if s.scoring == "highest_positive" and item.level is None:
                problems.append(
                    f"{at}.level: required in a highest_positive section (one of low, moderate, high, severe)"
                )
            if s.scoring != "highest_positive" and item.level is not None:
                problems.append(f"{at}.level: only highest_positive sections give items a level")
            for f in item.forms:
                if f not in form_ids:
                    problems.append(f"{at}.forms: unknown form {f!r}; forms of this checklist: {', '.join(form_ids)}")
            if item.critical and set(form_ids) - set(item.forms):
                problems.append(f"{at}.forms: a critical item must be asked in every form ({', '.join(form_ids)})")
    if cl.total_bands and cl.total_bands[0].min != 0:
        problems.append("total_bands: the first band must start at min 0")
    total_mins = [b.min for b in cl.total_bands]
    if total_mins != sorted(set(total_mins)) or [b.level.rank for b in cl.total_bands] != sorted(
        b.level.rank for b in cl.total_bands
    ):
        problems.append("total_bands: min values must increase and levels must not go down")
    section_ids = [s.id for s in cl.sections]
    if len(section_ids) != len(set(section_ids)):
        problems.append("sections: duplicate section id")
    for rule in cl.level_rules:
        for node in walk(rule.when):
            names: list[str] = []
            if isinstance(node, (YesAny, YesAll)):
                names = node.ids
            elif isinstance(node, CountYes):
                names = node.ids or []
            elif isinstance(node, SectionLevelAtLeast) and node.section not in section_ids:
                problems.append(f"level_rules[{rule.id}].when: unknown section {node.section!r}")
            for name in names:
                if name not in cl.items:
                    problems.append(f"level_rules[{rule.id}].when: unknown item {name!r}")
                    continue
                # a rule fires on every form, so a form that does not ask one of its items hides it
                missing_from = [f for f in form_ids if f not in cl.items[name].forms]
                if missing_from:
                    problems.append(
                        f"level_rules[{rule.id}].when: item {name} is not asked in form(s) {', '.join(missing_from)}; "
                        f"add them to the item's forms, since the rule can fire on every form"
                    )
    rule_ids = [r.id for r in cl.level_rules]
    if len(rule_ids) != len(set(rule_ids)):
        problems.append("level_rules: duplicate rule id")
    if cl.validated_population is not None:
        for limit in cl.validated_population.outside:
            at = f"validated_population.outside[{limit.id}]"
            if not (
                limit.subject_age_below is not None
                or limit.subject_age_at_least is not None
                or limit.subject_gender
                or limit.same_gender_as_about
                or limit.answers_yes
            ):
                problems.append(
                    f"{at}: give at least one condition (subject_age_below, subject_age_at_least, "
                    "subject_gender, same_gender_as_about, answers_yes)"
                )
            if limit.same_gender_as_about and cl.about_role is None:
                problems.append(f"{at}.same_gender_as_about: the checklist has no about_role")
            for name in limit.answers_yes or []:
                if name not in cl.items:
                    problems.append(f"{at}.answers_yes: unknown item {name!r}")
                elif set(form_ids) - set(cl.items[name].forms):
                    problems.append(
                        f"{at}.answers_yes: item {name} must be asked in every form ({', '.join(form_ids)})"
                    )
    return problems


def _locate(raw: Any, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into a path that names sections and items by id."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            label = node.get("id") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]}[{label if label else key}]" if parts else f"[{key}]"
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


M = TypeVar("M", bound=BaseModel)


def validate_file(model: type[M], raw: Any, source: str) -> M:
    """Validate one YAML file's content; every problem named by file, item id and field."""
    if not isinstance(raw, dict):
        raise ChecklistError([f"{source}: expected a mapping at the top level"])
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        raise ChecklistError(
            [f"{source}: {_locate(raw, tuple(err['loc']))}: {describe(err)}" for err in e.errors()]
        ) from None


def parse_checklist(raw: Any, source: str) -> Checklist:
    cl = validate_file(Checklist, raw, source)
    problems = _consistency(cl)
    if problems:
        raise ChecklistError([f"{source}: {p}" for p in problems])
    return cl


def load_checklists(directory: Path = CHECKLIST_DIR) -> dict[str, Checklist]:
    """Load and check every checklist; all problems of all files are reported together."""
    problems: list[str] = []
    loaded: dict[str, Checklist] = {}
    owner: dict[str, str] = {}
    for name in CHECKLIST_FILES:
        path = directory / f"{name}.yaml"
        try:
            cl = parse_checklist(read_yaml(path), path.name)
        except ChecklistError as e:
            problems.extend(e.problems)
            continue
        if cl.id != name:
            problems.append(f"{path.name}: id: must be {name!r} (the file name), got {cl.id!r}")
        for item_id in cl.items:
            if item_id in owner:
                problems.append(f"{path.name}: items[{item_id}].id: also defined in {owner[item_id]}")
            owner[item_id] = path.name
        loaded[cl.id] = cl
    if problems:
        raise ChecklistError(problems)
    return loaded


@functools.cache
def default_checklists() -> dict[str, Checklist]:
    return load_checklists()


def checklist_schema() -> dict[str, Any]:
    """JSON Schema of a checklist file, for editor autocompletion of the YAML."""
    return Checklist.model_json_schema()
