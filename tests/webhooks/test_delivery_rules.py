"""The deliverer's rules, driven in-process with a controlled clock: back-off and its one-hour cap,
signatures and ids, per-subscription order, filters, the SSRF guard, and the delivery log."""

import hashlib
import hmac
import json
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlmodel import col, select

from app.config import Settings
from app.domain import webhooks
from app.domain.access import COMMAND_LINE, Principal
from app.domain.importing import Importer
from app.domain.schemas import Role, WebhookCreate
from app.errors import Unprocessable
from app.storage.database import Database
from app.storage.tables import Webhook, WebhookDelivery
from app.storage.types import as_utc
from tests.conftest import auth
from tests.webhooks.conftest import Receiver

START = datetime(2030, 1, 1, tzinfo=UTC)  # later than any delivery's first due time


@dataclass
class Clock:
    at: datetime = START

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        webhook_allow_private=True,
        webhook_retry_base_seconds=2.0,
        webhook_timeout_seconds=5.0,
    )


@pytest.fixture
def subscribe(client: httpx.Client, make_key: Callable[..., str]) -> Callable[..., dict[str, Any]]:
    key = make_key("partner")

    def make(url: str, **filters: Any) -> dict[str, Any]:
        response = client.post("/v1/webhooks", json={"url": url, **filters}, headers=auth(key))
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    return make


def queue(db: Database) -> int:
    with db.unit_of_work() as session:
        return webhooks.queue(session)


def rows(db: Database, hook_id: str | None = None) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(col(WebhookDelivery.cursor))
    if hook_id:
        query = query.where(WebhookDelivery.webhook_id == hook_id)
    with db.session() as session:
        return list(session.exec(query).all())


def attempts_counted() -> dict[str, float]:
    return {
        outcome: REGISTRY.get_sample_value(
            "claimreview_webhook_delivery_attempts_total", {"outcome": outcome}
        )
        or 0.0
        for outcome in ("delivered", "failed")
    }


def signature_fields(headers: dict[str, str]) -> dict[str, str]:
    return dict(part.split("=", 1) for part in headers["Webhook-Signature"].split(","))


class TestBackOff:
    def test_delay_doubles_from_the_base_and_stops_at_one_hour(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        receiver.fail_first = 1_000
        subscribe(receiver.url)
        make_review()
        assert queue(db) == 1
        clock = Clock()
        delays = []
        for attempt in range(1, 15):
            assert webhooks.send_due(db, settings, clock) == 0
            [row] = rows(db)
            assert (row.attempts, row.last_status, row.status) == (attempt, 503, "pending")
            delay = (as_utc(row.next_attempt_at) - clock()).total_seconds()
            delays.append(delay)
            clock.advance(delay - 1)
            webhooks.send_due(db, settings, clock)
            assert receiver.calls == attempt, "retried before its time"
            clock.advance(1)
        assert delays == [2.0 * 2**n for n in range(11)] + [3600.0] * 3

    def test_a_short_base_still_doubles_up_to_the_hour(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        receiver.fail_first = 1_000
        subscribe(receiver.url)
        make_review()
        queue(db)
        quick = settings.model_copy(update={"webhook_retry_base_seconds": 0.5})
        clock = Clock()
        delays = []
        for _ in range(16):
            webhooks.send_due(db, quick, clock)
            [row] = rows(db)
            delay = (as_utc(row.next_attempt_at) - clock()).total_seconds()
            delays.append(delay)
            clock.advance(delay)
        assert delays == [0.5 * 2**n for n in range(13)] + [3600.0] * 3

    def test_a_retry_that_succeeds_is_delivered_at_that_moment(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        receiver.fail_first = 2
        subscribe(receiver.url)
        make_review()
        queue(db)
        clock = Clock()
        assert webhooks.send_due(db, settings, clock) == 0
        clock.advance(2)
        assert webhooks.send_due(db, settings, clock) == 0
        clock.advance(4)
        assert webhooks.send_due(db, settings, clock) == 1
        [row] = rows(db)
        assert (row.status, row.attempts, row.last_status, row.last_error) == (
            "delivered",
            3,
            204,
            None,
        )
        assert as_utc(row.delivered_at or START) == clock()
        clock.advance(10_000)
        assert webhooks.send_due(db, settings, clock) == 0
        assert receiver.calls == 3, "a delivered change is never sent again"

    @pytest.mark.parametrize(("status", "delivered"), [(200, True), (299, True), (300, False)])
    def test_any_2xx_acknowledges_and_nothing_else(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
        status: int,
        delivered: bool,
    ) -> None:
        receiver.status = status
        subscribe(receiver.url)
        make_review()
        queue(db)
        before = attempts_counted()
        assert webhooks.send_due(db, settings, Clock()) == int(delivered)
        [row] = rows(db)
        assert (row.status, row.last_status) == ("delivered" if delivered else "pending", status)
        after = attempts_counted()
        # The metrics count the attempt under its outcome.
        assert after["delivered"] - before["delivered"] == int(delivered)
        assert after["failed"] - before["failed"] == int(not delivered)

    def test_an_unreachable_receiver_is_retried_with_the_error_kept(
        self,
        db: Database,
        settings: Settings,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]  # closed again: nothing listens there
        subscribe(f"http://127.0.0.1:{port}/hook")
        make_review()
        queue(db)
        clock = Clock()
        assert webhooks.send_due(db, settings, clock) == 0
        [row] = rows(db)
        assert (row.status, row.attempts, row.last_status) == ("pending", 1, None)
        assert row.last_error
        assert "refused" in row.last_error.lower()
        assert as_utc(row.next_attempt_at) == clock() + timedelta(seconds=2)

    def test_a_receiver_slower_than_the_timeout_counts_as_a_failure(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        receiver.hold_call = 1
        subscribe(receiver.url)
        make_review()
        queue(db)
        quick = settings.model_copy(update={"webhook_timeout_seconds": 0.5})
        try:
            assert webhooks.send_due(db, quick, Clock()) == 0
        finally:
            receiver.release.set()
        [row] = rows(db)
        assert (row.status, row.attempts, row.last_status) == ("pending", 1, None)
        assert "timed out" in (row.last_error or "")


class TestClaims:
    """Deliverers share the queue: an attempt is first claimed, its next attempt moved one lease
    (the time-out and 30 s) ahead, and only a claim that finds the delivery still pending and due
    sends it. One that dies after claiming leaves the attempt to whoever comes after the lease."""

    def test_an_attempt_claimed_and_never_sent_is_sent_when_its_lease_ends(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        subscribe(receiver.url)
        make_review()
        assert queue(db) == 1
        [row] = rows(db)
        assert row.id is not None
        clock = Clock()
        # A deliverer takes the attempt and dies before sending it.
        assert webhooks._claim(db, row.id, settings, clock())
        lease = settings.webhook_timeout_seconds + 30
        clock.advance(lease - 1)
        assert webhooks.send_due(db, settings, clock) == 0
        assert receiver.calls == 0
        clock.advance(1)
        assert webhooks.send_due(db, settings, clock) == 1
        assert receiver.calls == 1

    def test_of_two_claims_at_one_moment_only_the_first_takes_the_attempt(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        subscribe(receiver.url)
        make_review()
        assert queue(db) == 1
        [row] = rows(db)
        assert row.id is not None
        assert webhooks._claim(db, row.id, settings, START)
        assert not webhooks._claim(db, row.id, settings, START)

    def test_a_claim_lost_to_another_deliverer_does_not_end_the_round(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        """A round reads the queue once, then claims each due delivery as it comes to it. While
        it sends the first, another deliverer claims the second (its lease is set in the
        database): this round's claim of it fails, and the round goes on to the third."""
        for name in "abc":
            subscribe(f"{receiver.url}?{name}")
        make_review()
        assert queue(db) == 3
        # The order the round will find them in: the same query over the same rows.
        with db.session() as session:
            first, taken, last = [row[0] for row in session.execute(webhooks._OLDEST_PENDING)]
        receiver.hold_call = 1
        clock = Clock()
        sent: list[int] = []
        deliverer = threading.Thread(
            target=lambda: sent.append(webhooks.send_due(db, settings, clock)), daemon=True
        )
        deliverer.start()
        try:
            assert receiver.holding.wait(10), "the round sent nothing"
            assert webhooks._claim(db, taken, settings, clock())  # the other deliverer
        finally:
            receiver.release.set()
        deliverer.join(30)
        assert not deliverer.is_alive()
        assert sent == [2]
        assert [h["Webhook-Id"] for h in receiver.headers] == [str(first), str(last)]
        by_id = {row.id: row for row in rows(db)}
        assert [by_id[d].status for d in (first, taken, last)] == [
            "delivered",
            "pending",
            "delivered",
        ]
        lease = timedelta(seconds=settings.webhook_timeout_seconds + 30)
        assert (by_id[taken].attempts, as_utc(by_id[taken].next_attempt_at)) == (0, START + lease)

    def test_a_delivered_change_is_never_claimed_again(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        subscribe(receiver.url)
        make_review()
        assert queue(db) == 1
        assert webhooks.send_due(db, settings, Clock()) == 1
        [row] = rows(db)
        assert row.id is not None
        assert row.status == "delivered"
        # A deliverer that read the queue before the delivery, claiming long after it.
        assert not webhooks._claim(db, row.id, settings, START + timedelta(days=1))
        assert receiver.calls == 1


class TestSigning:
    def test_signature_is_hmac_sha256_of_timestamp_dot_body_at_the_clock_time(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        hook = subscribe(receiver.url)
        make_review()
        queue(db)
        assert webhooks.send_due(db, settings, Clock(START + timedelta(seconds=7))) == 1
        [headers] = receiver.headers
        [body] = receiver.bodies
        fields = signature_fields(headers)
        assert fields["t"] == "1893456007"
        expected = hmac.new(
            hook["secret"].encode(), b"1893456007." + body, hashlib.sha256
        ).hexdigest()
        assert fields["v1"] == expected
        assert headers["Content-Type"] == "application/json"
        assert headers["User-Agent"] == "claimreview-api webhooks"

    def test_sign_matches_a_hand_computed_value(self) -> None:
        # HMAC-SHA256, key "whsec_test", message "1700000000.{}" (computed outside this code base).
        assert webhooks.sign("whsec_test", 1_700_000_000, b"{}") == (
            "t=1700000000,v1=" + hmac.new(b"whsec_test", b"1700000000.{}", "sha256").hexdigest()
        )
        assert webhooks.sign("whsec_test", 1_700_000_001, b"{}") != webhooks.sign(
            "whsec_test", 1_700_000_000, b"{}"
        )

    def test_webhook_id_is_the_delivery_id_shown_in_the_log(
        self,
        client: httpx.Client,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
        admin_key: str,
    ) -> None:
        hook = subscribe(receiver.url)
        for _ in range(3):
            make_review()
        queue(db)
        clock = Clock()
        for _ in range(3):
            webhooks.send_due(db, settings, clock)
        log = client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=auth(admin_key)).json()
        by_cursor = {d["cursor"]: str(d["id"]) for d in log["deliveries"]}
        sent = {
            event["cursor"]: h["Webhook-Id"]
            for event, h in zip(receiver.received, receiver.headers, strict=True)
        }
        assert sent == by_cursor
        assert len(set(sent.values())) == 3


class TestDeliveryLog:
    def test_log_shows_each_delivery_newest_first_with_its_outcome(
        self,
        client: httpx.Client,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
        admin_key: str,
    ) -> None:
        hook = subscribe(receiver.url)
        make_review()
        make_review()
        queue(db)
        clock = Clock()
        assert webhooks.send_due(db, settings, clock) == 1  # the older one only: in order
        log = client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=auth(admin_key))
        newer, older = log.json()["deliveries"]
        assert int(newer["cursor"]) > int(older["cursor"])
        assert (newer["status"], newer["attempts"], newer["last_status"]) == ("pending", 0, None)
        assert newer["delivered_at"] is None
        assert (older["status"], older["attempts"], older["last_status"]) == ("delivered", 1, 204)
        assert older["last_error"] is None
        assert older["delivered_at"].startswith("2030-01-01T00:00:00")
        assert [str(d["id"]) for d in (older, newer)] == [str(r.id) for r in rows(db)]

    def test_an_error_is_shown_in_the_log(
        self,
        client: httpx.Client,
        db: Database,
        settings: Settings,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
        admin_key: str,
    ) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        hook = subscribe(f"http://127.0.0.1:{port}/hook")
        make_review()
        queue(db)
        webhooks.send_due(db, settings, Clock())
        log = client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=auth(admin_key))
        [entry] = log.json()["deliveries"]
        assert entry["status"] == "pending"
        assert "refused" in entry["last_error"].lower()

    def test_a_long_error_is_kept_to_its_first_500_characters(
        self,
        db: Database,
        settings: Settings,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        """A receiver whose status line is 700 characters of nonsense: http.client's error
        repeats the line."""
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen()

        def answer() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"XTTP/1.1 200 " + b"x" * 700 + b"\r\n\r\n")

        thread = threading.Thread(target=answer)
        thread.start()
        try:
            subscribe(f"http://127.0.0.1:{server.getsockname()[1]}/hook")
            make_review()
            queue(db)
            webhooks.send_due(db, settings, Clock())
        finally:
            thread.join(timeout=10)
            server.close()
        [row] = rows(db)
        assert row.last_error is not None
        assert row.last_error.startswith("XTTP/1.1 200 xxx")
        assert len(row.last_error) == 500

    def test_an_unknown_subscription_is_404_with_its_id(
        self, client: httpx.Client, admin_key: str
    ) -> None:
        missing = client.get("/v1/webhooks/wh_nope/deliveries", headers=auth(admin_key))
        assert missing.status_code == 404
        assert missing.json()["detail"] == "No webhook wh_nope."


class TestOrderAndQueue:
    def test_a_failing_change_holds_back_the_later_ones_of_its_subscription_only(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        receiver.fail_first = 1
        first = subscribe(receiver.url + "?a")
        second = subscribe(receiver.url + "?b")
        make_review()
        make_review()
        assert queue(db) == 4
        clock = Clock()
        # One oldest pending delivery per subscription per round: a's fails, b's goes.
        assert webhooks.send_due(db, settings, clock) == 1
        assert webhooks.send_due(db, settings, clock) == 1  # b's second; a's first not yet due
        assert [r.status for r in rows(db, first["id"])] == ["pending", "pending"]
        assert [r.status for r in rows(db, second["id"])] == ["delivered", "delivered"]
        clock.advance(2)
        assert webhooks.send_due(db, settings, clock) == 1
        assert webhooks.send_due(db, settings, clock) == 1
        cursors = [str(r.cursor) for r in rows(db, first["id"])]
        assert [e["cursor"] for e in receiver.received[-2:]] == cursors

    def test_changes_are_queued_in_cursor_order_whatever_order_the_engine_reads_them(
        self,
        db: Database,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        """The change log is read `ORDER BY cursor`; without it an engine may return its rows in
        any order, and a subscription's `queued_through` would stop short of its newest change
        (queued again next round) and its deliveries would not follow the log. Each engine is
        made to read the log out of order: SQLite by `reverse_unordered_selects`, its own switch
        for finding reads that rely on an order they do not ask for; PostgreSQL by the oldest
        change rewritten in place, which stores it after the others, so that a sequential scan
        finds it last."""
        hook = subscribe(receiver.url)
        for _ in range(3):
            make_review()
        if not db.is_sqlite:
            with db.unit_of_work() as session:
                session.execute(
                    text(
                        'UPDATE "change" SET type = type WHERE cursor = (SELECT min(cursor) FROM "change")'
                    )
                )
        with db.unit_of_work() as session:
            if db.is_sqlite:
                session.execute(text("PRAGMA reverse_unordered_selects = ON"))
            try:
                assert webhooks.queue(session) == 3
            finally:
                if db.is_sqlite:
                    session.execute(text("PRAGMA reverse_unordered_selects = OFF"))
        with db.engine.connect() as connection:
            cursors = list(
                connection.execute(text('SELECT cursor FROM "change" ORDER BY cursor')).scalars()
            )
        queued = rows(db, hook["id"])
        assert [r.cursor for r in sorted(queued, key=lambda r: r.id or 0)] == cursors
        with db.session() as session:
            stored = session.get(Webhook, hook["id"])
            assert stored is not None
            assert stored.queued_through == cursors[-1]
        assert queue(db) == 0, "a change is queued once"

    def test_each_subscription_gets_its_change_in_one_round(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        for name in "abc":
            subscribe(f"{receiver.url}?{name}")
        make_review()
        assert queue(db) == 3
        assert webhooks.send_due(db, settings, Clock()) == 3

    def test_the_body_is_the_change_log_entry(
        self,
        db: Database,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        subscribe(receiver.url)
        review = make_review()
        queue(db)
        [row] = rows(db)
        with db.engine.connect() as connection:
            cursor, at = connection.execute(
                text('SELECT cursor, at FROM "change" WHERE review_id = :r'), {"r": review["id"]}
            ).one()
        at_text = as_utc(at).isoformat().replace("+00:00", "Z")
        assert at_text.endswith("Z")
        assert json.loads(row.body) == {
            "cursor": str(cursor),
            "type": "review.published",
            "review_id": review["id"],
            "at": at_text,
        }

    def test_a_subscription_gets_only_changes_made_after_it(
        self,
        db: Database,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        make_review()
        make_review()
        hook = subscribe(receiver.url)
        later = make_review()
        assert queue(db) == 1
        [row] = rows(db, hook["id"])
        assert row.body.startswith("{")
        assert f'"review_id":{later["id"]}' in row.body
        assert queue(db) == 0, "a change is queued once"

    def test_filters_by_publisher_language_and_verdict(
        self,
        db: Database,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        hooks = {
            "all": subscribe(receiver.url),
            "verifact": subscribe(receiver.url, publisher="verifact"),
            "other": subscribe(receiver.url, publisher="other"),
            "fr": subscribe(receiver.url, language="fr"),
            "fr-FR": subscribe(receiver.url, language="fr-FR"),
            "en": subscribe(receiver.url, language="en"),
            "false": subscribe(receiver.url, verdict="false"),
            "true": subscribe(receiver.url, verdict="true"),
        }
        assert [(h["publisher"], h["language"], h["verdict"]) for h in hooks.values()] == [
            (None, None, None),
            ("verifact", None, None),
            ("other", None, None),
            (None, "fr", None),
            (None, "fr-FR", None),
            (None, "en", None),
            (None, None, "false"),
            (None, None, "true"),
        ]
        english = make_review()
        french = make_review(language="fr-CA")
        queue(db)
        got = {
            name: sorted(
                int(r.body.split('"review_id":')[1].split(",")[0]) for r in rows(db, h["id"])
            )
            for name, h in hooks.items()
        }
        both = sorted([english["id"], french["id"]])
        assert got == {
            "all": both,
            "verifact": both,
            "other": [],
            "fr": [french["id"]],
            "fr-FR": [french["id"]],  # languages match on their primary subtag
            "en": [english["id"]],
            "false": both,
            "true": [],
        }

    def test_a_deleted_subscription_is_neither_queued_nor_sent(
        self,
        client: httpx.Client,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
        admin_key: str,
    ) -> None:
        kept = subscribe(receiver.url + "?kept")
        gone = subscribe(receiver.url + "?gone")
        make_review()
        queue(db)
        assert (
            client.delete(f"/v1/webhooks/{gone['id']}", headers=auth(admin_key)).status_code == 204
        )
        make_review()
        queue(db)
        assert len(rows(db, gone["id"])) == 1
        assert len(rows(db, kept["id"])) == 2
        clock = Clock()
        while webhooks.send_due(db, settings, clock):
            pass
        assert [h["Host"] for h in receiver.headers]  # something was sent
        assert all(e for e in receiver.received)
        assert receiver.calls == 2
        assert (
            client.get(f"/v1/webhooks/{gone['id']}/deliveries", headers=auth(admin_key)).status_code
            == 404
        )
        assert (
            client.delete(f"/v1/webhooks/{gone['id']}", headers=auth(admin_key)).status_code == 404
        )


class TestRun:
    def test_run_queues_and_sends_until_stopped(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        receiver.fail_first = 1
        subscribe(receiver.url)
        make_review()
        make_review()
        stop = threading.Event()
        idle: list[int] = []

        def on_idle() -> None:
            idle.append(len(receiver.received))
            if len(receiver.received) == 2:
                stop.set()

        fast = settings.model_copy(update={"webhook_retry_base_seconds": 0.01})
        thread = threading.Thread(
            target=webhooks.run, args=(db, fast, stop, 0.01, on_idle), daemon=True
        )
        thread.start()
        thread.join(60)
        assert not thread.is_alive()
        assert len(receiver.received) == 2
        assert idle[-1] == 2
        assert [r.status for r in rows(db)] == ["delivered", "delivered"]

    def test_only_a_round_that_found_nothing_waits_and_by_default_half_a_second(
        self,
        db: Database,
        settings: Settings,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        """Three changes for one subscription, sent one a round (in order): the first round
        queues and sends, the next two only send, and each is followed at once by the next, at
        the same instant of the (controlled) clock. Only a round that found nothing to do waits,
        by default half a second; the wait asked for moves the clock on."""
        hook = subscribe(receiver.url)
        for _ in range(3):
            make_review()
        clock = Clock()
        stop = threading.Event()
        events: list[tuple[str, float, int]] = []

        def since_start() -> float:
            return (clock() - START).total_seconds()

        def on_idle() -> None:
            events.append(("idle", since_start(), len(receiver.received)))
            if len(events) > 10:
                stop.set()  # a guard: a deliverer that never waits through `wait` still stops

        def wait(seconds: float) -> None:
            events.append(("wait", since_start(), len(receiver.received)))
            events.append(("for", seconds, 0))
            clock.advance(seconds)
            if sum(kind == "wait" for kind, _, _ in events) == 2:
                stop.set()

        webhooks.run(db, settings, stop, on_idle=on_idle, wait=wait, clock=clock)
        assert events == [
            ("idle", 0.0, 3),
            ("wait", 0.0, 3),
            ("for", 0.5, 0),
            ("idle", 0.5, 3),
            ("wait", 0.5, 3),
            ("for", 0.5, 0),
        ]
        delivered = rows(db, hook["id"])
        assert [r.status for r in delivered] == ["delivered"] * 3
        assert [as_utc(r.delivered_at or START) for r in delivered] == [START] * 3
        assert [e["cursor"] for e in receiver.received] == [str(r.cursor) for r in delivered]

    def test_a_round_with_nothing_to_do_reports_itself_idle(
        self, db: Database, settings: Settings
    ) -> None:
        stop = threading.Event()
        idle = threading.Event()

        def on_idle() -> None:
            idle.set()
            stop.set()

        thread = threading.Thread(
            target=webhooks.run, args=(db, settings, stop, 0.01, on_idle), daemon=True
        )
        thread.start()
        try:
            assert idle.wait(10), "no round reported that it found nothing to do"
            thread.join(10)
            assert not thread.is_alive()
        finally:
            stop.set()


class TestSsrfGuard:
    PARTNER = Principal(key_id="key_partner", role=Role.PARTNER, publisher_id=None)

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8080/hook",
            "http://127.1.2.3/hook",
            "http://10.1.2.3/hook",
            "http://172.16.0.1/hook",
            "http://192.168.1.1/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "http://[fd00::1]/hook",
            "http://0.0.0.0/hook",
        ],
    )
    def test_private_loopback_and_link_local_targets_are_refused(
        self, db: Database, database_url: str, url: str
    ) -> None:
        guarded = Settings(database_url=database_url, webhook_allow_private=False)
        with db.unit_of_work() as session:
            with pytest.raises(Unprocessable) as caught:
                webhooks.create(session, self.PARTNER, WebhookCreate(url=url), guarded)
            assert caught.value.errors == [{"field": "url", "message": "must be a public address"}]
            assert " resolves to an inside address (" in str(caught.value.detail)
        with db.session() as session:
            assert session.exec(select(Webhook)).all() == []

    def test_public_addresses_are_accepted(self, db: Database, database_url: str) -> None:
        guarded = Settings(database_url=database_url, webhook_allow_private=False)
        with db.unit_of_work() as session:
            created = webhooks.create(
                session, self.PARTNER, WebhookCreate(url="https://93.184.215.14/hook"), guarded
            )
        assert created.url == "https://93.184.215.14/hook"
        with db.session() as session:
            assert [h.id for h in session.exec(select(Webhook)).all()] == [created.id]

    def test_private_targets_are_allowed_when_configured(
        self, db: Database, database_url: str
    ) -> None:
        allowed = Settings(database_url=database_url, webhook_allow_private=True)
        with db.unit_of_work() as session:
            created = webhooks.create(
                session, self.PARTNER, WebhookCreate(url="http://127.0.0.1:9/hook"), allowed
            )
        assert re.fullmatch(r"wh_[0-9a-f]{16}", created.id)
        assert re.fullmatch(r"whsec_[A-Za-z0-9_-]{43}", created.secret)

    def test_a_host_that_does_not_resolve_is_refused(self, db: Database, database_url: str) -> None:
        guarded = Settings(database_url=database_url, webhook_allow_private=False)
        with db.unit_of_work() as session, pytest.raises(Unprocessable) as caught:
            webhooks.create(
                session, self.PARTNER, WebhookCreate(url="https://nothing-here.invalid/"), guarded
            )
        assert caught.value.detail == "url: nothing-here.invalid does not resolve"
        assert caught.value.errors == [{"field": "url", "message": "must be a public address"}]


class TestOwnership:
    def test_admin_subscribes_sees_and_deletes_every_subscription(
        self,
        client: httpx.Client,
        admin_key: str,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
    ) -> None:
        partners = subscribe(receiver.url)
        own = client.post("/v1/webhooks", json={"url": receiver.url}, headers=auth(admin_key))
        assert own.status_code == 201
        listed = client.get("/v1/webhooks", headers=auth(admin_key)).json()["webhooks"]
        assert [h["id"] for h in listed] == [partners["id"], own.json()["id"]]
        assert client.get(
            f"/v1/webhooks/{partners['id']}/deliveries", headers=auth(admin_key)
        ).json() == {"deliveries": []}
        assert (
            client.delete(f"/v1/webhooks/{partners['id']}", headers=auth(admin_key)).status_code
            == 204
        )
        listed = client.get("/v1/webhooks", headers=auth(admin_key)).json()["webhooks"]
        assert [h["id"] for h in listed] == [own.json()["id"]]

    def test_subscriptions_are_listed_by_the_time_they_were_made(
        self,
        client: httpx.Client,
        db: Database,
        admin_key: str,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
    ) -> None:
        first = subscribe(receiver.url)["id"]
        second = subscribe(receiver.url)["id"]
        # Made by an instance whose clock runs behind: stored second, made first.
        with db.unit_of_work() as session:
            hook = session.get(Webhook, second)
            assert hook is not None
            hook.created_at = as_utc(hook.created_at) - timedelta(hours=1)
        listed = client.get("/v1/webhooks", headers=auth(admin_key)).json()["webhooks"]
        assert [h["id"] for h in listed] == [second, first]


class TestBatches:
    def test_a_round_queues_500_changes_and_the_log_shows_the_newest_100(
        self,
        client: httpx.Client,
        db: Database,
        receiver: Receiver,
        subscribe: Callable[..., dict[str, Any]],
        admin_key: str,
    ) -> None:
        hook = subscribe(receiver.url)
        documents = [
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "url": f"https://bulk.example/checks/{n}",
                "claimReviewed": f"Claim number {n} about the moon",
                "author": {"@type": "Organization", "name": "Bulk", "url": "https://bulk.example/"},
                "reviewRating": {"@type": "Rating", "alternateName": "False"},
                "datePublished": "2024-01-01",
            }
            for n in range(501)
        ]
        result = Importer(db.unit_of_work, COMMAND_LINE).import_documents(documents)
        assert (result.created, result.rejected) == (501, [])
        assert queue(db) == 500
        log = client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=auth(admin_key))
        cursors = [int(d["cursor"]) for d in log.json()["deliveries"]]
        newest = max(r.cursor for r in rows(db))
        assert cursors == list(range(newest, newest - 100, -1))
        assert queue(db) == 1
        assert queue(db) == 0
