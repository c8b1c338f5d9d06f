"""Case records of the workflows: how a concern report was made, and the history of corrected or removed persons

The concern report gets when it was made (which may be before it was recorded here), the municipality it went to
and how (phone, written, e_service). `person_changes` keeps every correction or removal of a person registered
by mistake, with the values before and after.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("concern_reports") as batch:
        batch.add_column(sa.Column("reported_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("municipality", sa.String(120), nullable=True))
        batch.add_column(sa.Column("method", sa.String(20), nullable=True))
    op.create_table(
        "person_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("person", sa.String(40), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("changed_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_person_changes_case", "person_changes", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_person_changes_case", "person_changes")
    op.drop_table("person_changes")
    with op.batch_alter_table("concern_reports") as batch:
        batch.drop_column("method")
        batch.drop_column("municipality")
        batch.drop_column("reported_at")
