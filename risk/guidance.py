"""Guidance as data: knowledge/*.yaml loaded into validated, bilingual records, linked from steps and items.

Each setting (a context of vocabulary.md) has a file naming, for every topic, the entries to read there; an entry
used by several settings (strangulation, suicide risk) lives once in a topic file. Every entry names its sources and
when and by whom it was last checked, so a physician or lawyer can correct a file without touching Python.
Loading checks that every `guidance` link of a step (steps.yaml) or an item's help resolves to an entry.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from risk.checklists import Checklist, default_checklists, read_yaml, validate_file
from risk.errors import ChecklistError
from risk.text import Text
from risk.vocabulary import Context, Language

if TYPE_CHECKING:
    from risk.rules import Rules

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
ENTRY_ID = r"^[a-z]+\.[a-z0-9_]+$"


class Topic(StrEnum):
    """What a professional needs to know in a setting; every setting covers the REQUIRED_TOPICS."""

    ask_safely = "ask_safely"
    mental_ill_health = "mental_ill_health"
    documentation = "documentation"
    physical_care = "physical_care"
    mental_care = "mental_care"
    staff_safety = "staff_safety"
    protection = "protection"  # safety planning and protective measures; not every setting has it


# The topics every setting file must cover (issue 10).
REQUIRED_TOPICS = (
    Topic.ask_safely,
    Topic.mental_ill_health,
    Topic.documentation,
    Topic.physical_care,
    Topic.mental_care,
    Topic.staff_safety,
)


class Reviewer(StrEnum):
    """Who must confirm a file's content before it is used (docs/content_review.md)."""

    physician = "physician"
    lawyer = "lawyer"
    social_worker = "social_worker"
    police = "police"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


SourceKind = Literal[
    "law", "regulation", "authority", "guideline", "regional_routine", "research", "secondary", "not_verified"
]


class Source(Strict):
    """Where a fact comes from. `not_verified` says plainly that no source could be given for it."""

    title: str = Field(min_length=1)
    url: str | None = Field(None, pattern=r"^https?://", description="The page that was read")
    reference: str | None = Field(None, min_length=1, description="A citation without a page, or why there is none")
    kind: SourceKind

    @model_validator(mode="after")
    def _url_or_reference(self) -> Source:
        if not self.url and not self.reference:
            raise ValueError("give url or reference (for a fact with no source: kind not_verified and a reference)")
        return self


class Checked(Strict):
    date: datetime.date = Field(description="The day the entry was last checked against its sources (YYYY-MM-DD)")
    by: str = Field(min_length=1)


class Keywords(Strict):
    """Extra words a person might search for (synonyms, abbreviations), in each language."""

    sv: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class Entry(Strict):
    id: str = Field(pattern=ENTRY_ID, description="Stable id; steps and items link to it; never rename")
    topic: Topic
    title: Text
    summary: Text = Field(description="The one thing to know, in a sentence or two")
    points: list[Text] = Field(min_length=1, description="What to do, one point each")
    to_confirm: Text | None = Field(None, description="What is not verified and who must confirm it")
    keywords: Keywords = Field(default_factory=Keywords)
    sources: list[Source] = Field(min_length=1)
    checked: Checked


class Review(Strict):
    reviewers: list[Reviewer] = Field(min_length=1, description="Who must confirm this file before use")
    confirmed: datetime.date | None = Field(None, description="When a reviewer last confirmed it; null: not yet")
    confirmed_by: str | None = Field(None, min_length=1)


class GuidanceFile(Strict):
    setting: Context | None = Field(None, description="The setting this file is about; none for a shared topic file")
    title: Text
    review: Review
    checklists: list[str] = Field(
        default_factory=list,
        description="For a setting: the checklists to use there, most needed first (ids of checklists/)",
    )
    topics: dict[Topic, list[str]] = Field(
        default_factory=dict, description="For a setting: the entries to read for each topic, in order"
    )
    entries: list[Entry] = Field(default_factory=list)


class Library(BaseModel):
    """Every entry by id and every setting's reading list, as loaded and cross-checked."""

    model_config = ConfigDict(frozen=True)

    files: dict[str, GuidanceFile]
    entries: dict[str, Entry]
    settings: dict[Context, GuidanceFile]

    def for_setting(self, setting: Context | str, topic: Topic | str) -> list[Entry]:
        file = self.settings.get(Context(setting))
        return [self.entries[i] for i in file.topics.get(Topic(topic), [])] if file else []

    def settings_of(self, entry_id: str) -> list[Context]:
        """The settings whose reading lists hold the entry, in the order of the Context vocabulary."""
        holds = {c for c, f in self.settings.items() if any(entry_id in ids for ids in f.topics.values())}
        return [c for c in Context if c in holds]


def _file_problems(name: str, gf: GuidanceFile) -> list[str]:
    problems: list[str] = []
    if gf.setting is not None:
        if gf.setting.value != name:
            problems.append(f"{name}.yaml: setting: must be {name!r} (the file name), got {gf.setting.value!r}")
        missing = [tp.value for tp in REQUIRED_TOPICS if not gf.topics.get(tp)]
        if missing:
            problems.append(f"{name}.yaml: topics: give entries for {', '.join(missing)}")
    elif gf.topics:
        problems.append(f"{name}.yaml: topics: only a setting file (with setting:) has a reading list")
    for entry in gf.entries:
        for src in entry.sources:
            if src.kind == "not_verified" and entry.to_confirm is None:
                problems.append(f"{name}.yaml: entries[{entry.id}].to_confirm: say what a reviewer must confirm")
    return problems


def links(checklists: dict[str, Checklist] | None = None, rules: Rules | None = None) -> dict[str, list[str]]:
    """Every guidance link in the rule and checklist files: 'steps.yaml: steps[id]' or 'file: items[id]' → entry ids."""
    from risk.rules import default_rules

    checklists = checklists if checklists is not None else default_checklists()
    rules = rules if rules is not None else default_rules()
    out: dict[str, list[str]] = {}
    for step in rules.steps.steps:
        out[f"steps.yaml: steps[{step.id}].guidance"] = list(step.guidance)
    for cl in checklists.values():
        for item in cl.items.values():
            out[f"{cl.id}.yaml: items[{item.id}].help.guidance"] = list(item.help.guidance)
    return out


def unresolved(
    library: Library, checklists: dict[str, Checklist] | None = None, rules: Rules | None = None
) -> list[str]:
    """One problem per link from a step or item that names no entry of the library."""
    return [
        f"{at}: unknown guidance entry {i!r}"
        for at, ids in links(checklists, rules).items()
        for i in ids
        if i not in library.entries
    ]


def load_library(directory: Path = KNOWLEDGE_DIR, check_links: bool = True) -> Library:
    """Load and cross-check every guidance file; all problems of all files reported together."""
    problems: list[str] = []
    files: dict[str, GuidanceFile] = {}
    entries: dict[str, Entry] = {}
    where: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            gf = validate_file(GuidanceFile, read_yaml(path), path.name)
        except ChecklistError as e:
            problems.extend(e.problems)
            continue
        files[path.stem] = gf
        problems += _file_problems(path.stem, gf)
        for entry in gf.entries:
            if entry.id in entries:
                problems.append(f"{path.name}: entries[{entry.id}].id: also defined in {where[entry.id]}")
            entries[entry.id] = entry
            where[entry.id] = path.name
    settings = {gf.setting: gf for gf in files.values() if gf.setting is not None}
    for name, gf in files.items():
        for topic, ids in gf.topics.items():
            for entry_id in ids:
                if entry_id not in entries:
                    problems.append(f"{name}.yaml: topics.{topic.value}: unknown entry {entry_id!r}")
                elif entries[entry_id].topic is not topic:
                    problems.append(
                        f"{name}.yaml: topics.{topic.value}: entry {entry_id} is about {entries[entry_id].topic.value}"
                    )
    missing = [c.value for c in Context if c is not Context.case_conference and c not in settings]
    if missing:
        problems.append(f"knowledge/: no setting file for {', '.join(missing)}")
    known = default_checklists() if check_links else None
    for name, gf in files.items():
        if gf.setting is not None and not gf.checklists:
            problems.append(f"{name}.yaml: checklists: name the checklists to use in this setting")
        if gf.setting is None and gf.checklists:
            problems.append(f"{name}.yaml: checklists: only a setting file names checklists")
        problems += [
            f"{name}.yaml: checklists: unknown checklist {c!r}" for c in gf.checklists if known and c not in known
        ]
    library = Library(files=files, entries=entries, settings=settings)
    if check_links:
        problems += unresolved(library)
    if problems:
        raise ChecklistError(problems)
    return library


@functools.cache
def default_library() -> Library:
    return load_library()


def guidance_for_step(step_id: str) -> list[str]:
    """The guidance entry ids a step links to (steps.yaml), for a page that shows the step."""
    from risk.rules import default_rules

    rule = default_rules().steps.rule(step_id)
    return list(rule.guidance) if rule is not None else []


# ---- search -----------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def _match(term: str, words: list[str]) -> float:
    """1 for a whole word, 0.6 for a word that starts with the term, 0.5 for an inflected term that starts with
    the word ('strypningen' finds 'strypning'), 0.4 for a compound that holds the term (Swedish joins words:
    'strypningsskador' holds 'strypning')."""
    best = 0.0
    for w in words:
        if w == term:
            return 1.0
        if w.startswith(term):
            best = max(best, 0.6)
        elif len(w) >= 4 and term.startswith(w) and len(term) - len(w) <= 3:
            best = max(best, 0.5)
        elif len(term) >= 4 and term in w:
            best = max(best, 0.4)
    return best


class Hit(BaseModel):
    model_config = ConfigDict(frozen=True)

    entry: Entry
    score: float


# Where a term is found counts: title above keywords above summary above points and sources.
_WEIGHTS = {"title": 5.0, "keywords": 4.0, "summary": 2.0, "points": 1.0}


def search(query: str, lang: Language | str, library: Library | None = None, limit: int = 20) -> list[Hit]:
    """Entries ranked by how well they match every word of the query in one language; an empty query finds none.

    Each term scores by where it is found (title, keywords, summary, points); an entry must match every term.
    Ties keep the library's order, so the same query always gives the same list."""
    library = library if library is not None else default_library()
    language = Language(lang)
    terms = [w for w in _words(query) if len(w) >= 2]
    if not terms:
        return []
    hits: list[Hit] = []
    for entry in library.entries.values():
        fields = {
            "title": _words(entry.title(language)),
            "keywords": _words(" ".join(getattr(entry.keywords, language.value))),
            "summary": _words(entry.summary(language)),
            "points": _words(" ".join(p(language) for p in entry.points)),
        }
        total = 0.0
        for term in terms:
            best = max(_WEIGHTS[f] * _match(term, words) for f, words in fields.items())
            if best == 0.0:
                break
            total += best
        else:
            hits.append(Hit(entry=entry, score=round(total, 3)))
    hits.sort(key=lambda h: -h.score)  # stable: equal scores keep file order
    return hits[:limit]


def guidance_schema() -> dict[str, Any]:
    """JSON Schema of a knowledge/*.yaml file, for editor autocompletion."""
    return GuidanceFile.model_json_schema()
