"""A checklist as the arrays scoring needs, read straight from its YAML: for `score`, which must start fast.

`python -m risk score` scores a million rows with numpy, and building the pydantic models of risk.checklists
(importing pydantic, the conditions and the result models, then validating every text) cost a third of its
start-up. This module reads one checklist's YAML with libyaml (risk.yaml_files) and keeps only what the
arithmetic of risk.scoring.score_arrays uses: weights, critical items, the levels of highest_positive items,
section and total bands, level rules and which items each context's form asks. Every field it keeps is checked
as strictly as the models and `_consistency` check it; anything else (an unexpected shape, a rule operator
batch scoring cannot use) raises `NotPlain`, and the caller loads the models instead, which name the problem
or are turned into the same form by `from_model`. The fields it does not keep (texts, help, evidence) are not
checked here. Tests compare this form with the models' field by field and `score_rows` with `score_arrays`
over every checklist and many answers, unknowns included.

Imports numpy and the small vocabulary only: no pydantic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from risk.checklist_files import CHECKLIST_DIR, CHECKLIST_FILES, ITEM_ID
from risk.errors import ChecklistError
from risk.vocabulary import LEVEL_ORDER, Context
from risk.yaml_files import read_yaml

if TYPE_CHECKING:
    from risk.checklists import Checklist
    from risk.conditions import Condition

SCORINGS = ("weighted_sum", "highest_positive", "count")
_RANK = {lv.value: n for n, lv in enumerate(LEVEL_ORDER)}
_CONTEXTS = frozenset(c.value for c in Context)
# The keys each mapping may have (the models forbid others) and must have.
_KEYS = {
    "checklist": (
        {"id", "version", "title", "description", "item_prefix", "subject_roles", "about_role", "critical_level"}
        | {"total_bands", "forms", "sections", "level_rules", "validated_population"},
        {"id", "version", "title", "description", "item_prefix", "subject_roles", "forms", "sections"},
    ),
    "form": ({"id", "title", "contexts"}, {"id", "title", "contexts"}),
    "section": ({"id", "title", "scoring", "bands", "items"}, {"id", "title", "scoring", "items"}),
    "item": (
        {"id", "text", "help", "points", "critical", "level", "evidence", "forms"},
        {"id", "text", "help", "points", "evidence", "forms"},
    ),
    "rule": ({"id", "level", "when", "explanation", "source"}, {"id", "level", "when", "explanation"}),
}

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
LevelArray = npt.NDArray[np.int8]

# A level rule's condition as plain data (the answers-scope operators that have a vector form):
# ("all", [conds]) ("any", [conds]) ("not", cond) ("yes", [cols]) ("all_yes", [cols])
# ("count_yes", [[cols], ...] or None for the critical items, at_least) ("section_level_at_least", section, rank)
Cond = tuple[Any, ...]


class NotPlain(Exception):
    """This checklist file is not one the plain form reads: load the models (they say what is wrong)."""


@dataclass(frozen=True)
class PlainSection:
    id: str
    scoring: str
    cols: list[int]  # the section's items, as indexes into PlainChecklist.ids
    band_mins: list[int]
    band_ranks: list[int]


@dataclass(frozen=True)
class PlainChecklist:
    """What scoring a table of answers needs of one checklist; the `items` mapping (id -> index) and
    `item_prefix` also serve the header checks of risk.batch, as a Checklist's do."""

    id: str
    item_prefix: str
    items: dict[str, int]  # item id -> its index, in the checklist's order
    points: IntArray
    critical: BoolArray
    item_level: LevelArray  # the level a yes gives in a highest_positive section, else -1
    sections: list[PlainSection]
    total_band_mins: list[int]
    total_band_ranks: list[int]
    critical_rank: int
    rules: list[tuple[str, int, Cond]]  # rule id, level rank, condition
    form_masks: dict[str, BoolArray]  # context -> the items its form asks

    @property
    def ids(self) -> list[str]:
        return list(self.items)

    def form_mask(self, context: Context | str) -> BoolArray:
        return self.form_masks[Context(context).value]


def is_checklist_name(name: str) -> bool:
    return name in CHECKLIST_FILES


def load_plain(name: str, directory: Path = CHECKLIST_DIR) -> PlainChecklist:
    """The plain form of checklists/<name>.yaml; `NotPlain` if the file is not one it reads (or not there)."""
    path = directory / f"{name}.yaml"
    try:
        raw = read_yaml(path)
    except ChecklistError as e:
        raise NotPlain(str(e)) from None
    plain = from_yaml(raw)
    if plain.id != name:
        raise NotPlain(f"{path.name}: id is not the file name")
    return plain


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise NotPlain(what)


def _keys(raw: Any, kind: str) -> dict[str, Any]:
    allowed, required = _KEYS[kind]
    _need(isinstance(raw, dict) and required <= set(raw) <= allowed, f"{kind}: keys")
    _need(isinstance(raw.get("id"), str), f"{kind}: id")
    return dict(raw)


def _int(raw: Any, low: int, high: int | None = None) -> int:
    _need(type(raw) is int and raw >= low and (high is None or raw <= high), f"not a whole number: {raw!r}")
    return int(raw)


def _rank(raw: Any) -> int:
    _need(isinstance(raw, str) and raw in _RANK, f"not a level: {raw!r}")
    return _RANK[raw]


def _list(raw: Any, non_empty: bool = True) -> list[Any]:
    _need(isinstance(raw, list) and (bool(raw) or not non_empty), f"not a list: {raw!r}")
    return list(raw)


def _bands(raw: Any) -> tuple[list[int], list[int]]:
    mins, ranks = [], []
    for band in _list(raw, non_empty=False):
        _need(isinstance(band, dict) and set(band) == {"min", "level"}, f"not a band: {band!r}")
        mins.append(_int(band["min"], 0))
        ranks.append(_rank(band["level"]))
    _need(not mins or mins[0] == 0, "the first band must start at 0")
    _need(mins == sorted(set(mins)) and ranks == sorted(ranks), "bands must rise")
    return mins, ranks


def from_yaml(raw: Any) -> PlainChecklist:
    """The plain form of a checklist file's content, checked as the models check what it keeps."""
    raw = _keys(raw, "checklist")
    cid, prefix = raw.get("id"), raw.get("item_prefix")
    _need(isinstance(cid, str) and re.fullmatch(r"[a-z_]+", cid) is not None, "id")
    _need(isinstance(prefix, str) and re.fullmatch(r"[a-z]+", prefix) is not None, "item_prefix")
    forms: dict[str, list[str]] = {}
    for form in _list(raw.get("forms")):
        form = _keys(form, "form")
        _need(re.fullmatch(r"[a-z0-9_]+", form["id"]) is not None and form["id"] not in forms, "forms: id")
        contexts = _list(form.get("contexts"))
        _need(all(isinstance(c, str) and c in _CONTEXTS for c in contexts), "forms: contexts")
        forms[form["id"]] = contexts
    form_of: dict[str, str] = {}
    for ctx in Context:
        owners = [f for f, contexts in forms.items() if ctx.value in contexts]
        _need(len(owners) == 1, f"context {ctx.value} must be in exactly one form")
        form_of[ctx.value] = owners[0]
    items: dict[str, int] = {}
    points: list[int] = []
    critical: list[bool] = []
    item_level: list[int] = []
    item_forms: list[list[str]] = []
    sections: list[PlainSection] = []
    for s in _list(raw.get("sections")):
        s = _keys(s, "section")
        _need(re.fullmatch(r"[a-z0-9_]+", s["id"]) is not None, "sections: id")
        _need(s["id"] not in {x.id for x in sections}, "sections: duplicate id")
        scoring = s.get("scoring")
        _need(scoring in SCORINGS, "sections: scoring")
        mins, ranks = _bands(s.get("bands", []))
        _need(not (scoring == "highest_positive" and mins), "a highest_positive section has no bands")
        _need(not (scoring == "count" and not mins), "a count section needs bands")
        cols = []
        for item in _list(s.get("items")):
            item = _keys(item, "item")
            iid = item["id"]
            _need(ITEM_ID.match(iid) is not None and iid.startswith(prefix + "."), f"{iid}: id")
            _need(iid not in items, f"{iid}: duplicate")
            critical_ = item.get("critical", False)
            _need(type(critical_) is bool, f"{iid}: critical")
            level = item.get("level")
            _need((level is not None) == (scoring == "highest_positive"), f"{iid}: level")
            item_forms_ = _list(item.get("forms"))
            _need(all(f in forms for f in item_forms_), f"{iid}: forms")
            _need(not critical_ or set(forms) <= set(item_forms_), f"{iid}: a critical item is in every form")
            cols.append(len(items))
            items[iid] = len(items)
            points.append(_int(item.get("points"), 0, 20))
            critical.append(critical_)
            item_level.append(-1 if level is None else _rank(level))
            item_forms.append(item_forms_)
        sections.append(PlainSection(s["id"], str(scoring), cols, mins, ranks))
    total_mins, total_ranks = _bands(raw.get("total_bands", []))
    _need(all(s.scoring != "weighted_sum" or s.band_mins or total_mins for s in sections), "bands or total_bands")
    levels = {s.id for s in sections if s.scoring != "weighted_sum" or s.band_mins}
    rules: list[tuple[str, int, Cond]] = []
    for rule in _list(raw.get("level_rules", []), non_empty=False):
        rule = _keys(rule, "rule")
        _need(bool(rule["id"]), "level_rules: id")
        _need(rule["id"] not in {r[0] for r in rules}, "level_rules: duplicate id")
        cond = _cond(rule.get("when"), items, levels)
        for col in _named(cond):
            _need(set(forms) <= set(item_forms[col]), "a rule's items are asked in every form")
        rules.append((rule["id"], _rank(rule.get("level")), cond))
    ids = list(items)
    return PlainChecklist(
        id=cid,
        item_prefix=prefix,
        items=items,
        points=np.array(points, dtype=np.int64),
        critical=np.array(critical, dtype=bool),
        item_level=np.array(item_level, dtype=np.int8),
        sections=sections,
        total_band_mins=total_mins,
        total_band_ranks=total_ranks,
        critical_rank=_rank(raw.get("critical_level", "high")),
        rules=rules,
        form_masks={ctx: np.array([form_of[ctx] in item_forms[n] for n in range(len(ids))]) for ctx in form_of},
    )


def _ids(raw: Any, items: dict[str, int]) -> list[int]:
    names = [raw] if isinstance(raw, str) else _list(raw)
    _need(all(isinstance(n, str) and n in items for n in names), f"unknown item in {raw!r}")
    return [items[n] for n in names]


def _cond(raw: Any, items: dict[str, int], levels: set[str]) -> Cond:
    """A level rule's `when`, as risk.conditions.parse_condition reads it for the operators batch scoring uses."""
    _need(isinstance(raw, dict) and len(raw) == 1, "a condition has one operator")
    ((op, arg),) = raw.items()
    if op in ("all", "any"):
        return (op, [_cond(part, items, levels) for part in _list(arg)])
    if op == "not":
        return (op, _cond(arg, items, levels))
    if op in ("yes", "all_yes"):
        return (op, _ids(arg, items))
    if op == "count_yes":
        _need(isinstance(arg, dict) and set(arg) == {"items", "at_least"}, "count_yes")
        groups = None
        if arg["items"] != "critical":
            entries = [arg["items"]] if isinstance(arg["items"], str) else _list(arg["items"])
            groups = [_ids(entry, items) for entry in entries]
            named = [c for group in groups for c in group]
            _need(len(named) == len(set(named)), "count_yes: an item counts once")
        return (op, groups, _int(arg["at_least"], 0))
    if op == "section_level_at_least":
        _need(isinstance(arg, dict) and set(arg) == {"section", "level"}, "section_level_at_least")
        section = arg["section"]
        section = section[0] if isinstance(section, list) and len(section) == 1 else section
        level = arg["level"]
        level = level[0] if isinstance(level, list) and len(level) == 1 else level
        _need(isinstance(section, str) and section in levels, "section_level_at_least: a section with a level")
        return (op, section, _rank(level))
    raise NotPlain(f"operator {op!r}")


def _named(cond: Cond) -> list[int]:
    """The item columns a condition names (for the check that a rule's items are asked in every form)."""
    op = cond[0]
    if op in ("all", "any"):
        return [c for part in cond[1] for c in _named(part)]
    if op == "not":
        return _named(cond[1])
    if op in ("yes", "all_yes"):
        return list(cond[1])
    if op == "count_yes":
        return [c for group in cond[1] or [] for c in group]
    return []


def from_model(cl: Checklist) -> PlainChecklist:
    """The plain form of a loaded (validated) Checklist: where the YAML is not one `from_yaml` reads."""
    ids = list(cl.items)
    items = {i: n for n, i in enumerate(ids)}
    levels = {s.id for s in cl.sections if s.scoring != "weighted_sum" or s.bands}
    return PlainChecklist(
        id=cl.id,
        item_prefix=cl.item_prefix,
        items=items,
        points=np.array([cl.items[i].points for i in ids], dtype=np.int64),
        critical=np.array([cl.items[i].critical for i in ids], dtype=bool),
        item_level=np.array([-1 if (lv := cl.items[i].level) is None else lv.rank for i in ids], dtype=np.int8),
        sections=[
            PlainSection(
                s.id,
                s.scoring,
                [items[i.id] for i in s.items],
                [b.min for b in s.bands],
                [b.level.rank for b in s.bands],
            )
            for s in cl.sections
        ],
        total_band_mins=[b.min for b in cl.total_bands],
        total_band_ranks=[b.level.rank for b in cl.total_bands],
        critical_rank=cl.critical_level.rank,
        rules=[(r.id, r.level.rank, _cond_of(r.when, items, levels)) for r in cl.level_rules],
        form_masks={
            ctx.value: np.array([cl.form_for(ctx).id in cl.items[i].forms for i in ids], dtype=bool) for ctx in Context
        },
    )


def _cond_of(cond: Condition, items: dict[str, int], levels: set[str]) -> Cond:
    from risk.conditions import All, AnyOf, CountYes, Not, SectionLevelAtLeast, YesAll, YesAny

    if isinstance(cond, All | AnyOf):
        return ("all" if isinstance(cond, All) else "any", [_cond_of(p, items, levels) for p in cond.parts])
    if isinstance(cond, Not):
        return ("not", _cond_of(cond.part, items, levels))
    if isinstance(cond, YesAny | YesAll):
        return ("yes" if isinstance(cond, YesAny) else "all_yes", [items[i] for i in cond.ids])
    if isinstance(cond, CountYes):
        groups = None if cond.groups is None else [[items[i] for i in g] for g in cond.groups]
        return ("count_yes", groups, cond.at_least)
    if isinstance(cond, SectionLevelAtLeast) and cond.section in levels:
        return ("section_level_at_least", cond.section, cond.level.rank)
    raise NotPlain(f"{type(cond).__name__} cannot be used in batch scoring")


def _band(values: IntArray, mins: list[int], ranks: list[int]) -> LevelArray:
    codes = np.array(ranks, dtype=np.int8)
    return codes[np.searchsorted(np.array(mins), values, side="right") - 1]


def score_rows(pc: PlainChecklist, yes: BoolArray) -> tuple[IntArray, LevelArray]:
    """Score and level of many assessments, as risk.scoring.score_arrays computes them; `yes` is
    (rows, items) in `pc.ids` order, read column by column (pass it column-major)."""
    n = yes.shape[0]
    level = np.zeros(n, dtype=np.int8)
    score = np.zeros(n, dtype=np.int64)
    total = np.zeros(n, dtype=np.int64)
    section_level: dict[str, LevelArray] = {}
    for s in pc.sections:
        sub = np.zeros(n, dtype=np.int64)
        for j in s.cols:
            if pc.points[j]:
                sub += yes[:, j] * pc.points[j]
        score += sub
        if s.scoring == "highest_positive":
            lv = np.zeros(n, dtype=np.int8)
            for j in s.cols:
                lv = np.maximum(lv, np.where(yes[:, j], pc.item_level[j], 0).astype(np.int8))
        elif s.scoring == "count" and s.band_mins:
            lv = _band(yes[:, s.cols].sum(axis=1), s.band_mins, s.band_ranks)
        elif s.band_mins:
            lv = _band(sub, s.band_mins, s.band_ranks)
        else:
            total += sub
            continue
        section_level[s.id] = lv
        level = np.maximum(level, lv)
    if pc.total_band_mins:
        level = np.maximum(level, _band(total, pc.total_band_mins, pc.total_band_ranks))
    critical_yes = np.zeros(n, dtype=np.int64)
    for col in np.flatnonzero(pc.critical):
        critical_yes += yes[:, col]
    level = np.where(critical_yes > 0, np.maximum(level, pc.critical_rank), level).astype(np.int8)
    for _, rule_rank, cond in pc.rules:
        hit = _holds(cond, yes, critical_yes, section_level)
        level = np.where(hit, np.maximum(level, rule_rank), level).astype(np.int8)
    return score, level


def _holds(cond: Cond, yes: BoolArray, critical_yes: IntArray, section_level: dict[str, LevelArray]) -> BoolArray:
    op = cond[0]
    if op == "all":
        out = np.ones(yes.shape[0], dtype=bool)
        for part in cond[1]:
            out &= _holds(part, yes, critical_yes, section_level)
        return out
    if op == "any":
        out = np.zeros(yes.shape[0], dtype=bool)
        for part in cond[1]:
            out |= _holds(part, yes, critical_yes, section_level)
        return out
    if op == "not":
        return ~_holds(cond[1], yes, critical_yes, section_level)
    if op == "yes":
        return np.asarray(yes[:, cond[1]].any(axis=1))
    if op == "all_yes":
        return np.asarray(yes[:, cond[1]].all(axis=1))
    if op == "count_yes":
        groups, at_least = cond[1], cond[2]
        if groups is None:
            counts = critical_yes
        else:
            counts = np.zeros(yes.shape[0], dtype=np.int64)
            for cols in groups:
                counts += yes[:, cols[0]] if len(cols) == 1 else yes[:, cols].any(axis=1)
        return np.asarray(counts >= at_least)
    return np.asarray(section_level[cond[1]] >= cond[2])
