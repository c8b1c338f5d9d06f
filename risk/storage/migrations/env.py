"""Alembic environment: runs with the connection Store.open hands it (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from risk.storage.schema import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic` from the command line: use the URL given with -x url=...
    from sqlalchemy import create_engine

    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///var/samrisk.sqlite3")
    connection = create_engine(url).connect()

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
