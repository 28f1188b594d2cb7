"""The read cache: public GET responses of the hot reads kept in memory, current with the data.

Browser extensions look up the same addresses over and over (most of them checked by nobody),
and a published document changes rarely, so most hot reads can be answered without the
database. What keeps the cache correct:

- Every public change appends to the change log in its transaction, and the log's cursor only
  grows in commit order (appends are serialised). The cache remembers the newest cursor it has
  seen and forgets everything when it moves: a poller reads it every `POLL_SECONDS`, so another
  instance's write is served at most about `STALE_SECONDS` late.
- This instance's own commits clear the cache before their response is sent
  (`Database.unit_of_work` callbacks), so a writer always reads its own write.
- A response is stored only under the generation current when its request began: a read that
  raced a commit is never kept.
- When the poller has not heard from the database for `STALE_SECONDS` (unreachable, saturated),
  the cache is bypassed: it never serves from a past it cannot vouch for.
- The key is the path and the whole query string: `fields=` and every other parameter give
  answers of their own.
- Requests with a key (drafts are visible to their publisher) and conditional requests go to
  the routes. An answer stays until a change or until evicted (least recently used first),
  unless its route says otherwise:
  - `keep_briefly`: the answer depends on the clock (`max_age_days`) or on a publisher's sites
    (which change without a change of any review); it expires after `TTL_SECONDS`;
  - `dont_keep`: the answer is not worth the room (a lookup of an address nobody checked costs
    less to answer again).
- An answer is kept the second time it is asked for, not the first (a "doorkeeper": the keys
  asked for once are remembered as hashes, forgotten in bulk when they reach four times the
  capacity). Most search queries are asked once; kept at once, a few thousand of them (10 kB
  each) pushed every ClaimReview document out of the 64 MB. A route may say `keep_at_once`
  where its answers are about as many as the stored data has (a lookup that found
  fact-checks), not as many as clients can make up.
"""

import asyncio
import logging
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics

log = logging.getLogger("claimreview.cache")

POLL_SECONDS = 0.25
STALE_SECONDS = 1.0
TTL_SECONDS = 60.0
MAX_BYTES = 64 * 1024 * 1024

# The hot reads, each answered only from published data that the change log tracks.
CACHEABLE = re.compile(
    r"/v1/lookup|/v1/search|/v1alpha1/claims:search|/v1alpha1/claims:imageSearch"
    r"|/v1/reviews/[0-9]{1,19}/claimreview"
)
_VARY = (b"authorization", b"if-none-match", b"if-modified-since", b"cookie")
# Query parameters whose answers may change with no change logged: the clock, publishers' sites.
_DONT_KEEP = "claimreview.dont_keep"
_KEEP_BRIEFLY = "claimreview.keep_briefly"
_KEEP_AT_ONCE = "claimreview.keep_at_once"


def dont_keep(scope: Scope) -> None:
    """The route's answer is not to be kept (cheaper to answer again than the room it takes)."""
    scope[_DONT_KEEP] = True


def keep_at_once(scope: Scope) -> None:
    """The answer is kept the first time it is asked for: such answers are about as many as
    the stored data has (a lookup that found fact-checks: the checked addresses, as pages link
    them), not as many as clients can make up. A client sending made-up variants of a checked
    address has them kept, as it would by asking for each twice."""
    scope[_KEEP_AT_ONCE] = True


def keep_briefly(scope: Scope) -> None:
    """The route's answer may change with no change logged: kept `TTL_SECONDS` at most."""
    scope[_KEEP_BRIEFLY] = True


@dataclass(frozen=True, slots=True)
class Entry:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    expires: float
    route: Any  # the route that made it, for the metrics' route label


class ReadCache:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self.generation = 0
        self.cursor: int | None = None
        self.fresh_until = 0.0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()
        self._bytes = 0
        self._asked_once: set[int] = set()
        # Misses being answered now, by key: the same request arriving meanwhile waits for
        # that answer instead of joining the queue for the database (a crowd that asks for
        # one new document at once made 256 misses of it, and 503s).
        self.inflight: dict[bytes, asyncio.Future[None]] = {}
        # Writes forget from request threads while the event loop stores answers: a store
        # checks its generation and inserts under the lock a forget takes, so no answer read
        # before a commit is stored after that commit's forget.
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def usable(self) -> bool:
        return self.enabled and time.monotonic() < self.fresh_until

    def forget(self) -> None:
        """Something public changed: nothing stored before it may be served."""
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self._bytes = 0

    def observe(self, cursor: int | None) -> None:
        """The change log's newest cursor, as the poller read it just now."""
        if cursor != self.cursor:
            self.cursor = cursor
            self.forget()
        self.fresh_until = time.monotonic() + STALE_SECONDS

    def get(self, key: bytes) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None or entry.expires < time.monotonic():
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def asked_again(self, key: bytes) -> None:
        self._asked_once.add(hash(key))

    def put(self, key: bytes, generation: int, entry: Entry, at_once: bool = False) -> None:
        with self._lock:
            if generation != self.generation or not self.usable():
                return
            if key not in self._entries and not at_once:
                asked = hash(key)
                if asked not in self._asked_once:
                    if len(self._asked_once) >= 4 * self.max_entries:
                        self._asked_once.clear()
                    self._asked_once.add(asked)
                    return
                self._asked_once.discard(asked)
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while len(self._entries) > self.max_entries or self._bytes > MAX_BYTES:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._entries)


async def poll(cache: ReadCache, latest_cursor: Callable[[], int | None]) -> None:
    """Runs for the life of the app (a lifespan task)."""
    while True:
        try:
            async with asyncio.timeout(STALE_SECONDS):
                cursor = await asyncio.to_thread(latest_cursor)
        except Exception as exc:  # unreachable or slow database: the cache goes stale, unused
            log.debug("read cache poll failed: %s", exc)
        else:
            cache.observe(cursor)
        await asyncio.sleep(POLL_SECONDS)


class ReadCacheMiddleware:
    def __init__(self, app: ASGIApp, cache: ReadCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache = self.cache
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not cache.usable()
            or not CACHEABLE.fullmatch(scope["path"])
            or any(name in _VARY for name, _ in scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        key = scope["path"].encode() + b"?" + scope["query_string"]
        entry = cache.get(key)
        if entry is None and key in cache.inflight:
            cache.asked_again(key)  # kept when it comes, for this request and the next
            await asyncio.shield(cache.inflight[key])
            entry = cache.get(key)
        if entry is not None:
            scope["route"] = entry.route
            metrics.CACHE_HITS.inc()
            await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
            await send({"type": "http.response.body", "body": entry.body})
            return
        answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        cache.inflight[key] = answered
        try:
            await self._answer(scope, receive, send, key)
        finally:
            if cache.inflight.get(key) is answered:
                del cache.inflight[key]
            answered.set_result(None)

    async def _answer(self, scope: Scope, receive: Receive, send: Send, key: bytes) -> None:
        cache = self.cache
        generation = cache.generation
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        complete = False

        async def capture(message: Message) -> None:
            nonlocal status, headers, complete
            if message["type"] == "http.response.start":
                # Copied now: the layers outside may add their own (per-client) headers.
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body" and status:
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, capture)
        if status == 200 and complete and not scope.get(_DONT_KEEP):
            headers = [(k, v) for k, v in headers if k != b"set-cookie"]
            body = b"".join(chunks)
            expires = time.monotonic() + TTL_SECONDS if scope.get(_KEEP_BRIEFLY) else math.inf
            entry = Entry(headers, body, expires, scope.get("route"))
            cache.put(key, generation, entry, at_once=bool(scope.get(_KEEP_AT_ONCE)))
