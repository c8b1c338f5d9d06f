"""Safety plans as case records: one row per saved version of a person's victim or suicide safety plan

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safety_plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("person", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=True),
        sa.Column("holder_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("case_id", "person", "kind", "holder_id", "version", name="uq_safety_plan_version"),
    )
    op.create_index("ix_safety_plans_case", "safety_plans", ["case_id", "person"])


def downgrade() -> None:
    op.drop_index("ix_safety_plans_case", table_name="safety_plans")
    op.drop_table("safety_plans")
