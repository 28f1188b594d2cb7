"""Races (issue 9, item 3): two creates of the same review URL or publisher id at once give one
201 and one 409 on both engines, never a 500.

Deterministic, without sleeps: the first create runs through the domain in a transaction left
open; the second goes over HTTP while it is open. On PostgreSQL the test waits until the
second is blocked on the first's row lock (it has passed the duplicate check by then, so it is
the database's unique violation that must become the 409); on SQLite the second waits for the
write lock and then finds the row. Then the first commits.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import text

from app.domain import publishers, reviews
from app.domain.access import COMMAND_LINE, Principal
from app.domain.schemas import PublisherCreate, ReviewCreate, Role
from app.storage.database import Database
from tests.conftest import auth, review_body


def _wait_until_blocked(db: Database, before: Callable[[], bool]) -> None:
    """PostgreSQL: until a session of this database waits for a lock. SQLite: nothing to
    observe (the second writer waits in busy_timeout), and the outcome is the same whenever
    it runs."""
    if db.is_sqlite:
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and before():
        with db.engine.connect() as connection:
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        if waiting:
            return
    raise AssertionError("the second request never waited for the first transaction")


def _in_thread(call: Callable[[], httpx.Response]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(call()))
    thread.start()
    return thread, result


class TestSimultaneousCreates:
    def test_the_same_review_url_gives_one_201_and_one_409(
        self, client: httpx.Client, db: Database, editor_key: str, publisher: str
    ) -> None:
        url = "https://verifact.example/race"
        editor = Principal(key_id="first", role=Role.EDITOR, publisher_id=publisher)
        with db.unit_of_work() as session:
            first = reviews.create_review(session, editor, ReviewCreate(**review_body(url)))
            thread, result = _in_thread(
                lambda: client.post("/v1/reviews", json=review_body(url), headers=auth(editor_key))
            )
            _wait_until_blocked(db, thread.is_alive)
        thread.join(timeout=60)
        second = result[0]
        assert second.status_code == 409, second.text
        assert second.headers["content-type"] == "application/problem+json"
        assert second.json()["errors"][0]["field"] == "url"
        found = client.get("/v1/lookup", params={"url": url}).json()["matches"][url]
        assert [match["id"] for match in found] == [first.id]

    def test_the_same_publisher_id_gives_one_201_and_one_409(
        self, client: httpx.Client, db: Database, admin_key: str
    ) -> None:
        body = {"id": "twin", "name": "Twin", "sites": ["twin.example"]}
        with db.unit_of_work() as session:
            publishers.create_publisher(session, COMMAND_LINE, PublisherCreate(**body))
            thread, result = _in_thread(
                lambda: client.post("/v1/publishers", json=body, headers=auth(admin_key))
            )
            _wait_until_blocked(db, thread.is_alive)
        thread.join(timeout=60)
        second = result[0]
        assert second.status_code == 409, second.text
        assert second.json()["type"] == "/problems/conflict"
        assert client.get("/v1/publishers/twin").json()["name"] == "Twin"

    def test_many_simultaneous_creates_of_one_url_give_one_201(
        self, client: httpx.Client, editor_key: str, publisher: str
    ) -> None:
        url = "https://verifact.example/crowd"
        start = threading.Event()
        statuses: list[int] = []

        def create() -> None:
            start.wait()
            response = client.post("/v1/reviews", json=review_body(url), headers=auth(editor_key))
            statuses.append(response.status_code)

        threads = [threading.Thread(target=create) for _ in range(8)]
        for thread in threads:
            thread.start()
        start.set()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(statuses) == [201] + [409] * 7
