"""Reading a kept draft: the answers that can be saved, and what had to be dropped and why.

A draft is the answers of an assessment in progress, stored as JSON (item id → yes/no/unknown). Older versions of
the app, a defect, or a damaged database may have left something else: answer words instead of codes ("ja"), ids
of items a checklist no longer has, another shape, text that is not JSON at all. Reading never fails: what is
valid is kept, the rest is named in `dropped` so the page can say what to answer again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from risk.checklists import Checklist
from risk.vocabulary import Answer

CODES: frozenset[str] = frozenset(a.value for a in Answer)


@dataclass(frozen=True)
class Dropped:
    """One part of a draft that is not kept: the item (or `None` for the draft as a whole), what was stored, why.

    `why` is a code for the page's text: `not_a_code` (a word such as "ja" where yes/no/unknown belongs),
    `unknown_item` (no such item in the checklist), `unreadable` (not JSON, or a shape no version ever wrote)."""

    item: str | None
    stored: str
    why: str


@dataclass(frozen=True)
class DraftReading:
    answers: dict[str, str]
    dropped: list[Dropped] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.dropped


def _shown(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pairs(raw: Any) -> list[tuple[Any, Any]] | None:
    """The (item, answer) pairs of the shapes drafts were written in: a mapping, a list of {item, answer}."""
    if isinstance(raw, dict):
        if isinstance(raw.get("answers"), (dict, list)):  # a whole assessment kept as the draft
            return _pairs(raw["answers"])
        return list(raw.items())
    if isinstance(raw, list) and all(isinstance(e, dict) for e in raw):
        pairs = []
        for e in raw:
            item = e.get("item", e.get("id"))
            if item is None or "answer" not in e:
                return None
            pairs.append((item, e["answer"]))
        return pairs
    return None


def read_draft_answers(raw: Any, checklist: Checklist) -> DraftReading:
    """The valid answers of a stored draft (`raw`: the parsed JSON, or the text when it is stored as text)."""
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except ValueError:
            return DraftReading({}, [Dropped(None, _shown(raw), "unreadable")])
        if isinstance(raw, str):  # JSON text inside JSON (written twice)
            return read_draft_answers(raw, checklist)
    pairs = _pairs(raw)
    if pairs is None:
        return DraftReading({}, [Dropped(None, _shown(raw), "unreadable")])
    answers: dict[str, str] = {}
    dropped: list[Dropped] = []
    for item, value in pairs:
        item_id = str(item)
        if item_id not in checklist.items:
            dropped.append(Dropped(item_id, _shown(value), "unknown_item"))
        elif not isinstance(value, str) or value not in CODES:
            dropped.append(Dropped(item_id, _shown(value), "not_a_code"))
        else:
            answers[item_id] = value
    return DraftReading(answers, dropped)


def answer_problems(answers: dict[str, Any], checklist: Checklist) -> list[str]:
    """Why these answers must not be kept as a draft: every item must be the checklist's, every answer a code."""
    problems = []
    for item, value in answers.items():
        if item not in checklist.items:
            problems.append(f"answers.{item}: not an item of {checklist.id}")
        elif value not in CODES:
            problems.append(f"answers.{item}: {_shown(value)!r}; use one of {', '.join(sorted(CODES))}")
    return problems
