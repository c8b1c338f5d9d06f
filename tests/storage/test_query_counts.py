"""A page costs a fixed number of SQL statements, whatever the number of cases, persons, versions or actions.

Counted with an SQLAlchemy event on the Store's engine (every statement the call sends, its audit entry and
the caller's resolution included). Issue 9: one page of the case list cost 7 statements per case (146 for
20 cases), the conference page's list of 100 cases about 705.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from risk.storage import Store, UserInfo

PASS = "a long passphrase"
# One page of the case list, of any size: the caller's resolution (2 with SQLite's BEGIN), the read (12: the
# user, the organisations, the count, the page, then one statement per kind: organisations of the cases,
# consents, concern reports, shares, assessments, overrides, actions) and its audit entry (4).
LIST_BOUND = 18


@contextmanager
def counted(store: Store) -> Iterator[list[str]]:
    """The statements sent to the database inside the block."""
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", note)


def busy_case(store: Store, officer: UserInfo, reference: str, extra: int = 0) -> int:
    """A case with people, a saved assessment (two versions), an override, a consent and actions."""
    cid = store.create_case(officer, reference=reference)
    for person in (
        {"id": "v1", "role": "victim", "age": 31, "gender": "female"},
        {"id": "s1", "role": "suspect", "age": 35},
    ):
        store.add_person(officer, cid, person)
    dv = {"checklist": "domestic_violence", "subject": "v1", "about": "s1"}
    store.save_assessment(officer, cid, {**dv, "answers": {"dv.strangulation": "yes"}})
    store.save_assessment(officer, cid, {**dv, "answers": {"dv.stalking": "yes"}}, base_version=1)
    store.save_override(officer, cid, "domestic_violence", "v1", "high", "seen at the scene", about="s1")
    store.record_consent(officer, cid, "v1", ["healthcare"])
    for n in range(1 + extra):
        store.add_action(officer, cid, "police.child_concern_report", "police", f"Insp. {n}", date(2026, 11, 1))
    return cid


@pytest.fixture
def officer(store: Store) -> UserInfo:
    store.add_user("anna", PASS, agency="police", role="officer")
    return store.authenticate("anna", PASS)


def statements_for_list(store: Store, officer: UserInfo, **kw: Any) -> tuple[int, int]:
    with counted(store) as sent:
        page = store.list_cases(officer, page_size=100, **kw)
    return len(sent), len(page.items)


def test_the_case_list_costs_the_same_for_two_cases_and_for_eight(store: Store, officer: UserInfo) -> None:
    for n in range(2):
        busy_case(store, officer, f"K-2026-{n:04d}")
    few, shown = statements_for_list(store, officer)
    assert shown == 2
    for n in range(2, 8):
        busy_case(store, officer, f"K-2026-{n:04d}", extra=n)
    many, shown = statements_for_list(store, officer)
    assert shown == 8
    assert few == many <= LIST_BOUND, (few, many)
    searched, shown = statements_for_list(store, officer, search="0005")
    assert shown == 1 and searched <= LIST_BOUND


def test_the_case_list_still_shows_what_each_case_holds(store: Store, officer: UserInfo) -> None:
    """Batched, the summaries are still each case's own: level (the override), versions, overdue actions."""
    busy_case(store, officer, "K-1")
    quiet = store.create_case(officer, reference="K-2")
    first, second = store.list_cases(officer).items
    assert (first.id, first.level, first.assessments, first.overdue_actions) == (quiet, None, 0, 0)
    assert (second.reference, second.level, second.assessments, second.overdue_actions) == ("K-1", "high", 1, 1)


def test_reading_a_case_costs_the_same_however_much_it_holds(store: Store, officer: UserInfo) -> None:
    small = busy_case(store, officer, "K-small")
    large = busy_case(store, officer, "K-large", extra=6)
    for more in range(3):
        store.add_person(officer, large, {"id": f"c{more + 1}", "role": "child", "age": 4 + more})
    counts = {}
    for cid in (small, large):
        with counted(store) as sent:
            store.get_case(officer, cid)
            store.list_actions(officer, cid)
            store.timeline(officer, cid)
        counts[cid] = len(sent)
    assert counts[small] == counts[large], counts


def test_the_demo_accounts_cost_no_costly_hashing(store: Store) -> None:
    """Their password is published: a first start hashes it with cheap argon2 parameters, even in a Store that
    hashes every other password with argon2's full cost. (The demo loads only into SQLite.)"""
    if store.engine.dialect.name != "sqlite":
        pytest.skip("the demo is refused on PostgreSQL")
    from sqlalchemy import select

    from risk.demo import load_demo
    from risk.storage import schema as db
    from risk.storage.accounts import hasher
    from tests.storage.conftest import KEY

    strong = Store.open(store.engine.url.render_as_string(hide_password=False), key=KEY)  # fast_hashing off
    try:
        load_demo(strong)
    finally:
        strong.close()
    with store.engine.connect() as c:
        hashes = list(c.execute(select(db.User.password_hash)).scalars())
    assert len(hashes) == 6
    assert all(not hasher(fast=True).check_needs_rehash(h) for h in hashes)  # made with the cheap parameters
    assert all(hasher().check_needs_rehash(h) for h in hashes)  # not with the full ones


# An answer on the intake page keeps the draft: the caller's resolution (2 with SQLite's BEGIN), the case and the
# access check (5 with BEGIN IMMEDIATE), the user's drafts of that checklist and subject (1: ids and about keys
# together), the write (1) and its audit entry (3). It was 13 with a separate read of the about keys.
DRAFT_BOUND = 12


def test_keeping_a_draft_on_an_answer_costs_a_fixed_number_of_statements(store: Store, officer: UserInfo) -> None:
    cid = busy_case(store, officer, "K-draft")
    counts = []
    for answer in ("yes", "no", "unknown"):  # the first inserts the draft, the others update it
        with counted(store) as sent:
            store.save_draft(officer, cid, "domestic_violence", "v1", {"dv.stalking": answer}, about="s1")
        counts.append(len(sent))
    kept = store.get_draft(officer, cid, "domestic_violence", "v1", about="s1")
    assert kept is not None and kept["answers"] == {"dv.stalking": "unknown"}
    limit = DRAFT_BOUND if store.engine.dialect.name == "sqlite" else DRAFT_BOUND - 2  # no BEGIN statements
    assert max(counts) <= limit, counts
