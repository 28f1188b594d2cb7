"""Web app sessions held by the database

Revision ID: 2f8b6d4e1c73
Revises: 7c3d5e9a2b61
Create Date: 2026-12-04 00:00:00

A web app session was a signed cookie only, so signing out could not end a copy of it. Each
session is now a row (the SHA-256 of the cookie's nonce, its key, its expiry) that every app
instance reads: signing out deletes it. Sessions opened before this revision have no row and
end: their holders sign in again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "2f8b6d4e1c73"
down_revision: str | None = "7c3d5e9a2b61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["api_key.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_session_key_id", "web_session", ["key_id"])
    op.create_index("ix_web_session_expires_at", "web_session", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_web_session_expires_at", table_name="web_session")
    op.drop_index("ix_web_session_key_id", table_name="web_session")
    op.drop_table("web_session")
