"""Migrations: `upgrade head` then `alembic check` on the test engine, and every step reversible."""

import os
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from app.storage.database import make_database
from app.storage.migrate import check, downgrade, upgrade


@pytest.fixture
def scratch_url(tmp_path: Path) -> str:
    """A database of its own: a new SQLite file, or a fresh schema on the PostgreSQL server."""
    url = os.environ.get("CLAIMREVIEW_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    db = make_database(url)
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
        connection.execute(text("CREATE SCHEMA migration_check"))
    db.dispose()
    return url + ("&" if "?" in url else "?") + "options=-csearch_path%3Dmigration_check"


def test_upgrade_head_matches_the_models(scratch_url: str) -> None:
    upgrade(scratch_url)
    check(scratch_url)  # raises when a model change has no migration


def test_every_migration_is_reversible(scratch_url: str) -> None:
    upgrade(scratch_url)
    downgrade(scratch_url, "base")
    db = make_database(scratch_url)
    with db.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    db.dispose()
    upgrade(scratch_url)
    check(scratch_url)
