"""A case is found by the words of its reference, from an index: no search reads every case (search.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from risk.storage import Store, UserInfo
from risk.storage import schema as db
from risk.storage.search import matching
from tests.storage.conftest import Clock

PASS = "a long passphrase"


@pytest.fixture
def officer(store: Store) -> UserInfo:
    store.add_user("anna", PASS, agency="police", role="officer")
    return store.authenticate("anna", PASS)


def found(store: Store, officer: UserInfo, search: str) -> list[str]:
    return sorted(c.reference for c in store.list_cases(officer, search=search).items)


def test_each_word_typed_begins_a_word_of_the_reference(store: Store, officer: UserInfo) -> None:
    for reference in ("K-2026-0142 Larm lägenhet", "K-2026-0007", "ÅKLAGARE 14/2026"):
        store.create_case(officer, reference=reference)
    assert found(store, officer, "0142") == ["K-2026-0142 Larm lägenhet"]
    assert found(store, officer, "LÄG") == ["K-2026-0142 Larm lägenhet"]  # any case, Swedish letters
    assert found(store, officer, "2026 00") == ["K-2026-0007"]  # every word must match
    assert found(store, officer, "åklagare") == ["ÅKLAGARE 14/2026"]
    assert found(store, officer, "k-2026") == ["K-2026-0007", "K-2026-0142 Larm lägenhet"]
    assert found(store, officer, "142") == []  # inside a word: not a word's beginning
    assert found(store, officer, "z") == []
    assert len(found(store, officer, "  ")) == 3  # no words: every case


def test_a_pseudonymised_case_is_not_found_by_its_old_reference(store: Store, officer: UserInfo, clock: Clock) -> None:
    store.create_case(officer, reference="K-2026-0142 Larm")
    clock.advance(days=400)
    store.apply_retention(365)
    assert found(store, officer, "larm") == []
    assert found(store, officer, "pseudonym") != []


def test_the_search_is_served_by_the_index(store: Store, officer: UserInfo) -> None:
    store.create_case(officer, reference="K-2026-0142")
    with store.engine.connect() as c, store._session(bind=c) as s:
        query = select(db.Case.id).where(*matching(s, "0142 k"))
        compiled = query.compile(c, compile_kwargs={"literal_binds": True})
        if c.dialect.name == "postgresql":
            c.execute(text("SET enable_seqscan = off"))  # a tiny table is scanned anyway; may the index serve it?
            plan = " ".join(str(r[0]) for r in c.execute(text(f"EXPLAIN {compiled}")))
        else:
            plan = " ".join(str(r[-1]) for r in c.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "ix_case_search_terms_term" in plan, plan
    assert "SCAN cases" not in plan and "Seq Scan on cases" not in plan, plan
