"""Finding a case by its reference without reading every case: the words of each reference, in an index.

A search used to be `reference ILIKE '%text%'`, which no index can serve: every case was read. Here each
reference is kept as its words (letters and digits, case-folded: "K-2026-0142 Larm" is k, 2026, 0142, larm), in
case_search_terms with an index on the word; a search matches the cases where every word typed begins a word of
the reference ("0142", "larm", "2026 01"). That is a prefix range on an index, in SQLite and PostgreSQL alike:
  - SQLite: term >= w AND term < w' (w with its last character raised by one), on the plain (binary) index;
  - PostgreSQL: term LIKE 'w%', which its text_pattern_ops index serves under any database collation (a range
    under a language's collation could miss words).
A trigram index (pg_trgm) would also find text inside a word, but has no SQLite counterpart and costs an
extension; references are typed and searched by their parts, so word prefixes are what users look for.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, and_, delete, select
from sqlalchemy.orm import Session

from risk.storage import schema as db

_WORD = re.compile(r"[^\W_]+")
MAX_TERM = 120


def words(text: str) -> list[str]:
    """The words of a reference or of a search, case-folded, in order, each once."""
    return list(dict.fromkeys(w[:MAX_TERM] for w in _WORD.findall(text.casefold())))


def index_reference(s: Session, case: db.Case) -> None:
    """Keep the case's words in step with its reference (on creation, and when retention replaces it)."""
    s.execute(delete(db.CaseSearchTerm).where(db.CaseSearchTerm.case_id == case.id))
    s.add_all(db.CaseSearchTerm(case_id=case.id, term=w) for w in words(case.reference))


def _begins(s: Session, word: str) -> ColumnElement[bool]:
    term = db.CaseSearchTerm.term
    if s.get_bind().dialect.name == "postgresql":
        return term.like(f"{word}%")  # words hold no % or _ (letters and digits only)
    return and_(term >= word, term < word[:-1] + chr(ord(word[-1]) + 1))


def matching(s: Session, search: str) -> list[ColumnElement[bool]]:
    """Conditions on db.Case.id: one per word of `search` (none for an empty search)."""
    return [db.Case.id.in_(select(db.CaseSearchTerm.case_id).where(_begins(s, word))) for word in words(search)]
