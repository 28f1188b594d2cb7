"""Rate limits (the `limits` library): per client address for anonymous calls, per API key for
keyed ones. Counters live in memory, or in Redis when `CLAIMREVIEW_REDIS_URL` is set so that
every instance counts against the same budget.

Every answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds);
a refused one is a 429 with `Retry-After` (problem+json, or Google's shape under /v1alpha1).
The client address is the connection's peer, or, only when that peer is a trusted proxy
(`CLAIMREVIEW_FORWARDED_ALLOW_IPS`), the nearest untrusted address in `X-Forwarded-For`.
Should the counter store fail (Redis down), the request is served: a broken limiter must not
take the API down with it.
"""

import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics
from app.errors import error_response

log = logging.getLogger("claimreview.ratelimit")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_limit(text: str) -> RateLimitItem | None:
    """`600/minute` and the like; empty means no limit. Raises ValueError when malformed."""
    return parse(text) if text.strip() else None


def counter_storage(redis_url: str | None) -> Storage:
    if redis_url:
        uri = redis_url if redis_url.startswith("async+") else "async+" + redis_url
        return RedisStorage(uri, implementation="redispy")
    return MemoryStorage()


def trusted_networks(entries: list[str]) -> list[Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry]


def client_address(scope: Scope, trusted: list[Network]) -> str:
    peer = (scope.get("client") or ("unknown", 0))[0]
    if not trusted or not _is_trusted(peer, trusted):
        return str(peer)
    forwarded = b",".join(v for k, v in scope["headers"] if k == b"x-forwarded-for")
    # From the nearest hop back: the first address no trusted proxy added is the client.
    for hop in reversed(forwarded.decode("latin-1").split(",")):
        hop = hop.strip()
        if hop and not _is_trusted(hop, trusted):
            return hop
    return str(peer)


def _is_trusted(address: str, trusted: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset_seconds).encode()),
        ]


class RateLimiter:
    def __init__(
        self,
        anonymous: RateLimitItem | None,
        keyed: RateLimitItem | None,
        storage: Storage,
        trusted: list[Network],
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`clock` is the wall clock (the scale of the window ends the counter store reports),
        `monotonic` times the warnings of a failing store; both are there for the tests."""
        self.anonymous = anonymous
        self.keyed = keyed
        self.limiter = FixedWindowRateLimiter(storage)
        self.trusted = trusted
        self._clock = clock
        self._monotonic = monotonic
        self._warned_at: float | None = None  # the last warning of a failing store

    def bucket(self, scope: Scope) -> tuple[RateLimitItem | None, str]:
        for name, value in scope["headers"]:
            if name == b"authorization":
                # The key itself never reaches the counter store: a digest names its bucket.
                return self.keyed, "key:" + hashlib.sha256(value).hexdigest()[:32]
        return self.anonymous, "addr:" + client_address(scope, self.trusted)

    async def decide(self, scope: Scope) -> Decision | None:
        item, who = self.bucket(scope)
        if item is None:
            return None
        try:
            allowed = await self.limiter.hit(item, who)
            stats = await self.limiter.get_window_stats(item, who)
        except Exception as exc:  # the counter store is down: serve, and say so in the log
            now = self._monotonic()
            if self._warned_at is None or now - self._warned_at > 60:
                log.warning("rate limits not enforced, counter store failing: %s", exc)
                self._warned_at = now
            return None
        # Whole seconds left in the window, by this instance's clock: 0 once it has ended.
        reset = max(0, math.ceil(stats.reset_time - self._clock()))
        return Decision(allowed, item.amount, stats.remaining, reset)

    async def close(self) -> None:
        """Closes the counter store's Redis connections, at shutdown, on the loop that opened
        them (left to the garbage collector, they are reported as unclosed sockets). `limits`
        has no public way to do it: its redis-py bridge holds the client as `storage`."""
        client = getattr(getattr(self.limiter.storage, "bridge", None), "storage", None)
        if client is not None:
            await client.aclose()


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter, exempt: Callable[[str], bool]) -> None:
        self.app = app
        self.limiter = limiter
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS" or self.exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        decision = await self.limiter.decide(scope)
        if decision is None:
            await self.app(scope, receive, send)
            return
        if not decision.allowed:
            metrics.RATE_LIMITED.inc()
            await _refuse(scope["path"], send, decision)
            return
        headers = decision.headers()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, with_headers)


async def _refuse(path: str, send: Send, decision: Decision) -> None:
    retry = max(1, decision.reset_seconds)
    status, body, media_type = error_response(
        path,
        429,
        "rate-limited",
        "Too many requests",
        f"More than {decision.limit} requests in the window; try again in {retry} s.",
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry).encode()),
                *decision.headers(),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
