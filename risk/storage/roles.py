"""The PostgreSQL role the app runs as: it may add to the append-only tables but never change or delete them.

Data first: which tables are append-only (and which columns of them may still be set once) is the table below; the
GRANT statements are derived from it and from the schema, so a table added later gets ordinary rights until it is
listed here. Migrations and retention run as the owner role, never as the app role.
"""

from __future__ import annotations

import re

from risk.errors import InputError
from risk.storage.schema import Base

# table -> columns the app may still UPDATE (consent withdrawal sets one timestamp and who withdrew it)
APPEND_ONLY: dict[str, tuple[str, ...]] = {
    "audit": (),
    "assessments": (),
    "overrides": (),
    "consents": ("withdrawn_at", "withdrawn_by"),
    "concern_reports": (),
    "conference_shares": (),
    "action_items": (),
    "training_attempts": (),  # a finished practice attempt is kept as it was scored
}
# tables the app updates (last activity, login counts, the audit head) but never deletes from
NO_DELETE = ("audit_head", "cases", "users")

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role_sql(role: str, database: str) -> list[str]:
    """GRANT statements for `role` (run as the owner, after migrations): one statement per line."""
    for name, value in (("role", role), ("database", database)):
        if not _IDENTIFIER.match(value):
            raise InputError([f"{name}: {value!r}; use lower-case letters, digits and _ (a plain PostgreSQL name)"])
    sql = [
        f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"',
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"',
        f'GRANT SELECT ON alembic_version TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
    ]
    for table in sorted(Base.metadata.tables):
        if table in APPEND_ONLY:
            sql.append(f'GRANT SELECT, INSERT ON "{table}" TO "{role}"')
            columns = APPEND_ONLY[table]
            if columns:
                sql.append(f'GRANT UPDATE ({", ".join(columns)}) ON "{table}" TO "{role}"')
        elif table in NO_DELETE:
            sql.append(f'GRANT SELECT, INSERT, UPDATE ON "{table}" TO "{role}"')
        else:
            sql.append(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{table}" TO "{role}"')
    return sql
