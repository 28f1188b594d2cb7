"""`claimreview reindex` rebuilds from the tables exactly the index the writes kept up to date."""

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from app.demo.load import load_demo
from app.storage.database import Database

ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "search_doc": "SELECT claim_id, language, length, sort_date, terms, claimant_terms FROM search_doc",
    "search_posting": "SELECT term, claim_id, weight FROM search_posting",
    "search_term": "SELECT term, df FROM search_term",
    "search_stats": "SELECT docs, length FROM search_stats",
}


def index_state(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.engine.connect() as connection:
        return {
            name: sorted(tuple(r) for r in connection.execute(text(sql)))
            for name, sql in TABLES.items()
        }


def test_reindex_rebuilds_the_same_index(
    database_url: str, db: Database, client: httpx.Client
) -> None:
    load_demo(db)
    incremental = index_state(db)
    assert incremental["search_doc"]
    before = client.get("/v1/search", params={"q": "vaccins"}).json()
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM search_posting"))
        connection.execute(text("DELETE FROM search_term"))
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "reindex"],
        capture_output=True,
        text=True,
        env={**os.environ, "CLAIMREVIEW_DATABASE_URL": database_url},
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert f"{len(incremental['search_doc'])} claims" in done.stdout
    assert index_state(db) == incremental
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT rebuilt FROM search_stats")).scalar_one() == 1
    # The server's copy of the index in memory may have been loaded while the postings were
    # missing: the rebuild's count makes its next poll load it again, as it would another
    # instance's write (a second late at most).
    deadline = time.monotonic() + 1.5
    while (now := client.get("/v1/search", params={"q": "vaccins"}).json()) != before:
        assert time.monotonic() < deadline, now
        time.sleep(0.05)
