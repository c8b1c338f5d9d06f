"""Training: practice-case attempts per person and unit, and cases assigned to a unit

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("case_key", sa.String(80), nullable=False),
        sa.Column("case_version", sa.String(40), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("work", sa.JSON(), nullable=False),
        sa.Column("feedback", sa.JSON(), nullable=False),
    )
    op.create_index("ix_training_attempts_user", "training_attempts", ["user_id"])
    op.create_index("ix_training_attempts_organisation", "training_attempts", ["organisation_id"])
    op.create_table(
        "training_assignments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("case_key", sa.String(80), nullable=False),
        sa.Column("assigned_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.UniqueConstraint("organisation_id", "case_key", name="uq_training_assignment"),
    )


def downgrade() -> None:
    op.drop_table("training_assignments")
    op.drop_index("ix_training_attempts_organisation", table_name="training_attempts")
    op.drop_index("ix_training_attempts_user", table_name="training_attempts")
    op.drop_table("training_attempts")
