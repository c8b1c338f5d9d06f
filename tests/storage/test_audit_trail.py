"""The audit trail as an admin reads it: filtered by user, case, action and date, a page at a time in the database;
who may read which entries; and the figures counted by the database, never row by row in Python."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from risk.errors import InputError
from risk.storage import PermissionDenied, UserInfo
from risk.storage.trail import NO_USER, AuditFilter
from tests.storage.conftest import Clock, Store

PASS = "a long passphrase"
DV = {"checklist": "domestic_violence", "subject": "v1", "answers": {"dv.strangulation": "yes"}}


@pytest.fixture
def trail(store: Store, clock: Clock) -> tuple[Store, dict[str, UserInfo], list[int]]:
    """Two officers' cases over three days, an admin, a supervisor and a failed sign-in."""
    users = {
        name: store.add_user(name, PASS, agency=agency, role=role)
        for name, agency, role in [
            ("anna", "police", "officer"),
            ("bo", "police", "officer"),
            ("vera", "healthcare", "clinician"),
            ("sven", "police", "supervisor"),
            ("adam", "police", "admin"),
        ]
    }
    cases = []
    for day in range(3):  # 27, 28 and 29 November
        for name in ("anna", "bo"):
            cid = store.create_case(users[name], reference=f"K-{day}-{name}")
            store.add_person(users[name], cid, {"id": "v1", "role": "victim", "age": 30, "gender": "female"})
            store.save_assessment(users[name], cid, DV)
            cases.append(cid)
        clock.advance(days=1)
    with pytest.raises(Exception):  # noqa: B017 - whatever the refusal, it is audited without a user
        store.authenticate("anna", "wrong password")
    return store, users, cases


def test_each_filter_narrows_the_entries_and_says_how_many_match(trail: Any) -> None:
    store, users, cases = trail
    adam = users["adam"]
    everything = store.audit_trail(adam, page_size=200)
    assert everything.total == len(everything.entries) > 20
    assert [e["id"] for e in everything.entries] == sorted((e["id"] for e in everything.entries), reverse=True)

    bo = store.audit_trail(adam, AuditFilter(username="bo"), page_size=200)
    assert bo.total == 10 and {e["username"] for e in bo.entries} == {"bo"}  # signed in; 3 × create, person, save

    case = store.audit_trail(adam, AuditFilter(case_id=cases[0]), page_size=200)
    assert {e["case_id"] for e in case.entries} == {cases[0]}
    assert {e["action"] for e in case.entries} == {"create_case", "add_person", "save_assessment"}

    saves = store.audit_trail(adam, AuditFilter(action="save_assessment"))
    assert saves.total == 6 and {e["action"] for e in saves.entries} == {"save_assessment"}

    one_day = store.audit_trail(
        adam, AuditFilter(action="create_case", since=date(2026, 11, 28), until=date(2026, 11, 28))
    )
    assert one_day.total == 2 and all(e["at"].startswith("2026-11-28") for e in one_day.entries)
    from_28 = store.audit_trail(adam, AuditFilter(action="create_case", since=date(2026, 11, 28)))
    assert from_28.total == 4

    both = store.audit_trail(adam, AuditFilter(username="anna", action="create_case", until=date(2026, 11, 28)))
    assert both.total == 2 and {e["username"] for e in both.entries} == {"anna"}

    nobody = store.audit_trail(adam, AuditFilter(username=NO_USER))
    assert nobody.total >= 1 and {e["username"] for e in nobody.entries} == {None}
    assert "login_failed" in {e["action"] for e in nobody.entries}


def test_pages_are_cut_in_the_database_and_together_hold_every_match(trail: Any) -> None:
    store, users, _ = trail
    adam = users["adam"]
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        first = store.audit_trail(adam, AuditFilter(username="anna"), page=1, page_size=4)
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    reads = [s for s in statements if re.search(r"FROM audit\b", s) and s.lstrip().upper().startswith("SELECT")]
    assert any("count(" in s.lower() for s in reads)
    aggregates = ("count(", "max(")  # one row each: the match count and the newest entry the pages are cut from
    assert all("LIMIT" in s.upper() for s in reads if not any(a in s.lower() for a in aggregates)), reads
    ids = [e["id"] for e in first.entries]
    page = 2
    while page <= first.pages:
        ids += [e["id"] for e in store.audit_trail(adam, AuditFilter(username="anna"), page=page, page_size=4).entries]
        page += 1
    assert first.pages == 3 and len(first.entries) == 4
    assert len(ids) == len(set(ids)) == first.total
    assert store.audit_trail(adam, AuditFilter(username="anna"), page=99, page_size=4).entries == []


def test_only_an_admin_reads_the_whole_trail_and_others_only_a_case_they_may_open(trail: Any) -> None:
    store, users, cases = trail
    anna_case, bo_case = cases[0], cases[1]
    for who in ("anna", "sven"):
        with pytest.raises(PermissionDenied):
            store.audit_trail(users[who])
    with pytest.raises(PermissionDenied):
        store.audit_trail(users["sven"], AuditFilter(case_id=anna_case))
    with pytest.raises(PermissionDenied):  # a case of another agency, not shared with health care
        store.audit_trail(users["vera"], AuditFilter(case_id=anna_case))
    own = store.audit_trail(users["anna"], AuditFilter(case_id=anna_case))
    assert own.total == 4 and {e["case_id"] for e in own.entries} == {anna_case}  # with vera's refusal
    assert [e["username"] for e in own.entries if e["action"] == "access_denied"] == ["vera"]
    same_unit = store.audit_trail(users["anna"], AuditFilter(case_id=bo_case))  # bo's case: the same police
    assert {e["username"] for e in same_unit.entries} == {"bo"}
    denied = store.audit_trail(users["adam"], AuditFilter(action="access_denied", username="vera"))
    assert denied.total == 1 and denied.entries[0]["case_id"] == anna_case


def test_the_read_is_audited_with_its_filter(trail: Any) -> None:
    store, users, _ = trail
    store.audit_trail(users["adam"], AuditFilter(action="save_assessment", since=date(2026, 11, 28)), page=2)
    last = store.audit_trail(users["adam"], AuditFilter(action="read_audit"), page_size=1).entries[0]
    assert last["username"] == "adam"
    assert store.audit_trail(users["adam"], AuditFilter(action="read_audit")).total == 2
    assert store.verify_audit() == []


@pytest.mark.parametrize(
    "bad",
    [AuditFilter(since=date(2026, 11, 29), until=date(2026, 11, 28)), AuditFilter(case_id=0)],
)
def test_a_filter_that_cannot_match_is_named(trail: Any, bad: AuditFilter) -> None:
    store, users, _ = trail
    with pytest.raises(InputError) as e:
        store.audit_trail(users["adam"], bad)
    assert e.value.problems and ("since" in e.value.problems[0] or "case_id" in e.value.problems[0])


@pytest.fixture
def statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", listen)
    yield seen
    event.remove(store.engine, "before_cursor_execute", listen)


def test_figures_are_counted_by_the_database(trail: Any, statements: list[str]) -> None:
    store, users, _ = trail
    stats = store.statistics(users["sven"], by=("gender", "age_band", "level"))
    figures = [s for s in statements if "persons" in s and "assessments" in s]
    assert len(figures) == 1 and "GROUP BY" in figures[0].upper() and "count(" in figures[0].lower()
    assert stats["cells"] == [
        {"gender": "female", "age_band": "25-44", "level": "high", "count": 6, "suppressed": False}
    ]
