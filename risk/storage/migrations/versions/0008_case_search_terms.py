"""The words of each case's reference in an indexed table, so that a search does not read every case

See risk/storage/search.py. Existing cases get their words here.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_WORD = re.compile(r"[^\W_]+")  # as risk/storage/search.py when this migration was written


def upgrade() -> None:
    terms = op.create_table(
        "case_search_terms",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("term", sa.String(120), primary_key=True),
    )
    op.create_index(
        "ix_case_search_terms_term",
        "case_search_terms",
        ["term", "case_id"],
        postgresql_ops={"term": "text_pattern_ops"},
    )
    cases = sa.table("cases", sa.column("id", sa.Integer()), sa.column("reference", sa.String()))
    rows = [
        {"case_id": case_id, "term": word}
        for case_id, reference in op.get_bind().execute(sa.select(cases.c.id, cases.c.reference))
        for word in dict.fromkeys(w[:120] for w in _WORD.findall(reference.casefold()))
    ]
    if rows:
        op.bulk_insert(terms, rows)


def downgrade() -> None:
    op.drop_index("ix_case_search_terms_term", table_name="case_search_terms")
    op.drop_table("case_search_terms")
