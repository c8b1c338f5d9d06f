"""Migration 0003 carries a database with data over: each agency becomes its default organisation, and a consent
recorded before it opens only the records of the organisation that recorded it (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from risk.storage import Store
from risk.storage.accounts import hasher
from risk.storage.migrate import alembic_config
from tests.storage.conftest import ADMIN_URL

PASS = "a long passphrase"
AT = "2026-11-01 09:00:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    name = f"samrisk_mig_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {e}")
        pytest.skip(f"PostgreSQL tests skipped: no server at {ADMIN_URL} ({type(e).__name__})")
    yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _old_database(url: str) -> None:
    """A database at revision 0002 holding a case as the old code wrote it."""
    engine = create_engine(url)
    pw = hasher(fast=True).hash(PASS)
    users = [
        (1, "polis", "police", "officer"),
        (2, "vard", "healthcare", "clinician"),
        (3, "soc", "social_services", "social_worker"),
    ]
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0002")
        for uid, name, agency, role in users:
            conn.execute(
                text(
                    "INSERT INTO users (id, username, password_hash, agency, role, disabled, failed_logins, created_at)"
                    " VALUES (:id, :n, :pw, :a, :r, false, 0, :at)"
                ),
                {"id": uid, "n": name, "pw": pw, "a": agency, "r": role, "at": AT},
            )
        conn.execute(
            text(
                "INSERT INTO cases (id, reference, context, owner_agency, created_by, created_at, last_activity,"
                " synthetic)"
                " VALUES (1, 'K-OLD', 'police_intake', 'police', 1, :at, :at, false)"
            ),
            {"at": AT},
        )
        for agency in ("police", "healthcare", "social_services"):
            conn.execute(
                text("INSERT INTO case_agencies (case_id, agency, added_by, added_at) VALUES (1, :a, 1, :at)"),
                {"a": agency, "at": AT},
            )
        conn.execute(
            text(
                "INSERT INTO persons (id, case_id, key, role, age, gender) VALUES (1, 1, 'v1', 'victim', 31, 'female')"
            )
        )
        conn.execute(text("INSERT INTO persons (id, case_id, key, role, age) VALUES (2, 1, 'c1', 'child', 4)"))
        for aid, checklist, subject, agency, by in (
            (1, "domestic_violence", "v1", "police", 1),
            (2, "psychiatric", "v1", "healthcare", 2),
            (3, "child_welfare", "c1", "police", 1),
        ):
            conn.execute(
                text(
                    "INSERT INTO assessments (id, case_id, checklist, subject, version, agency, context, answers,"
                    " level,"
                    " checklist_version, engine_version, saved_by, saved_at)"
                    " VALUES (:id, 1, :c, :s, 1, :a, 'police_intake', :ans, 'high', '1', '1', :by, :at)"
                ),
                {"id": aid, "c": checklist, "s": subject, "a": agency, "ans": json.dumps({}), "by": by, "at": AT},
            )
        # The old self-granting consent: recorded by the police "to the police", which opened health care's records
        for to in ("police", "healthcare"):
            conn.execute(
                text(
                    "INSERT INTO consents (case_id, person, to_agency, recorded_by, recorded_at)"
                    " VALUES (1, 'v1', :to, 1, :at)"
                ),
                {"to": to, "at": AT},
            )
        conn.execute(
            text(
                "INSERT INTO concern_reports (case_id, child, from_agency, made_by, made_at)"
                " VALUES (1, 'c1', 'police', 1, :at)"
            ),
            {"at": AT},
        )
        conn.execute(
            text(
                "INSERT INTO action_items (case_id, item, version, step_id, owner_agency, responsible, status,"
                " saved_by, saved_at)"
                " VALUES (1, 'item-1', 1, 'police.restraining_order', 'police', 'Utredare', 'planned', 1, :at)"
            ),
            {"at": AT},
        )
        if engine.dialect.name == "postgresql":  # rows were given ids by hand: move the sequences past them
            for table in ("users", "cases", "persons", "assessments"):
                conn.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
    engine.dispose()


def test_existing_data_is_carried_over_to_default_organisations(empty_url: str) -> None:
    _old_database(empty_url)
    store = Store.open(empty_url, fast_hashing=True)  # migrates to the latest schema
    try:
        orgs = {o["key"]: o["agency"] for o in store.list_organisations()}
        assert orgs == {"police": "police", "healthcare": "healthcare", "social_services": "social_services"}
        with store.engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM users WHERE organisation_id IS NULL")).scalar_one() == 0
            assert c.execute(text("SELECT count(*) FROM case_organisations")).scalar_one() == 3
            for table, column in (("assessments", "organisation_id"), ("consents", "holder_organisation_id")):
                assert c.execute(text(f"SELECT count(*) FROM {table} WHERE {column} IS NULL")).scalar_one() == 0
        polis, vard, soc = (store.authenticate(n, PASS) for n in ("polis", "vard", "soc"))

        def seen(user):  # type: ignore[no-untyped-def]
            return {(a["checklist"], a["agency"], a["visible_because"]) for a in store.get_case(user, 1)["assessments"]}

        # the police's own consent no longer opens health care's records to the police
        assert seen(polis) == {("domestic_violence", "police", "own_agency"), ("child_welfare", "police", "own_agency")}
        assert ("domestic_violence", "police", "consent") in seen(vard)  # the police recorded it for their own
        assert seen(soc) == {("child_welfare", "police", "concern_report")}
        assert [a["item"] for a in store.list_actions(polis, 1)] == ["item-1"]
        assert store.list_actions(vard, 1) == []
        assert [c.reference for c in store.list_cases(soc).items] == ["K-OLD"]
        new = store.create_case(polis, reference="K-NEW")  # writing after the migration works as before
        store.add_agency(polis, new, "healthcare")
        assert store.get_case(vard, new)["organisations"] == ["healthcare", "police"]
    finally:
        store.close()
