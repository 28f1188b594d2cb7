"""The rate limiter's rules, driven in the test process: which bucket a request counts against,
whose address a proxy's `X-Forwarded-For` names, the headers and the 429, what is never counted,
and a failing counter store. tests/operations/test_rate_limits.py checks the same service from
outside, in server processes of their own; these run in-process so that mutation testing
(`make mutation`, docs/mutation.md) sees which of them guard each rule."""

import asyncio
import hashlib
import ipaddress
import logging
import time
import uuid
from collections.abc import Iterator

import httpx
import orjson
import pytest
import redis
from limits.aio.storage import MemoryStorage
from starlette.types import Message, Receive, Scope, Send

from app.api.ratelimit import (
    Decision,
    RateLimiter,
    RateLimitMiddleware,
    client_address,
    counter_storage,
    parse_limit,
    trusted_networks,
)
from app.config import Settings
from tests.conftest import LiveServer, auth, serve

LOOKUP = "/v1/lookup?url=https://x.com/a/status/1"


def scope(peer: str | None = "192.0.2.1", *headers: tuple[str, str]) -> Scope:
    return {
        "type": "http",
        "method": "GET",
        "path": "/v1/lookup",
        "client": (peer, 50000) if peer is not None else None,
        "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in headers],
    }


class TestSettings:
    def test_a_limit_reads_as_amount_per_window(self) -> None:
        item = parse_limit("5/minute")
        assert item is not None
        assert (item.amount, item.get_expiry()) == (5, 60)
        hourly = parse_limit(" 7 per hour ")
        assert hourly is not None
        assert (hourly.amount, hourly.get_expiry()) == (7, 3600)

    @pytest.mark.parametrize("text", ["", "   "])
    def test_an_empty_limit_is_no_limit(self, text: str) -> None:
        assert parse_limit(text) is None

    def test_a_malformed_limit_is_refused(self) -> None:
        with pytest.raises(ValueError):
            parse_limit("often")

    def test_counters_live_in_memory_without_redis(self) -> None:
        assert isinstance(counter_storage(None), MemoryStorage)
        assert isinstance(counter_storage(""), MemoryStorage)

    def test_trusted_proxies_are_addresses_or_networks(self) -> None:
        networks = trusted_networks(["10.1.2.3/8", "", " 192.0.2.7 ", "2001:db8::/32"])
        assert networks == [
            ipaddress.ip_network("10.0.0.0/8"),
            ipaddress.ip_network("192.0.2.7/32"),
            ipaddress.ip_network("2001:db8::/32"),
        ]


class TestClientAddress:
    proxies = trusted_networks(["192.0.2.0/24"])

    def test_without_trusted_proxies_the_peer_is_the_client(self) -> None:
        forged = scope("198.51.100.9", ("X-Forwarded-For", "203.0.113.5"))
        assert client_address(forged, []) == "198.51.100.9"

    def test_an_untrusted_peer_is_the_client_whatever_it_forwards(self) -> None:
        forged = scope("198.51.100.9", ("X-Forwarded-For", "203.0.113.5"))
        assert client_address(forged, self.proxies) == "198.51.100.9"

    def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(self) -> None:
        chain = scope("192.0.2.1", ("X-Forwarded-For", "203.0.113.5, 198.51.100.7, 192.0.2.50"))
        assert client_address(chain, self.proxies) == "198.51.100.7"

    def test_forwarded_headers_sent_twice_read_as_one_list(self) -> None:
        twice = scope(
            "192.0.2.1", ("X-Forwarded-For", "203.0.113.5"), ("X-Forwarded-For", "192.0.2.9")
        )
        assert client_address(twice, self.proxies) == "203.0.113.5"

    def test_a_proxy_that_forwards_nothing_is_itself_the_client(self) -> None:
        assert client_address(scope("192.0.2.1"), self.proxies) == "192.0.2.1"
        only_proxies = scope("192.0.2.1", ("X-Forwarded-For", "192.0.2.8, ,192.0.2.9"))
        assert client_address(only_proxies, self.proxies) == "192.0.2.1"

    def test_a_hop_that_is_no_address_is_untrusted(self) -> None:
        odd = scope("192.0.2.1", ("X-Forwarded-For", "unknown, 192.0.2.9"))
        assert client_address(odd, self.proxies) == "unknown"

    def test_a_connection_without_a_peer_counts_as_unknown(self) -> None:
        assert client_address(scope(None), []) == "unknown"
        assert client_address(scope(None), self.proxies) == "unknown"


def both_limits() -> RateLimiter:
    """Built in each test, not once at import: mutation testing switches a mutant on after the
    import, so a limiter built then would never run a mutated constructor."""
    return RateLimiter(parse_limit("5/minute"), parse_limit("8/minute"), MemoryStorage(), [])


class TestBuckets:
    def test_a_keyed_call_counts_against_a_digest_of_its_key(self) -> None:
        limiter = both_limits()
        item, bucket = limiter.bucket(scope("192.0.2.1", ("Authorization", "Bearer k1")))
        assert item is not None
        assert (item.amount, item.get_expiry()) == (8, 60)
        assert bucket == "key:" + hashlib.sha256(b"Bearer k1").hexdigest()[:32]
        _, other = limiter.bucket(scope("192.0.2.1", ("Authorization", "Bearer k2")))
        assert other != bucket

    def test_an_anonymous_call_counts_against_its_address(self) -> None:
        item, bucket = both_limits().bucket(scope("192.0.2.1", ("Accept", "*/*")))
        assert item is not None
        assert (item.amount, item.get_expiry()) == (5, 60)
        assert bucket == "addr:192.0.2.1"

    def test_behind_a_trusted_proxy_the_forwarded_client_is_the_bucket(self) -> None:
        limiter = RateLimiter(
            parse_limit("5/minute"), None, MemoryStorage(), trusted_networks(["192.0.2.0/24"])
        )
        _, bucket = limiter.bucket(scope("192.0.2.1", ("X-Forwarded-For", "203.0.113.5")))
        assert bucket == "addr:203.0.113.5"

    def test_the_headers_name_limit_remaining_and_reset(self) -> None:
        assert Decision(True, 5, 3, 42).headers() == [
            (b"ratelimit-limit", b"5"),
            (b"ratelimit-remaining", b"3"),
            (b"ratelimit-reset", b"42"),
        ]


def decide(limiter: RateLimiter, request: Scope, times: int = 1) -> list[Decision | None]:
    async def run() -> list[Decision | None]:
        return [await limiter.decide(request) for _ in range(times)]

    return asyncio.run(run())


def test_decisions_count_down_within_the_window() -> None:
    limiter = RateLimiter(parse_limit("2/minute"), None, MemoryStorage(), [])
    first, second, third = decide(limiter, scope("192.0.2.1"), 3)
    assert first is not None
    assert second is not None
    assert third is not None
    assert (first.allowed, first.limit, first.remaining) == (True, 2, 1)
    assert (second.allowed, second.remaining) == (True, 0)
    assert (third.allowed, third.remaining) == (False, 0)
    assert 55 <= third.reset_seconds <= 60
    # A keyed call with no key limit configured is not counted at all.
    assert decide(limiter, scope("192.0.2.1", ("Authorization", "Bearer k"))) == [None]


def test_a_failing_counter_store_lets_requests_through_and_says_so_each_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed = counter_storage("redis://127.0.0.1:1/0")  # nothing listens on port 1
    ticks = [1000.0]
    limiter = RateLimiter(parse_limit("1/minute"), None, closed, [], monotonic=lambda: ticks[0])
    with caplog.at_level(logging.WARNING, logger="claimreview.ratelimit"):
        decisions = decide(limiter, scope("192.0.2.1"), 3)
        assert decisions == [None, None, None]
        warnings = [r for r in caplog.records if r.name == "claimreview.ratelimit"]
        assert len(warnings) == 1
        message = warnings[0].getMessage()
        prefix = "rate limits not enforced, counter store failing: "
        assert message.startswith(prefix)
        # The store's own error follows: here, that nothing listens where it was sent.
        assert "127.0.0.1:1" in message.removeprefix(prefix)
        # A minute later, still failing: said again, once.
        ticks[0] += 60.5
        assert decide(limiter, scope("192.0.2.1"), 2) == [None, None]
        warnings = [r for r in caplog.records if r.name == "claimreview.ratelimit"]
        assert len(warnings) == 2


def test_the_failure_warning_comes_at_the_first_failure_then_after_more_than_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The warning's minute is counted on the monotonic clock (here a controlled one, which
    counts from the machine's start): the first failure is said, even in the machine's first
    minute; one exactly a minute after the last warning is not, the next one a quarter of a
    second later is."""
    ticks = [5.0]
    closed = counter_storage("redis://127.0.0.1:1/0")  # nothing listens on port 1
    limiter = RateLimiter(parse_limit("1/minute"), None, closed, [], monotonic=lambda: ticks[0])

    def warnings() -> int:
        return sum(1 for r in caplog.records if r.name == "claimreview.ratelimit")

    said = []
    with caplog.at_level(logging.WARNING, logger="claimreview.ratelimit"):
        for at in (5.0, 6.0, 65.0, 65.25, 125.25, 125.3):
            ticks[0] = at
            assert decide(limiter, scope("192.0.2.1")) == [None]
            said.append(warnings())
    assert said == [1, 1, 1, 2, 2, 3]


class TestWindowEnd:
    """`RateLimit-Reset` and `Retry-After` count the whole seconds left until the end of the
    window that the counter store reports, read on the limiter's clock (a controlled one here:
    the store's own clock, `time.time` inside `limits`, takes no other). The window is opened
    by a real request; the limiter's clock is then set at chosen distances from its end."""

    @staticmethod
    def limiter_and_clock(limit: str) -> tuple[RateLimiter, list[float]]:
        now = [time.time()]
        limiter = RateLimiter(parse_limit(limit), None, MemoryStorage(), [], clock=lambda: now[0])
        return limiter, now

    @staticmethod
    async def window_end(limiter: RateLimiter, request: Scope) -> float:
        item, who = limiter.bucket(request)
        assert item is not None
        stats = await limiter.limiter.get_window_stats(item, who)
        return float(stats.reset_time)

    def test_the_reset_is_the_seconds_left_rounded_up_and_0_once_the_window_ended(self) -> None:
        limiter, now = self.limiter_and_clock("100/minute")
        request = scope("192.0.2.1")

        async def run() -> list[tuple[bool, int]]:
            assert await limiter.decide(request) is not None  # opens the window
            end = await self.window_end(limiter, request)
            seen = []
            for left in (59.5, 1.25, 1.0, 0.5, 0.0, -0.5):
                now[0] = end - left
                decision = await limiter.decide(request)
                assert decision is not None
                seen.append((decision.allowed, decision.reset_seconds))
            return seen

        assert asyncio.run(run()) == [
            (True, 60),
            (True, 2),
            (True, 1),
            (True, 1),
            (True, 0),
            (True, 0),
        ]

    def test_a_refusal_in_the_last_second_says_retry_after_1_and_never_0(self) -> None:
        limiter, now = self.limiter_and_clock("1/minute")
        request = scope("192.0.2.1")

        async def served(request: Scope, receive: Receive, send: Send) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})

        middleware = RateLimitMiddleware(served, limiter, lambda path: False)

        async def call() -> list[Message]:
            sent: list[Message] = []

            async def receive() -> Message:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: Message) -> None:
                sent.append(message)

            await middleware(request, receive, send)
            return sent

        async def run() -> list[tuple[int, str, str, str]]:
            [start, _] = await call()  # opens the window
            assert start["status"] == 200
            end = await self.window_end(limiter, request)
            seen = []
            for left in (1.25, 1.0, 0.5, 0.0):
                now[0] = end - left
                start, body = await call()
                headers = dict(start["headers"])
                seen.append(
                    (
                        start["status"],
                        headers[b"retry-after"].decode(),
                        headers[b"ratelimit-reset"].decode(),
                        orjson.loads(body["body"])["detail"],
                    )
                )
            return seen

        def refused(retry: int, reset: int) -> tuple[int, str, str, str]:
            detail = f"More than 1 requests in the window; try again in {retry} s."
            return (429, str(retry), str(reset), detail)

        assert asyncio.run(run()) == [refused(2, 2), refused(1, 1), refused(1, 1), refused(1, 0)]


def test_closing_the_limiter_closes_its_redis_connections(redis_url: str) -> None:
    name = f"ratelimit-close-{uuid.uuid4().hex}"
    observer = redis.Redis.from_url(redis_url)

    def connections() -> int:
        return sum(1 for client in observer.client_list() if client.get("name") == name)

    async def run() -> tuple[int, int]:
        storage = counter_storage(f"{redis_url}?client_name={name}")
        limiter = RateLimiter(parse_limit("5/minute"), None, storage, [])
        assert await limiter.decide(scope("192.0.2.1")) is not None
        opened = connections()
        await limiter.close()
        deadline = time.monotonic() + 5  # the server drops a closed connection a moment later
        while connections() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return opened, connections()

    try:
        assert asyncio.run(run()) == (1, 0)
    finally:
        observer.close()


def test_closing_a_limiter_that_counts_in_memory_does_nothing() -> None:
    limiter = RateLimiter(parse_limit("5/minute"), None, MemoryStorage(), [])
    asyncio.run(limiter.close())
    assert decide(limiter, scope("192.0.2.1")) != [None]


@pytest.fixture
def limited(database_url: str) -> Iterator[LiveServer]:
    settings = Settings(
        database_url=database_url,
        token_secret="test-secret",
        rate_limit_anonymous="3/minute",
        rate_limit_key="",
    )
    with serve(settings) as server:
        yield server


@pytest.mark.parametrize("prefix", ["", "async+"])
def test_instances_on_one_redis_share_a_budget(
    prefix: str, redis_url: str, database_url: str
) -> None:
    settings = Settings(
        database_url=database_url,
        token_secret="test-secret",
        rate_limit_anonymous="3/minute",
        redis_url=prefix + redis_url,
    )
    with serve(settings) as one, serve(settings) as other:
        answers = [httpx.get(server.url + LOOKUP) for server in (one, other, one, other)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers["ratelimit-remaining"] for r in answers] == ["2", "1", "0", "0"]


def test_the_middleware_counts_refuses_and_exempts(limited: LiveServer) -> None:
    with httpx.Client(base_url=limited.url, timeout=30) as client:
        answers = [client.get(LOOKUP) for _ in range(2)]
        # A request with a body reaches the route whole, and counts like any other.
        posted = client.post("/v1/lookup", json={"urls": ["https://x.com/a/status/1"]})
        assert posted.json() == {"matches": {"https://x.com/a/status/1": []}}
        answers.append(posted)
        assert [r.status_code for r in answers] == [200, 200, 200]
        # The route's own headers stay beside the limiter's.
        assert {r.headers["content-type"] for r in answers} == {"application/json"}
        assert [r.headers["ratelimit-remaining"] for r in answers] == ["2", "1", "0"]
        assert {r.headers["ratelimit-limit"] for r in answers} == {"3"}
        refused = client.get(LOOKUP)
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["content-length"]) == len(refused.content)
        body = refused.json()
        assert (body["status"], body["title"]) == (429, "Too many requests")
        assert body["type"].endswith("rate-limited")
        retry = int(refused.headers["retry-after"])
        assert 1 <= retry <= 60
        assert body["detail"] == f"More than 3 requests in the window; try again in {retry} s."
        assert refused.headers["ratelimit-limit"] == "3"
        assert refused.headers["ratelimit-remaining"] == "0"
        # Never counted: operations, CORS preflights, and keyed calls when keys have no limit.
        for path in ("/healthz", "/readyz", "/metrics"):
            answer = client.get(path)
            assert answer.status_code == 200
            assert "ratelimit-limit" not in answer.headers
        preflight = client.options(
            LOOKUP,
            headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"},
        )
        assert preflight.status_code == 200
        plain_options = client.options(LOOKUP)
        assert plain_options.status_code != 429
        assert "ratelimit-limit" not in plain_options.headers
        keyed = client.get(LOOKUP, headers=auth("not-a-real-key"))
        assert keyed.status_code != 429
        assert "ratelimit-limit" not in keyed.headers
