"""Run the Alembic migrations programmatically, so `Store.open` brings any database to the latest schema.

A database already at the latest revision needs no migration: `upgrade` then reads the head from the migration
files' `revision = "…"` lines and the database's alembic_version, and neither imports Alembic nor runs the
migration scripts (a second of a first start on a loaded machine). Anything less plain (several heads, a merge
revision, a line it cannot read) goes the whole way through Alembic, as does every database behind the head.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _revision_lines(path: Path) -> tuple[str, str | None] | None:
    """(revision, down_revision) as a migration file assigns them at its top level; None if not plain strings."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    found: dict[str, object] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
        if isinstance(node, ast.AnnAssign):
            target = node.target
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            found[target.id] = value.value if isinstance(value, ast.Constant) else ...
    revision, down = found.get("revision"), found.get("down_revision", ...)
    if not isinstance(revision, str) or not (down is None or isinstance(down, str)):
        return None
    return revision, down


def head_revision() -> str | None:
    """The one head of the migration files (a single chain from one root), or None where it is not that plain."""
    chain: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        lines = _revision_lines(path)
        if lines is None or lines[0] in chain:
            return None
        chain[lines[0]] = lines[1]
    downs = [d for d in chain.values() if d is not None]
    heads = [r for r in chain if r not in downs]
    roots = [r for r, d in chain.items() if d is None]
    plain = len(heads) == 1 and len(roots) == 1 and len(set(downs)) == len(downs) and set(downs) <= set(chain)
    return heads[0] if plain else None


def at_head(connection: Connection) -> bool:
    """True when the database's alembic_version is exactly the files' one head (reads only, no error raised)."""
    head = head_revision()
    if head is None or not inspect(connection).has_table("alembic_version"):
        return False
    versions = [str(v) for v in connection.execute(text("SELECT version_num FROM alembic_version")).scalars()]
    return versions == [head]


def upgrade(connection: Connection) -> None:
    if at_head(connection):
        return
    from alembic import command

    command.upgrade(alembic_config(connection), "head")
