"""Search statistics count the rebuilds of the index

Revision ID: 5a9c1e7f3b28
Revises: 2f8b6d4e1c73
Create Date: 2026-12-05 00:00:00

Each app instance holds a copy of the search index in memory, kept current from the change log.
`claimreview reindex` rewrites the index without logging a change: it now counts its rebuilds in
`search_stats.rebuilt`, which every instance's poll reads with the corpus size, and an instance
whose copy was loaded before a rebuild loads it again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a9c1e7f3b28"
down_revision: str | None = "2f8b6d4e1c73"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("search_stats") as batch:
        batch.add_column(sa.Column("rebuilt", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("search_stats") as batch:
        batch.drop_column("rebuilt")
