"""Why a review was retracted

Revision ID: 7c3d5e9a2b61
Revises: 4b7e2c9d1a05
Create Date: 2026-12-03 00:00:00

A retraction is public (the change log says `review.retracted`); its reason is kept with the
review, shown by the native API and the web app. Reviews retracted before this column existed
have none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c3d5e9a2b61"
down_revision: str | None = "4b7e2c9d1a05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retraction_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_column("retraction_reason")
