"""Organisations and units: users, case participants, consents, concern reports, shares and saves name one

Each agency type becomes one default organisation (key = the agency) and existing rows are carried over to it.
A consent recorded before this migration opens only the records of the organisation that recorded it: before,
any agency could record a consent that opened another agency's records to itself.

The new columns stay nullable in the database: SQLite cannot add a NOT NULL foreign-key column to a table that
has rows, and rebuilding `users` or `cases` with foreign keys on would cascade-delete their children. The Store
sets them on every write.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# (table, new column) - every one refers to organisations.id
COLUMNS = (
    ("users", "organisation_id"),
    ("assessments", "organisation_id"),
    ("consents", "to_organisation_id"),
    ("consents", "holder_organisation_id"),
    ("consents", "recorded_by_organisation_id"),
    ("concern_reports", "from_organisation_id"),
    ("concern_reports", "to_organisation_id"),
    ("conference_shares", "organisation_id"),
    ("action_items", "organisation_id"),
)
DEFAULT = "(SELECT o.id FROM organisations o WHERE o.key = {table}.{agency})"
USER_ORG = "(SELECT u.organisation_id FROM users u WHERE u.id = {table}.{user})"
FILL = {
    ("users", "organisation_id"): DEFAULT.format(table="users", agency="agency"),
    ("assessments", "organisation_id"): DEFAULT.format(table="assessments", agency="agency"),
    ("consents", "to_organisation_id"): DEFAULT.format(table="consents", agency="to_agency"),
    ("consents", "holder_organisation_id"): USER_ORG.format(table="consents", user="recorded_by"),
    ("consents", "recorded_by_organisation_id"): USER_ORG.format(table="consents", user="recorded_by"),
    ("concern_reports", "from_organisation_id"): DEFAULT.format(table="concern_reports", agency="from_agency"),
    ("concern_reports", "to_organisation_id"): "(SELECT o.id FROM organisations o WHERE o.key = 'social_services')",
    ("conference_shares", "organisation_id"): DEFAULT.format(table="conference_shares", agency="agency"),
    ("action_items", "organisation_id"): USER_ORG.format(table="action_items", user="saved_by"),
}


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "case_organisations",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["added_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("case_id", "organisation_id"),
    )
    op.create_index(
        "ix_case_organisations_organisation", "case_organisations", ["organisation_id", "case_id"], unique=False
    )

    # One default organisation per agency found in the data; the Store makes the others when first needed.
    used: set[str] = set()
    for table, column in (
        ("users", "agency"),
        ("case_agencies", "agency"),
        ("assessments", "agency"),
        ("consents", "to_agency"),
        ("concern_reports", "from_agency"),
        ("conference_shares", "agency"),
    ):
        used |= {row[0] for row in bind.execute(sa.text(f"SELECT DISTINCT {column} FROM {table}"))}
    now = datetime.now(UTC).replace(tzinfo=None)
    orgs = sa.table(
        "organisations",
        sa.column("key", sa.String),
        sa.column("agency", sa.String),
        sa.column("name", sa.String),
        sa.column("created_at", sa.DateTime),
    )
    op.bulk_insert(
        orgs,
        [{"key": a, "agency": a, "name": a, "created_at": now} for a in sorted(used)],
        multiinsert=False,
    )

    for table, column in COLUMNS:
        if bind.dialect.name == "sqlite":  # ADD COLUMN keeps the rows; a rebuild would cascade deletes
            op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES organisations (id)")
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(f"fk_{table}_{column}", table, "organisations", [column], ["id"])
    for (table, column), value in FILL.items():  # users first: the others read users.organisation_id
        op.execute(f"UPDATE {table} SET {column} = {value}")
    op.add_column("consents", sa.Column("signed_reference", sa.String(length=200), nullable=True))
    op.execute(
        "INSERT INTO case_organisations (case_id, organisation_id, added_by, added_at) "
        "SELECT ca.case_id, o.id, ca.added_by, ca.added_at "
        "FROM case_agencies ca JOIN organisations o ON o.key = ca.agency"
    )


def downgrade() -> None:
    with op.batch_alter_table("consents") as batch_op:
        batch_op.drop_column("signed_reference")
    for table, column in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch_op:
            if op.get_bind().dialect.name != "sqlite":
                batch_op.drop_constraint(f"fk_{table}_{column}", type_="foreignkey")
            batch_op.drop_column(column)
    op.drop_index("ix_case_organisations_organisation", table_name="case_organisations")
    op.drop_table("case_organisations")
    op.drop_table("organisations")
