"""A page carries several reviews: a review is its page URL and its claim

Revision ID: 4b7e2c9d1a05
Revises: 9d41c6b2e7a3
Create Date: 2026-12-03 06:00:00

Until now a review was identified by its URL alone, so a page checking two claims kept only one.
The unique key on `review.url_key` becomes unique on (`url_key`, `claim_id`), and `url_key` keeps
a plain index for lookups of a page's reviews. Existing rows all satisfy the new key (they were
unique on a subset of it). Downgrading needs every page to hold one review again: it refuses, before
changing anything, while a page holds several.

SQLite names the old key nowhere (it was declared inline), hence the naming convention that lets
batch mode find and drop it; PostgreSQL named it `review_url_key_key`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b7e2c9d1a05"
down_revision: str | None = "9d41c6b2e7a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_key_name() -> str:
    return "review_url_key_key" if op.get_bind().dialect.name == "postgresql" else "uq_review_url_key"


def upgrade() -> None:
    with op.batch_alter_table("review", naming_convention=_SQLITE_NAMES) as batch_op:
        batch_op.drop_constraint(_old_key_name(), type_="unique")
        batch_op.create_unique_constraint("uq_review_page_claim", ["url_key", "claim_id"])
        batch_op.create_index("ix_review_url_key", ["url_key"], unique=False)


def downgrade() -> None:
    shared = op.get_bind().execute(
        sa.text("SELECT url_key FROM review GROUP BY url_key HAVING count(*) > 1")
    ).first()
    if shared is not None:
        raise RuntimeError(
            f"cannot downgrade: the page {shared[0]} holds several reviews, and before this "
            "revision a page holds one; delete all but one review of each such page first"
        )
    with op.batch_alter_table("review", naming_convention=_SQLITE_NAMES) as batch_op:
        batch_op.drop_index("ix_review_url_key")
        batch_op.drop_constraint("uq_review_page_claim", type_="unique")
        batch_op.create_unique_constraint(_old_key_name(), ["url_key"])
