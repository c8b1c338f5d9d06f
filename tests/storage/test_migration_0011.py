"""Migration 0011 (the suggested reassessment date and the reason for a later one) goes down and up again on SQLite
and PostgreSQL; a version saved before it keeps its chosen date and simply has no suggestion."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import inspect

from risk.storage.migrate import alembic_config
from tests.storage.conftest import Store


def test_down_to_0009_and_up_again_keeps_the_chosen_date(store: Store) -> None:
    polis = store.add_user("polis", "a long passphrase", agency="police", role="officer")
    cid = store.create_case(polis, reference="K-1")
    store.add_person(polis, cid, {"id": "v1", "role": "victim", "age": 30})
    store.add_person(polis, cid, {"id": "s1", "role": "suspect", "age": 31})
    a = {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.strangulation": "yes"}}
    store.save_assessment(polis, cid, a, reassess_by=date(2026, 12, 1))
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0009")
    columns = {c["name"] for c in inspect(store.engine).get_columns("assessments")}
    assert "reassess_by" in columns and not {"reassess_suggested", "reassess_reason"} & columns
    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    [kept] = store.get_case(polis, cid)["assessments"]
    assert kept["reassess_by"] == "2026-12-01" and "reassess_suggested" not in kept
    store.set_reassessment(polis, cid, "domestic_violence", "v1", date(2026, 12, 20))  # no suggestion: no reason asked
    [kept] = store.get_case(polis, cid)["assessments"]
    assert kept["reassess_by"] == "2026-12-20"
