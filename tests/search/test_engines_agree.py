"""The same query set on SQLite FTS5 and PostgreSQL full text gives the same top results.

Runs wherever a PostgreSQL server is reachable: CLAIMREVIEW_TEST_DATABASE_URL on the PostgreSQL
pass, CLAIMREVIEW_TEST_POSTGRES_URL (default: the local `test` database) on the SQLite pass. Elsewhere
it is skipped with the reason, and in CI that skip fails the run.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.demo.load import load_demo
from app.domain.page_tokens import PageTokens
from app.domain.search import SearchQuery, search
from app.storage.database import Database, make_database
from app.storage.migrate import upgrade
from tests.conftest import MISSING

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
QUERIES = [
    SearchQuery(q="Netflix abonné"),
    SearchQuery(q="vaccins"),
    SearchQuery(q="vaccines heart", language="en"),
    SearchQuery(q="photo"),
    SearchQuery(q="foto", language="pt"),
    SearchQuery(q="video"),
    SearchQuery(q="elecciones votos"),
    SearchQuery(q="高雄港"),
    SearchQuery(q="मुफ्त लैपटॉप"),
    SearchQuery(q="الماء"),
    SearchQuery(q="Masernimpfung Autismus", language="de"),
    SearchQuery(language="fr"),
    SearchQuery(q="foto", verdict="false"),
    SearchQuery(q="video", publisher="factwire"),
]


def _postgres_url() -> str:
    base = os.environ.get("CLAIMREVIEW_TEST_DATABASE_URL") or ""
    if not base.startswith("postgresql"):
        base = os.environ.get("CLAIMREVIEW_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    db = make_database(base)
    try:
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS engines_agree CASCADE"))
            connection.execute(text("CREATE SCHEMA engines_agree"))
    except OperationalError as exc:
        pytest.skip(f"{MISSING} no PostgreSQL server reachable at {base}: {exc.orig}")
    finally:
        db.dispose()
    return base + ("&" if "?" in base else "?") + "options=-csearch_path%3Dengines_agree"


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Database]]:
    urls = [f"sqlite:///{Path(tmp_path_factory.mktemp('agree')) / 'agree.db'}", _postgres_url()]
    databases = []
    for url in urls:
        upgrade(url)
        db = make_database(url)
        load_demo(db)
        databases.append(db)
    yield databases[0], databases[1]
    for db in databases:
        db.dispose()


@pytest.mark.parametrize(
    "query", QUERIES, ids=lambda q: f"{q.q}|{q.language}|{q.verdict}|{q.publisher}"
)
def test_same_top_results_on_both_engines(
    engines: tuple[Database, Database], query: SearchQuery
) -> None:
    tokens = PageTokens(b"k")
    pages = []
    for db in engines:
        with db.session() as session:
            pages.append(search(session, query, tokens))
    sqlite, postgres = pages
    assert sqlite.results, "the query set should only hold queries with results"
    assert [r.claim.text for r in sqlite.results] == [r.claim.text for r in postgres.results]
    assert [r.score for r in sqlite.results] == pytest.approx([r.score for r in postgres.results])
