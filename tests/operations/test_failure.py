"""Clean failure: with its database unreachable, cut off or saturated, the service answers 503
problem+json with Retry-After, /healthz stays 200 at once, /readyz says 503 within 5 s, and the
service comes back by itself."""

import contextlib
import os
import select
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import auth, review_body
from tests.operations.conftest import Instance, free_port

POSTGRES = os.environ.get("CLAIMREVIEW_TEST_DATABASE_URL", "").startswith("postgresql")


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["status"] == 503


def timed(call: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


class Proxy:
    """A TCP relay in front of PostgreSQL that a test can cut ("refuse": the port closes and
    every connection drops) or turn into a black hole ("drop": connections stay open and
    nothing passes, as when packets are lost)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.mode = "forward"
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self.listen()

    def listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([a, b], [], [], 0.1)
                if self.mode == "drop":
                    continue  # read nothing, send nothing: a silent network
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        raise OSError
                    peers[sock].sendall(data)
            except (OSError, ValueError):
                a.close()
                b.close()
                return

    def refuse(self) -> None:
        self.mode = "refuse"
        if self._listener is not None:
            # shutdown wakes the thread blocked in accept(); close alone would leave the
            # port listening until that accept returned.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        for sock in self._sockets:
            sock.close()
        self._sockets.clear()

    def forward(self) -> None:
        if self._listener is None:
            self.listen()
        self.mode = "forward"

    def close(self) -> None:
        self._stop.set()
        self.refuse()


@pytest.fixture
def proxy(database_url: str) -> Iterator[Proxy]:
    url = make_url(database_url)
    relay = Proxy((url.host or "127.0.0.1", url.port or 5432))
    yield relay
    relay.close()


def recovers(client: httpx.Client, path: str, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if client.get(path).status_code == 200:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.skipif(not POSTGRES, reason="a network between the service and its database")
class TestPostgresCutOff:
    def test_unreachable_dropped_and_back(
        self,
        spawn: Callable[..., Instance],
        proxy: Proxy,
        database_url: str,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        review = make_review()
        through_proxy = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
        instance = spawn(
            database_url=through_proxy.render_as_string(hide_password=False),
            database_timeout_seconds="2",
            request_timeout_seconds="3",
            read_cache_entries="0",
        )
        path = f"/v1/reviews/{review['id']}/claimreview"
        with instance.client() as client:
            assert client.get(path).status_code == 200
            assert client.get("/readyz").status_code == 200

            proxy.refuse()  # the server is gone
            response, _ = timed(lambda: client.get(path))
            assert_unavailable(response)
            response, took = timed(lambda: client.get("/healthz"))
            assert response.status_code == 200
            assert took < 1
            response, took = timed(lambda: client.get("/readyz"))
            assert response.status_code == 503
            assert took < 5

            proxy.forward()
            assert recovers(client, path)

            proxy.mode = "drop"  # packets lost: nothing answers, nothing fails at once
            response, took = timed(lambda: client.get(path))
            assert_unavailable(response)
            assert took < 10
            response, took = timed(lambda: client.get("/healthz"))
            assert response.status_code == 200
            assert took < 1
            response, took = timed(lambda: client.get("/readyz"))
            assert response.status_code == 503
            assert took < 5

            proxy.refuse()
            proxy.forward()
            assert recovers(client, path)
            assert recovers(client, "/readyz")


@pytest.mark.skipif(POSTGRES, reason="SQLite's own ways of being unavailable")
class TestSqliteUnavailable:
    def test_a_database_that_cannot_be_opened_answers_503(
        self, spawn: Callable[..., Instance], tmp_path: Path
    ) -> None:
        missing = tmp_path / "no-such-directory" / "claimreview.db"
        instance = spawn(database_url=f"sqlite:///{missing}", read_cache_entries="0")
        with instance.client() as client:
            assert_unavailable(client.get("/v1/lookup", params={"url": "https://x.com/a"}))
            assert_unavailable(client.get("/v1/search", params={"q": "moon"}))
            response, took = timed(lambda: client.get("/healthz"))
            assert response.status_code == 200
            assert took < 1
            response, took = timed(lambda: client.get("/readyz"))
            assert response.status_code == 503
            assert took < 5

    def test_writes_behind_a_held_lock_get_503_then_succeed(
        self,
        spawn: Callable[..., Instance],
        database_url: str,
        editor_key: str,
    ) -> None:
        instance = spawn(database_timeout_seconds="1")
        path = make_url(database_url).database
        assert path is not None
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # a writer that does not let go
        try:
            with instance.client() as client:
                response, took = timed(
                    lambda: client.post("/v1/reviews", json=review_body(), headers=auth(editor_key))
                )
                assert_unavailable(response)
                assert took < 5
                assert client.get("/v1/search", params={"q": "moon"}).status_code == 200
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        with instance.client() as client:
            response = client.post("/v1/reviews", json=review_body(), headers=auth(editor_key))
            assert response.status_code == 201, response.text


def test_readyz_is_503_until_the_database_is_migrated(
    spawn: Callable[..., Instance], database_url: str, tmp_path: Path
) -> None:
    if POSTGRES:
        empty = make_url(database_url).update_query_dict({"options": "-csearch_path=unmigrated"})
        import sqlalchemy

        engine = sqlalchemy.create_engine(database_url)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS unmigrated CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA unmigrated")
        engine.dispose()
        unmigrated = empty.render_as_string(hide_password=False)
    else:
        unmigrated = f"sqlite:///{tmp_path / 'new.db'}"
    instance = spawn(database_url=unmigrated)
    with instance.client() as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert "claimreview migrate" in response.json()["detail"]
    with spawn().client() as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["revision"]
