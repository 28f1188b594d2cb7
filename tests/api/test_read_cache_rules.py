"""What the read cache keeps, and for how long; and the lookup answered before routing gives the
route's own answer. Through the session's live server (real HTTP), reading its cache's state."""

import math
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from app.api.known_addresses import KnownAddresses
from app.rules.urls import normalize_url
from app.storage import repositories as repo
from app.storage.database import Database
from tests.api.test_lookup import _caught_up
from tests.conftest import LiveServer


def _get(client: httpx.Client, cache: Any, path: str, params: Any = None) -> httpx.Response:
    """GET, then wait until the server is done with the request: the cache stores an answer
    after sending it, so the client can have it before the cache does."""
    response = client.get(path, params=params)
    key = response.request.url.raw_path  # the cache's key: the path and the query string
    deadline = time.monotonic() + 10
    while key in cache.inflight:
        assert time.monotonic() < deadline, "the request never finished"
        time.sleep(0.005)
    return response


def _usable(live_server: LiveServer, db: Database) -> Any:
    """The server's read cache once its poller has seen the newest change: a write made just
    before (the test's own) clears the cache at once and again when the poller sees it, which
    must not happen between the requests a test sends next."""
    with db.engine.connect() as connection:
        latest = repo.latest_cursor(connection)
    cache = live_server.app.state.read_cache
    deadline = time.monotonic() + 10
    while not (cache.usable() and cache.cursor == latest):
        assert time.monotonic() < deadline, "the read cache never caught up"
        time.sleep(0.01)
    return cache


class TestWhatIsKept:
    def test_an_answer_is_kept_the_second_time_it_is_asked_for(
        self,
        client: httpx.Client,
        live_server: LiveServer,
        db: Database,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        review = make_review()
        # A query string of its own: the cache remembers the keys asked for once across tests
        # (ids start again in each test), and it keys answers by the whole query string.
        path = f"/v1/reviews/{review['id']}/claimreview?fresh={uuid.uuid4().hex}"
        cache = _usable(live_server, db)
        key = path.encode()
        first = _get(client, cache, path)
        assert first.status_code == 200
        assert cache.get(key) is None  # asked once: not kept
        second = _get(client, cache, path)
        kept = cache.get(key)
        assert kept is not None
        assert kept.body == second.content == first.content
        hits = cache.hits
        assert client.get(path).content == first.content
        assert cache.hits == hits + 1

    def test_a_document_stays_until_a_change_a_dated_search_expires(
        self,
        client: httpx.Client,
        live_server: LiveServer,
        db: Database,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        review = make_review()
        cache = _usable(live_server, db)
        fresh = uuid.uuid4().hex
        document = f"/v1/reviews/{review['id']}/claimreview?fresh={fresh}"
        dated = [
            ("/v1/search", f"q=moon&max_age_days=36500&fresh={fresh}"),
            ("/v1alpha1/claims:search", f"query=moon&maxAgeDays=36500&fresh={fresh}"),
            ("/v1/search", f"q=moon&publisher=verifact&fresh={fresh}"),
        ]
        for _ in range(2):
            assert _get(client, cache, document).status_code == 200
            for path, query in dated:
                assert _get(client, cache, path, params=query).status_code == 200
        assert cache.get(document.encode()).expires == math.inf
        for path, query in dated:
            search = cache.get(f"{path}?{query}".encode())
            assert search is not None, path
            assert search.expires < math.inf, query

    def test_a_lookup_that_found_a_fact_check_is_kept_at_once(
        self,
        client: httpx.Client,
        live_server: LiveServer,
        db: Database,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        review = make_review()
        cache = _usable(live_server, db)
        # A fragment of its own: a key never asked for, the same checked address.
        url = f"{review['url']}#{uuid.uuid4().hex}"
        first = _get(client, cache, "/v1/lookup", params={"url": url})
        assert [m["id"] for m in first.json()["matches"][url]] == [review["id"]]
        kept = cache.get(first.request.url.raw_path)
        assert kept is not None
        assert kept.body == first.content
        hits = cache.hits
        assert client.get("/v1/lookup", params={"url": url}).content == first.content
        assert cache.hits == hits + 1

    def test_a_lookup_of_an_address_nobody_checked_is_not_kept(
        self, client: httpx.Client, live_server: LiveServer, db: Database
    ) -> None:
        cache = _usable(live_server, db)
        _caught_up(live_server)
        kept = len(cache)
        for _ in range(3):
            client.post("/v1/lookup", json={"urls": ["https://example.org/nobody"]})
            client.get("/v1/lookup", params={"url": "https://example.org/nobody"})
        assert len(cache) == kept


class TestLookupBeforeRouting:
    def test_it_answers_as_the_route_does(
        self,
        client: httpx.Client,
        live_server: LiveServer,
        db: Database,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        make_review()
        known = live_server.app.state.known_addresses
        url = "https://Example.org/Nobody/Checked?utm_source=x#top"
        _caught_up(live_server)
        early = client.get("/v1/lookup", params={"url": url})
        known.committed()  # not usable until the next poll: the route answers
        assert not known.usable()
        routed = client.get("/v1/lookup", params={"url": url})
        assert early.status_code == routed.status_code == 200
        assert early.content == routed.content == b'{"matches":{"%s":[]}}' % url.encode()
        for header in ("content-type", "cache-control", "vary"):
            assert early.headers.get(header) == routed.headers.get(header), header

    def test_what_it_cannot_answer_goes_to_the_route(
        self, client: httpx.Client, live_server: LiveServer
    ) -> None:
        _caught_up(live_server)
        invalid = client.get("/v1/lookup", params={"url": "not a url"})
        assert invalid.status_code == 422
        assert invalid.json()["errors"][0]["field"] == "url"
        too_long = client.get("/v1/lookup", params={"url": "https://a.example/" + "x" * 2100})
        assert too_long.status_code == 422
        missing = client.get("/v1/lookup")
        assert missing.status_code == 422
        two = client.get("/v1/lookup", params=[("url", "https://a.example/1"), ("x", "1")])
        assert two.json() == {"matches": {"https://a.example/1": []}}


class TestKnownAddressesPolls:
    def test_a_poll_that_finds_the_last_one_at_work_leaves_the_set_to_it(
        self, db: Database, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        make_review()
        known = KnownAddresses(enabled=True)
        with known._working, db.engine.connect() as connection:  # a first load still running
            latest = known.catch_up(connection)
        with db.engine.connect() as connection:
            assert latest == repo.latest_cursor(connection)
        assert not known.usable()
        with db.engine.connect() as connection:
            assert known.catch_up(connection) == latest
        assert known.usable()
        assert known.may_match(normalize_url("https://x.com/someone/status/1234567890"))
        assert not known.may_match(normalize_url("https://example.org/nobody"))
