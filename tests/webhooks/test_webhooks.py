"""Webhooks: subscriptions, signed in-order deliveries to a real receiver, retries, restarts."""

import hashlib
import hmac
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text

from app.storage.database import Database
from tests.api.test_access import snapshot
from tests.conftest import auth

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Receiver:
    """A real HTTP endpoint on 127.0.0.1 that refuses its first `fail_first` calls."""

    fail_first: int = 0
    delay: float = 0.0  # seconds each answer takes
    calls: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(state.delay)
            with state.lock:
                state.calls += 1
                failing = state.calls <= state.fail_first
                if not failing:
                    state.received.append(orjson.loads(body))
                    state.headers.append(dict(self.headers))
                    state.bodies.append(body)
            self.send_response(503 if failing else 204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def deliverer(database_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "deliver", "--poll", "0.05"],
        env={
            **os.environ,
            "CLAIMREVIEW_DATABASE_URL": database_url,
            "CLAIMREVIEW_WEBHOOK_ALLOW_PRIVATE": "true",
            "CLAIMREVIEW_WEBHOOK_RETRY_BASE_SECONDS": "0.05",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    fields = dict(part.split("=", 1) for part in headers["Webhook-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def log_cursors(db: Database, verdict: str | None = None) -> list[str]:
    query = (
        'SELECT cursor FROM "change"'
        + (" WHERE verdict = :v" if verdict else "")
        + " ORDER BY cursor"
    )
    with db.engine.connect() as connection:
        return [str(c) for c in connection.execute(text(query), {"v": verdict}).scalars()]


@pytest.fixture
def partner_key(make_key: Callable[..., str]) -> str:
    return make_key("partner")


class TestSubscriptions:
    def test_partner_subscribes_and_sees_the_secret_once(
        self, client: httpx.Client, partner_key: str, receiver: Receiver
    ) -> None:
        created = client.post(
            "/v1/webhooks",
            json={"url": receiver.url, "verdict": "false"},
            headers=auth(partner_key),
        )
        assert created.status_code == 201, created.text
        hook = created.json()
        assert hook["secret"].startswith("whsec_")
        listed = client.get("/v1/webhooks", headers=auth(partner_key)).json()["webhooks"]
        assert [h["id"] for h in listed] == [hook["id"]]
        assert "secret" not in listed[0]

    @pytest.mark.parametrize(("role", "status"), [(None, 401), ("importer", 403), ("editor", 403)])
    def test_others_may_not_subscribe(
        self,
        client: httpx.Client,
        db: Database,
        make_key: Callable[..., str],
        publisher: str,
        receiver: Receiver,
        role: str | None,
        status: int,
    ) -> None:
        key = make_key(role, publisher if role == "editor" else None) if role else None
        before = snapshot(db)
        response = client.post(
            "/v1/webhooks", json={"url": receiver.url}, headers=auth(key) if key else {}
        )
        assert response.status_code == status
        assert snapshot(db) == before

    def test_one_partner_cannot_see_or_delete_anothers(
        self,
        client: httpx.Client,
        make_key: Callable[..., str],
        partner_key: str,
        receiver: Receiver,
    ) -> None:
        hook = client.post(
            "/v1/webhooks", json={"url": receiver.url}, headers=auth(partner_key)
        ).json()
        other = make_key("partner")
        assert client.get("/v1/webhooks", headers=auth(other)).json()["webhooks"] == []
        assert client.delete(f"/v1/webhooks/{hook['id']}", headers=auth(other)).status_code == 404
        assert (
            client.delete(f"/v1/webhooks/{hook['id']}", headers=auth(partner_key)).status_code
            == 204
        )

    def test_url_must_be_http(self, client: httpx.Client, partner_key: str) -> None:
        response = client.post(
            "/v1/webhooks", json={"url": "javascript:alert(1)"}, headers=auth(partner_key)
        )
        assert response.status_code == 422


class TestDeliveries:
    def test_every_event_delivered_in_order_and_signed_despite_failures(
        self,
        client: httpx.Client,
        db: Database,
        database_url: str,
        partner_key: str,
        receiver: Receiver,
        make_review: Callable[..., dict[str, Any]],
        editor_key: str,
    ) -> None:
        receiver.fail_first = 3
        hook = client.post(
            "/v1/webhooks", json={"url": receiver.url}, headers=auth(partner_key)
        ).json()
        filtered = client.post(
            "/v1/webhooks",
            json={"url": receiver.url + "?only=satire", "verdict": "satire"},
            headers=auth(partner_key),
        ).json()
        reviews = [make_review() for _ in range(3)]
        client.patch(
            f"/v1/reviews/{reviews[0]['id']}", json={"headline": "fixed"}, headers=auth(editor_key)
        )
        client.patch(
            f"/v1/reviews/{reviews[1]['id']}",
            json={"status": "retracted"},
            headers=auth(editor_key),
        )
        expected = log_cursors(db)
        process = deliverer(database_url)
        try:
            wait_for(lambda: len(receiver.received) >= len(expected))
        finally:
            process.terminate()
            process.wait(timeout=30)
        assert [event["cursor"] for event in receiver.received] == expected
        assert [event["type"] for event in receiver.received] == [
            "review.published",
            "review.published",
            "review.published",
            "review.updated",
            "review.retracted",
        ]
        for headers, body in zip(receiver.headers, receiver.bodies, strict=True):
            assert verify(hook["secret"], headers, body)
            assert not verify(filtered["secret"], headers, body)
        log = client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=auth(partner_key)).json()[
            "deliveries"
        ]
        assert all(d["status"] == "delivered" for d in log)
        assert max(d["attempts"] for d in log) >= 2  # the receiver refused the first calls
        assert client.get(
            f"/v1/webhooks/{filtered['id']}/deliveries", headers=auth(partner_key)
        ).json() == {"deliveries": []}

    def test_a_killed_deliverer_loses_nothing(
        self,
        client: httpx.Client,
        db: Database,
        database_url: str,
        partner_key: str,
        receiver: Receiver,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        receiver.delay = 0.1
        client.post("/v1/webhooks", json={"url": receiver.url}, headers=auth(partner_key))
        for _ in range(12):
            make_review()
        expected = log_cursors(db)
        first = deliverer(database_url)
        try:
            wait_for(lambda: len(receiver.received) >= 3)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
        assert len(receiver.received) < len(expected), "the deliverer was not stopped mid-way"
        for _ in range(4):
            make_review()
        expected = log_cursors(db)
        second = deliverer(database_url)
        try:
            wait_for(lambda: {e["cursor"] for e in receiver.received} >= set(expected))
        finally:
            second.terminate()
            second.wait(timeout=30)
        cursors = [e["cursor"] for e in receiver.received]
        assert set(cursors) == set(expected)
        assert sorted(set(cursors), key=int) == expected
