"""Follow-up over time: the suggested reassessment date kept beside the chosen one, and why they differ

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("reassess_suggested", sa.Date(), nullable=True))
        batch.add_column(sa.Column("reassess_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("reassess_reason")
        batch.drop_column("reassess_suggested")
