"""One domestic-violence assessment per perpetrator: the person an assessment is about is part of its key

Honour-based violence has several perpetrators, so a victim may have one assessment about each. For checklists
with an about_role the new column `about_key` holds the `about` person; elsewhere it is '' (never NULL, so that
the unique constraints hold: NULLs are distinct in SQLite and PostgreSQL alike).

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

# Gives the unnamed unique constraint of drafts (migration 0001) a name when SQLite's table is reflected.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
DRAFT_UQ_OLD = "uq_drafts_user_id_case_id_checklist_subject"
ABOUT_ROLE_CHECKLISTS = ("domestic_violence",)  # checklists with an about_role when this migration was written


def _old_draft_constraint() -> str:
    """The name the database gave the drafts' unique constraint of 0001 (PostgreSQL names it itself)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return DRAFT_UQ_OLD
    for uq in sa.inspect(bind).get_unique_constraints("drafts"):
        if uq["column_names"] == ["user_id", "case_id", "checklist", "subject"] and uq["name"]:
            return str(uq["name"])
    return DRAFT_UQ_OLD


def upgrade() -> None:
    for table in ("assessments", "drafts"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("about_key", sa.String(length=40), nullable=False, server_default=""))
        op.execute(
            sa.text(
                f"UPDATE {table} SET about_key = about "  # fixed table names, no user input
                "WHERE about IS NOT NULL AND checklist IN :checklists"
            ).bindparams(sa.bindparam("checklists", ABOUT_ROLE_CHECKLISTS, expanding=True))
        )
    with op.batch_alter_table("assessments") as batch_op:
        batch_op.drop_constraint("uq_assessment_agency_version", type_="unique")
        batch_op.create_unique_constraint(
            "uq_assessment_about_version", ["case_id", "checklist", "subject", "about_key", "agency", "version"]
        )
    old = _old_draft_constraint()
    with op.batch_alter_table("drafts", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(old, type_="unique")
        batch_op.create_unique_constraint("uq_draft_about", ["user_id", "case_id", "checklist", "subject", "about_key"])


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch_op:
        batch_op.drop_constraint("uq_draft_about", type_="unique")
        batch_op.create_unique_constraint(DRAFT_UQ_OLD, ["user_id", "case_id", "checklist", "subject"])
        batch_op.drop_column("about_key")
    with op.batch_alter_table("assessments") as batch_op:
        batch_op.drop_constraint("uq_assessment_about_version", type_="unique")
        batch_op.create_unique_constraint(
            "uq_assessment_agency_version", ["case_id", "checklist", "subject", "agency", "version"]
        )
        batch_op.drop_column("about_key")
