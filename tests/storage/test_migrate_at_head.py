"""Store.open skips Alembic on a database already at the migration files' head, and only there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from risk.storage import Store
from risk.storage.migrate import MIGRATIONS, alembic_config, at_head, head_revision
from tests.conftest import ROOT

KEY = b"k" * 48


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_an_open_at_head_imports_no_alembic_and_one_behind_is_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    Store.open(url, key=KEY).close()  # a new database: every migration runs
    script = (
        "import sys\n"
        "from risk.storage import Store\n"
        f"Store.open({url!r}, key={KEY!r}).close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    env = {**os.environ, "SAMRISK_DATA_DIR": str(tmp_path)}
    shown = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "[]"
    engine = create_engine(url)
    with engine.begin() as conn:
        assert at_head(conn)
        command.downgrade(alembic_config(conn), "0011")
        assert not at_head(conn)
        assert not inspect(conn).has_table("training_attempts")
    Store.open(url, key=KEY).close()  # behind the head: Alembic brings it up
    with engine.begin() as conn:
        assert at_head(conn) and inspect(conn).has_table("training_attempts")
        conn.execute(text("DELETE FROM alembic_version"))
        assert not at_head(conn)  # no version at all is never taken for the head
    engine.dispose()


def test_files_that_are_not_one_plain_chain_go_through_alembic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = head_revision()
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    for path in (MIGRATIONS / "versions").glob("*.py"):
        (versions / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr("risk.storage.migrate.MIGRATIONS", tmp_path / "migrations")
    assert original is not None and head_revision() == original  # the copy reads like the original
    (versions / "9998_branch.py").write_text(f'revision = "9998"\ndown_revision = "{original}"\n')
    assert head_revision() == "9998"  # one more in the chain: the new head
    (versions / "9998_branch.py").write_text('revision = "9998"\ndown_revision = "0011"\n', encoding="utf-8")
    assert head_revision() is None  # two heads
    (versions / "9998_branch.py").write_text('revision = "9998"\ndown_revision = ("0011", "0012")\n')
    assert head_revision() is None  # a merge
    (versions / "9998_branch.py").write_text("revision = make_revision()\ndown_revision = None\n")
    assert head_revision() is None  # not a plain string
