"""Each agency keeps its own versions of its own assessment of a person

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch_op:
        batch_op.drop_constraint("uq_assessment_version", type_="unique")
        batch_op.create_unique_constraint(
            "uq_assessment_agency_version", ["case_id", "checklist", "subject", "agency", "version"]
        )


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch_op:
        batch_op.drop_constraint("uq_assessment_agency_version", type_="unique")
        batch_op.create_unique_constraint("uq_assessment_version", ["case_id", "checklist", "subject", "version"])
