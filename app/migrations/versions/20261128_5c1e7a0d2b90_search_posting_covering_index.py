"""search_posting covering index on PostgreSQL

Revision ID: 5c1e7a0d2b90
Revises: 1b9c392091f1
Create Date: 2026-11-28 22:40:00

PostgreSQL stores search_posting rows in insertion order, so reading one term's postings through
the primary key touched a heap page per row. An index that also holds the weight answers the
scoring query from the index alone (measured: 2 common words p50 13 -> 4 ms at 200,000 claims).
SQLite's table is WITHOUT ROWID, already clustered by (term, claim_id): nothing to do there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5c1e7a0d2b90"
down_revision: str | None = "1b9c392091f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_search_posting_term_covering "
            "ON search_posting (term, claim_id) INCLUDE (weight)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_search_posting_term_covering")
