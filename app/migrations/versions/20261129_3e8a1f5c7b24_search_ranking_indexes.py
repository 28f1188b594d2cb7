"""Narrow indexes for ranking many matched claims

Revision ID: 3e8a1f5c7b24
Revises: 7f6f31608a0e
Create Date: 2026-11-29 00:00:00

A query of common words matches thousands of claims, and each costs a few lookups before the
best ten are known. Two of them read wide rows: the claim's length and date from search_doc
(whose rows also hold the token text), and, with a verdict or publisher filter, the review row
(which holds the rendered JSON-LD). Narrow indexes answer both from small, cache-friendly pages.

* ix_search_doc_rank (SQLite; the ranking query names it): claim_id, sort_date, length, language.
* ix_review_published_claim (both engines): the published, live reviews of a claim with their
  verdict and publisher, what the search filters ask (status and deleted_at too, so that
  SQLite reads nothing else: a partial index alone does not cover the columns of its WHERE).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3e8a1f5c7b24"
down_revision: str | None = "7f6f31608a0e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE INDEX ix_search_doc_rank ON search_doc (claim_id, sort_date, length, language)"
        )
    op.execute(
        "CREATE INDEX ix_review_published_claim "
        "ON review (claim_id, verdict, publisher_id, status, deleted_at) "
        "WHERE status = 'published' AND deleted_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_review_published_claim")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX ix_search_doc_rank")
