"""Two instances (separate processes) on one database and one Redis, as a deployment that has
outgrown one machine runs them: writes are read at once through the other, rate limits are
shared, page tokens work across them, and two webhook deliverers never send one delivery twice.
On both engines: two processes may share a SQLite file too."""

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import auth, review_body
from tests.operations.conftest import Instance
from tests.webhooks.conftest import Receiver, receiver
from tests.webhooks.test_webhooks import deliverer, wait_for

__all__ = ["receiver"]  # the fixture, used below


@pytest.fixture
def pair(spawn: Callable[..., Instance], redis_url: str) -> tuple[Instance, Instance]:
    settings = {"redis_url": redis_url, "rate_limit_anonymous": "10/minute"}
    return spawn(**settings), spawn(**settings)


@pytest.fixture
def unlimited_pair(spawn: Callable[..., Instance]) -> tuple[Instance, Instance]:
    """Two instances without rate limits, for tests that poll one until it has caught up."""
    return spawn(rate_limit_anonymous=""), spawn(rate_limit_anonymous="")


def moon(n: int) -> dict[str, Any]:
    return review_body(
        url=f"https://verifact.example/checks/moon-{n}",
        claim={
            "text": f"The moon is made of cheese number {n}",
            "language": "en",
            "appearances": [{"url": f"https://x.com/moon/status/{n}"}],
        },
    )


def test_a_write_through_one_is_found_through_the_other(
    unlimited_pair: tuple[Instance, Instance], editor_key: str
) -> None:
    a, b = unlimited_pair
    with a.client() as one, b.client() as other:
        cached = other.get("/v1/lookup", params={"url": "https://x.com/moon/status/2"})
        assert cached.json()["matches"]["https://x.com/moon/status/2"] == []

        created = one.post("/v1/reviews", json=moon(1), headers=auth(editor_key))
        assert created.status_code == 201
        # Search ranks in the other instance's copy of the index, and a lookup may be
        # answered from its set of known addresses, both kept current from the change log like
        # its read cache: each finds the new claim within about a second.
        _found_within_a_second(other, "cheese number 1", created.json()["claim_id"])
        _within_a_second(other, "https://x.com/moon/status/1", created.json()["id"])
        # The writer reads its own write at once, even where it had an answer cached.
        mine = one.get("/v1/lookup", params={"url": "https://x.com/moon/status/2"})
        assert mine.json()["matches"]["https://x.com/moon/status/2"] == []
        second = one.post("/v1/reviews", json=moon(2), headers=auth(editor_key)).json()
        mine = one.get("/v1/lookup", params={"url": "https://x.com/moon/status/2"}).json()
        assert [m["id"] for m in mine["matches"]["https://x.com/moon/status/2"]] == [second["id"]]
        # The other instance had that answer cached: it follows within about a second.
        _within_a_second(other, "https://x.com/moon/status/2", second["id"])


def _found_within_a_second(instance: httpx.Client, q: str, claim_id: int) -> None:
    started = time.monotonic()
    while True:
        found = instance.get("/v1/search", params={"q": q}).json()["results"]
        if found:
            assert [r["claim"]["id"] for r in found] == [claim_id]
            return
        assert time.monotonic() - started < 1.5, "searched a stale index for more than a second"
        time.sleep(0.05)


def _within_a_second(instance: httpx.Client, url: str, review_id: int) -> None:
    started = time.monotonic()
    while True:
        seen = instance.get("/v1/lookup", params={"url": url}).json()["matches"][url]
        if seen:
            assert [m["id"] for m in seen] == [review_id]
            return
        assert time.monotonic() - started < 1.5, "served stale for more than a second"
        time.sleep(0.05)


def test_rate_limits_are_shared(pair: tuple[Instance, Instance]) -> None:
    a, b = pair
    with a.client() as one, b.client() as other:
        statuses = []
        for n in range(12):
            client = one if n % 2 else other
            statuses.append(client.get("/v1/lookup", params={"url": "https://x.com/a"}))
        assert [r.status_code for r in statuses] == [200] * 10 + [429, 429]
        assert [r.headers["ratelimit-remaining"] for r in statuses[:10]] == [
            str(n) for n in range(9, -1, -1)
        ]


def test_page_tokens_work_across_instances(
    pair: tuple[Instance, Instance], editor_key: str
) -> None:
    a, b = pair
    with a.client() as one, b.client() as other:
        ids = set()
        for n in range(5):
            response = one.post("/v1/reviews", json=moon(n), headers=auth(editor_key))
            ids.add(response.json()["claim_id"])
        # The other instance reads the writes at its next poll of the change log (within
        # about a second); then the pages of one search are served by both in turn.
        deadline = time.monotonic() + 1.5
        while len(other.get("/v1/search", params={"q": "cheese"}).json()["results"]) < 5:
            assert time.monotonic() < deadline, "the other instance never caught up"
            time.sleep(0.05)
        first = one.get("/v1/search", params={"q": "cheese", "page_size": 2}).json()
        seen = [r["claim"]["id"] for r in first["results"]]
        token = first["next_page_token"]
        while token:
            page = other.get(
                "/v1/search", params={"q": "cheese", "page_size": 2, "page_token": token}
            ).json()
            seen += [r["claim"]["id"] for r in page["results"]]
            token = page.get("next_page_token")
            other, one = one, other  # alternate
        assert sorted(seen) == sorted(ids)


def test_two_deliverers_never_send_one_delivery_twice(
    client: httpx.Client,
    make_key: Callable[..., str],
    editor_key: str,
    receiver: Receiver,
    database_url: str,
) -> None:
    partner = make_key("partner")
    hook = client.post("/v1/webhooks", json={"url": receiver.url}, headers=auth(partner))
    assert hook.status_code == 201
    receiver.delay = 0.02  # slow enough for both deliverers to see the same due deliveries
    workers = [deliverer(database_url), deliverer(database_url)]
    try:
        for n in range(30):
            response = client.post("/v1/reviews", json=moon(n), headers=auth(editor_key))
            assert response.status_code == 201
        wait_for(lambda: len(receiver.received) >= 30)
        time.sleep(1)  # a duplicate would arrive now
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=10)
    ids = Counter(h["Webhook-Id"] for h in receiver.headers)
    assert len(ids) == 30
    assert max(ids.values()) == 1, [i for i, n in ids.items() if n > 1]
