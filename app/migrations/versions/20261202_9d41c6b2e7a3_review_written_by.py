"""Who wrote a review: first-party (its publisher's editors) or an import

Revision ID: 9d41c6b2e7a3
Revises: 3e8a1f5c7b24
Create Date: 2026-12-02 00:00:00

An import never overwrites a review that the publisher's own editors wrote. Reviews stored before
this column existed cannot say who wrote them; they count as first-party ("editor"), so that an
import never overwrites what it cannot prove an import wrote (it reports them as rejected).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d41c6b2e7a3"
down_revision: str | None = "3e8a1f5c7b24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("written_by", sa.String(length=10), server_default="editor", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_column("written_by")
