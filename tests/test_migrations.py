"""Migrations: `upgrade head` then `alembic check` on the test engine, and every step reversible."""

import os
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

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


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    db = make_database(url)
    try:
        with db.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        db.dispose()


def _run(url: str, *statements: str) -> None:
    db = make_database(url)
    try:
        with db.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        db.dispose()


_REVIEW = (
    "INSERT INTO review (id, claim_id, publisher_id, url, url_key, language, rating_label, "
    "verdict, status, written_by, authors, version, created_at, updated_at) VALUES "
    "({id}, {claim}, 'p', 'https://p.example/a', 'p.example/a', 'en', 'False', 'false', "
    "'published', 'import', '[]', 1, '2026-12-01 00:00:00', '2026-12-01 00:00:00')"
)


def test_one_review_per_page_becomes_one_review_per_page_and_claim(scratch_url: str) -> None:
    """Revision 4b7e2c9d1a05 carries reviews over, then lets a page hold a second claim's review;
    going back is refused while a page holds two, and carries one-review pages back."""
    upgrade(scratch_url, "9d41c6b2e7a3")
    now = "'2026-12-01 00:00:00'"
    _run(
        scratch_url,
        f"INSERT INTO publisher (id, name, sites, languages, verdict_overrides, created_at, "
        f"updated_at) VALUES ('p', 'P', '[]', '[]', '{{}}', {now}, {now})",
        f"INSERT INTO claim (id, text, text_key, language, created_at, updated_at) VALUES "
        f"(1, 'One', 'k1', 'en', {now}, {now}), (2, 'Two', 'k2', 'en', {now}, {now})",
        _REVIEW.format(id=1, claim=1),
    )
    upgrade(scratch_url)
    assert _rows(scratch_url, "SELECT id, claim_id, url_key, written_by FROM review") == [
        (1, 1, "p.example/a", "import")
    ]
    _run(scratch_url, _REVIEW.format(id=2, claim=2))
    with pytest.raises(IntegrityError):
        _run(scratch_url, _REVIEW.format(id=3, claim=2))
    with pytest.raises(RuntimeError, match="holds several reviews"):
        downgrade(scratch_url, "9d41c6b2e7a3")
    _run(scratch_url, "DELETE FROM review WHERE id = 2")
    downgrade(scratch_url, "9d41c6b2e7a3")
    assert _rows(scratch_url, "SELECT id, claim_id FROM review") == [(1, 1)]
    with pytest.raises(IntegrityError):
        _run(scratch_url, _REVIEW.format(id=2, claim=2))
