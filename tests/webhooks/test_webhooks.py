"""Webhooks: subscriptions, signed in-order deliveries to a real receiver, retries, restarts."""

import hashlib
import hmac
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.storage.database import Database
from tests.api.test_access import snapshot
from tests.conftest import auth
from tests.webhooks.conftest import Receiver

ROOT = Path(__file__).resolve().parents[2]


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
        if status == 403:
            assert response.json()["detail"] == "Webhooks are for partner and admin keys."
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
        assert [e["field"] for e in response.json()["errors"]] == ["url"]
        assert client.get("/v1/webhooks", headers=auth(partner_key)).json()["webhooks"] == []


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

    @pytest.mark.slow(300)
    def test_a_killed_deliverer_loses_nothing(
        self,
        client: httpx.Client,
        db: Database,
        database_url: str,
        partner_key: str,
        receiver: Receiver,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        receiver.hold_call = 4  # the deliverer is killed while its fourth request is unanswered
        client.post("/v1/webhooks", json={"url": receiver.url}, headers=auth(partner_key))
        for _ in range(12):
            make_review()
        expected = log_cursors(db)
        first = deliverer(database_url)
        try:
            assert receiver.holding.wait(60), "the fourth delivery never came"
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
        receiver.release.set()
        assert [e["cursor"] for e in receiver.received] == expected[:4]
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
        # At least once: the unacknowledged fourth change is sent again, under the same Webhook-Id
        # so that the receiver can recognise the repeat.
        assert cursors == [*expected[:4], *expected[3:]]
        assert receiver.headers[3]["Webhook-Id"] == receiver.headers[4]["Webhook-Id"]
        ids = [h["Webhook-Id"] for h in receiver.headers]
        assert len(set(ids)) == len(expected)
