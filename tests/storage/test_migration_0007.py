"""Migration 0007 (concern reports as made; person_changes) goes down and up again on SQLite and PostgreSQL, and a
concern report recorded without when/where/how stays readable: it then says when it was recorded, and by whom."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from risk.storage.migrate import alembic_config
from tests.storage.conftest import Store


def test_down_to_0006_and_up_again_keeps_the_concern_reports(store: Store) -> None:
    polis = store.add_user("polis", "a long passphrase", agency="police", role="officer")
    cid = store.create_case(polis, reference="K-1")
    store.add_person(polis, cid, {"id": "c1", "role": "child", "age": 4})
    store.report_concern(polis, cid, "c1")
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0006")
    tables = inspect(store.engine)
    assert "person_changes" not in tables.get_table_names()
    assert "municipality" not in {c["name"] for c in tables.get_columns("concern_reports")}
    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    [report] = store.concern_reports(polis, cid)
    assert (report["child"], report["municipality"], report["method"], report["by"]) == ("c1", None, None, "polis")
    assert report["reported_at"] == report["recorded_at"]
    store.correct_person(polis, cid, "c1", {"age": 5})  # person_changes is back
