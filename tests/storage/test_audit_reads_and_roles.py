"""Every read of case data leaves an audit entry; retention pseudonyms are keyed and free text goes; on PostgreSQL
the app's role cannot change or delete the append-only tables."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from risk.storage import UserInfo
from risk.storage.audit import AuditKey
from risk.storage.reports import retention_pseudonym
from risk.storage.roles import APPEND_ONLY, app_role_sql
from tests.storage.conftest import Clock, Store

PASS = "a long passphrase"


@pytest.fixture
def world(store: Store) -> tuple[Store, dict[str, UserInfo], int]:
    users = {}
    for name, agency, role in [
        ("anna", "police", "officer"),
        ("cora", "police", "coordinator"),
        ("sven", "police", "supervisor"),
        ("adam", "police", "admin"),
    ]:
        store.add_user(name, PASS, agency=agency, role=role)
        users[name] = store.authenticate(name, PASS)
    anna = users["anna"]
    cid = store.create_case(anna, reference="K-2026-7")
    store.add_person(anna, cid, {"id": "Maria Svensson", "role": "victim", "age": 31, "gender": "female"})
    store.add_person(anna, cid, {"id": "s1", "role": "suspect", "age": 40})
    dv = {"checklist": "domestic_violence", "subject": "Maria Svensson", "about": "s1"}
    store.save_assessment(anna, cid, {**dv, "answers": {"dv.stalking": "yes"}})
    store.save_override(anna, cid, "domestic_violence", "Maria Svensson", "high", "Maria told me he has a gun.")
    store.save_draft(anna, cid, "domestic_violence", "s1", {"dv.stalking": "no"})
    store.add_action(anna, cid, "police.protection", "police", "Anna at unit 3", date(2026, 12, 1), note="Call Maria")
    store.record_consent(anna, cid, "Maria Svensson", ["healthcare"])
    store.share_with_conference(anna, cid, "domestic_violence", "Maria Svensson", "consent")
    return store, users, cid


READS: dict[str, Callable[[Store, dict[str, UserInfo], int], Any]] = {
    "read_case": lambda st, u, cid: st.get_case(u["anna"], cid),
    "list_cases": lambda st, u, cid: st.list_cases(u["anna"]),
    "list_drafts": lambda st, u, cid: st.list_drafts(u["anna"]),
    "read_draft": lambda st, u, cid: st.get_draft(u["anna"], cid, "domestic_violence", "s1"),
    "read_history": lambda st, u, cid: st.assessment_history(u["anna"], cid, "domestic_violence", "Maria Svensson"),
    "read_conflicts": lambda st, u, cid: st.conflicts(u["anna"], cid),
    "read_actions": lambda st, u, cid: st.list_actions(u["anna"], cid),
    "read_timeline": lambda st, u, cid: st.timeline(u["cora"], cid),  # the case conference's timeline
    "export_case": lambda st, u, cid: st.export_case(u["anna"], cid),
    "read_statistics": lambda st, u, cid: st.statistics(u["sven"]),
    "read_needs_analysis": lambda st, u, cid: st.needs_analysis(u["sven"]),
    "read_audit": lambda st, u, cid: st.audit_entries(u["adam"]),
}


def _actions(store: Store) -> list[tuple[str, str | None, int | None]]:
    with store.engine.connect() as c:
        return [(r[0], r[1], r[2]) for r in c.execute(text("SELECT action, username, case_id FROM audit ORDER BY id"))]


@pytest.mark.parametrize("read", list(READS))
def test_every_read_leaves_an_entry(world: tuple[Store, dict[str, UserInfo], int], read: str) -> None:
    store, users, cid = world
    before = len(_actions(store))
    READS[read](store, users, cid)
    new = _actions(store)[before:]
    assert read in [a for a, _, _ in new], new
    assert store.verify_audit() == []


def test_the_conference_view_is_audited_as_a_read_of_the_case(world: tuple[Store, dict[str, UserInfo], int]) -> None:
    store, users, cid = world
    before = len(_actions(store))
    assert store.get_case(users["cora"], cid)["assessments"]
    assert ("read_case", "cora", cid) in _actions(store)[before:]


def test_retention_pseudonyms_are_keyed_and_free_text_goes(
    world: tuple[Store, dict[str, UserInfo], int], clock: Clock
) -> None:
    store, _, cid = world
    clock.advance(days=400)
    assert store.apply_retention(365) == [cid]
    with store.engine.connect() as c:
        reference = c.execute(text("SELECT reference FROM cases WHERE id = :i"), {"i": cid}).scalar_one()
        persons = sorted(c.execute(text("SELECT key, age FROM persons WHERE case_id = :i"), {"i": cid}).all())
        subjects = set(c.execute(text("SELECT subject FROM assessments")).scalars())
        consents = set(c.execute(text("SELECT person FROM consents")).scalars())
        shares = set(c.execute(text("SELECT subject FROM conference_shares")).scalars())
        reasons = set(c.execute(text("SELECT reason FROM overrides")).scalars())
        left = {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in ("drafts", "action_items")}
    # keyed: the pseudonym is the key's, and hashing the guessed reference without the key does not give it
    assert reference == retention_pseudonym(store.audit_key, "K-2026-7")
    assert reference != retention_pseudonym(AuditKey(b"someone else's key of 32 bytes..", "x"), "K-2026-7")
    assert reference != f"pseudonym-{uuid.uuid5(uuid.NAMESPACE_OID, f'{cid}:K-2026-7').hex[:12]}"
    import hashlib

    assert hashlib.sha256(b"K-2026-7").hexdigest()[:20] not in reference
    # person ids typed as names are replaced everywhere; ages become band floors; free text is gone
    assert persons == [("suspect-1", 25), ("victim-1", 25)]
    assert subjects == consents == shares == {"victim-1"}
    assert reasons == {"(removed by retention)"}
    assert left == {"drafts": 0, "action_items": 0}
    with store.engine.connect() as c:
        everything = " ".join(
            str(v)
            for t in ("cases", "persons", "assessments", "overrides", "consents")
            for v in c.execute(text(f"SELECT * FROM {t}")).all()
        )
    assert "Maria" not in everything and "K-2026-7" not in everything
    assert store.verify_audit() == []


# --- PostgreSQL: the app's role ----------------------------------------------------------------------------------


@pytest.fixture
def app_role(backend: str) -> Iterator[str]:
    """A login role with the GRANTs of `python -m risk audit pg-role`, on the test database; dropped afterwards."""
    role = f"samrisk_app_{uuid.uuid4().hex[:8]}"
    owner = create_engine(backend)
    url = make_url(backend)
    with owner.begin() as c:
        c.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        for statement in app_role_sql(role, url.database or ""):
            c.execute(text(statement))
    yield url.set(username=role).render_as_string(hide_password=False)
    with owner.begin() as c:
        c.execute(text(f'DROP OWNED BY "{role}"'))
        c.execute(text(f'DROP ROLE "{role}"'))
    owner.dispose()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_app_role_works_but_cannot_change_the_append_only_tables(app_role: str) -> None:
    store = Store.open(app_role, clock=Clock(), fast_hashing=True)
    store.add_user("anna", PASS, agency="police", role="officer")
    anna = store.authenticate("anna", PASS)
    cid = store.create_case(anna, reference="K-ROLE")
    store.add_person(anna, cid, {"id": "v1", "role": "victim", "age": 30})
    store.save_assessment(anna, cid, {"checklist": "domestic_violence", "subject": "v1", "answers": {}})
    store.save_override(anna, cid, "domestic_violence", "v1", "high", "Reason.")
    store.record_consent(anna, cid, "v1", ["healthcare"])
    store.withdraw_consent(anna, cid, "v1", "healthcare")  # the one column update consent allows
    store.save_draft(anna, cid, "domestic_violence", "v1", {"dv.stalking": "yes"})
    item = store.add_action(anna, cid, "police.protection", "police", "Anna", None)
    store.update_action(anna, cid, item, 1, status="done")
    store.get_case(anna, cid)
    assert store.verify_audit() == []

    engine = create_engine(app_role)
    for table in [*APPEND_ONLY, "audit_head"]:
        attempts = [f"DELETE FROM {table}", f"TRUNCATE {table}"]
        if table != "audit_head":
            attempts.append(f"UPDATE {table} SET id = id")
        for attempt in attempts:
            with engine.connect() as c, pytest.raises(ProgrammingError, match="permission denied"):
                c.execute(text(attempt))
    with engine.connect() as c, pytest.raises(ProgrammingError, match="permission denied"):
        c.execute(text("UPDATE consents SET person = 'someone'"))
    engine.dispose()
    store.close()
