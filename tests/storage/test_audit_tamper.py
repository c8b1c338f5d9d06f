"""Changing or deleting any audit row with plain SQL is named by verify_audit()."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from risk.storage import Store
from tests.conftest import run_cli

PASS = "a long passphrase"


@pytest.fixture
def busy_store(store: Store) -> Store:
    store.add_user("anna", PASS, agency="police", role="officer")
    anna = store.authenticate("anna", PASS)
    cid = store.create_case(anna, reference="K-1")
    store.add_person(anna, cid, {"id": "v1", "role": "victim", "age": 30})
    store.save_assessment(
        anna, cid, {"checklist": "domestic_violence", "subject": "v1", "answers": {"dv.stalking": "yes"}}
    )
    store.get_case(anna, cid)
    assert store.verify_audit() == []
    return store


def _count(store: Store) -> int:
    with store.engine.connect() as c:
        return int(c.execute(text("SELECT count(*) FROM audit")).scalar_one())


@pytest.mark.parametrize("column", ["action", "username", "detail", "at", "case_id"])
def test_every_changed_entry_is_named(busy_store: Store, column: str) -> None:
    n = _count(busy_store)
    for entry in range(1, n + 1):
        value = "'tampered'" if column != "case_id" else "999"
        with busy_store.engine.begin() as c:
            old = c.execute(text(f"SELECT {column} FROM audit WHERE id = :i"), {"i": entry}).scalar_one()
            c.execute(text(f"UPDATE audit SET {column} = {value} WHERE id = :i"), {"i": entry})
        problems = busy_store.verify_audit()
        assert any(p.startswith(f"audit entry {entry}:") and "altered" in p for p in problems), (entry, problems)
        with busy_store.engine.begin() as c:
            c.execute(text(f"UPDATE audit SET {column} = :v WHERE id = :i"), {"v": old, "i": entry})
        assert busy_store.verify_audit() == []


def test_every_deleted_entry_is_named(busy_store: Store) -> None:
    n = _count(busy_store)
    with busy_store.engine.connect() as c:
        rows = [dict(r._mapping) for r in c.execute(text("SELECT * FROM audit ORDER BY id"))]
    for entry in range(1, n + 1):
        with busy_store.engine.begin() as c:
            c.execute(text("DELETE FROM audit WHERE id = :i"), {"i": entry})
        problems = busy_store.verify_audit()
        if entry < n:
            assert any(f"entries {entry}..{entry}" in p for p in problems), (entry, problems)
        else:
            assert any(f"ends at entry {n - 1}" in p for p in problems), problems
        row = rows[entry - 1]
        with busy_store.engine.begin() as c:
            c.execute(text(f"INSERT INTO audit ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"), row)
        assert busy_store.verify_audit() == []


def test_a_recomputed_hash_still_breaks_the_chain(busy_store: Store) -> None:
    """Someone who edits an entry and fixes its own hash still breaks the next entry's link."""
    from risk.storage.audit import HASHED, entry_hash

    with busy_store.engine.begin() as c:
        row = dict(c.execute(text("SELECT * FROM audit WHERE id = 2")).mappings().one())
        row["action"] = "nothing_happened"
        row["hash"] = entry_hash({k: row[k] for k in HASHED})
        c.execute(text("UPDATE audit SET action = :a, hash = :h WHERE id = 2"), {"a": row["action"], "h": row["hash"]})
    assert any(p.startswith("audit entry 3:") for p in busy_store.verify_audit())


def test_cli_audit_verify(busy_store: Store, backend: str) -> None:
    ok = run_cli("audit", "verify", "--database", backend)
    assert ok.returncode == 0 and "intact" in ok.stdout
    with busy_store.engine.begin() as c:
        c.execute(text("UPDATE audit SET username = 'x' WHERE id = 3"))
    bad = run_cli("audit", "verify", "--database", backend)
    assert bad.returncode == 1 and "audit entry 3:" in bad.stdout
