"""URL lookup for browser extensions: normalised matches, batches in one query, CORS."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from app.storage.repositories import POLL_MARK
from tests.conftest import LiveServer, auth, review_body


@pytest.fixture
def checked(make_review: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_review(
        url="https://verifact.example/checks/moon",
        claim={
            "text": "The moon is made of cheese",
            "language": "en",
            "appearances": [
                {"url": "https://twitter.com/someone/status/1234567890"},
                {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
            ],
        },
    )


@contextmanager
def counted_queries(live_server: LiveServer) -> Iterator[list[str]]:
    engine = live_server.app.state.db.engine
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The poller of the read cache and the known addresses reads the change log on its own
        # schedule; a lookup never does.
        if not statement.startswith(("BEGIN", "ROLLBACK", "COMMIT")) and POLL_MARK not in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _caught_up(live_server: LiveServer) -> None:
    """Until the server's set of known addresses has read the change log (its poller runs every
    quarter of a second)."""
    known = live_server.app.state.known_addresses
    deadline = time.monotonic() + 10
    while not known.usable():
        assert time.monotonic() < deadline, "the known addresses never caught up"
        time.sleep(0.01)


class TestLookup:
    @pytest.mark.parametrize(
        "url",
        [
            "https://x.com/someone/status/1234567890?s=20&t=abc",
            "http://mobile.twitter.com/SomeOne/status/1234567890/",
            "https://youtu.be/dQw4w9WgXcQ",
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share&utm_source=x",
            "https://verifact.example/checks/moon?utm_campaign=feed#top",
        ],
    )
    def test_variants_of_an_address_match(
        self, client: httpx.Client, checked: dict[str, Any], url: str
    ) -> None:
        response = client.get("/v1/lookup", params={"url": url})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=300"
        assert response.json() == {
            "matches": {
                url: [
                    {
                        "id": checked["id"],
                        "claim_id": checked["claim_id"],
                        "publisher_id": "verifact",
                        "url": "https://verifact.example/checks/moon",
                        "label": "False",
                        "verdict": "false",
                    }
                ]
            }
        }

    @pytest.mark.parametrize(
        "url",
        [
            "https://x.com/someone/status/999",
            "https://www.youtube.com/watch?v=other",
            "https://verifact.example/",
        ],
    )
    def test_other_addresses_do_not(
        self, client: httpx.Client, checked: dict[str, Any], url: str
    ) -> None:
        assert client.get("/v1/lookup", params={"url": url}).json() == {"matches": {url: []}}

    def test_drafts_and_retractions_are_not_matches(
        self, client: httpx.Client, checked: dict[str, Any], editor_key: str
    ) -> None:
        client.patch(
            f"/v1/reviews/{checked['id']}", json={"status": "retracted"}, headers=auth(editor_key)
        )
        url = "https://youtu.be/dQw4w9WgXcQ"
        assert client.get("/v1/lookup", params={"url": url}).json() == {"matches": {url: []}}

    def test_a_batch_of_100_is_one_query(
        self, client: httpx.Client, checked: dict[str, Any], live_server: LiveServer
    ) -> None:
        urls = [f"https://example.org/page/{i}" for i in range(98)]
        urls += ["https://youtu.be/dQw4w9WgXcQ", "https://x.com/someone/status/1234567890"]
        with counted_queries(live_server) as queries:
            response = client.post("/v1/lookup", json={"urls": urls})
        assert response.status_code == 200
        matches = response.json()["matches"]
        assert list(matches) == urls
        assert [u for u, found in matches.items() if found] == urls[-2:]
        assert len(queries) == 1, queries

    def test_an_address_no_review_concerns_is_answered_without_the_database(
        self, client: httpx.Client, checked: dict[str, Any], live_server: LiveServer
    ) -> None:
        _caught_up(live_server)
        nobody, known = "https://example.org/nobody-checked", "https://youtu.be/dQw4w9WgXcQ"
        with counted_queries(live_server) as queries:
            unchecked = client.get("/v1/lookup", params={"url": nobody})
            batch = client.post("/v1/lookup", json={"urls": [nobody, f"{nobody}/2"]})
            found = client.get("/v1/lookup", params={"url": known})
        assert unchecked.json() == {"matches": {nobody: []}}
        assert unchecked.headers["cache-control"] == "public, max-age=300"
        assert batch.json() == {"matches": {nobody: [], f"{nobody}/2": []}}
        assert [m["id"] for m in found.json()["matches"][known]] == [checked["id"]]
        assert len(queries) == 1, queries  # the known address's

    def test_an_address_reviewed_here_just_now_is_found_at_once(
        self, client: httpx.Client, editor_key: str, publisher: str, live_server: LiveServer
    ) -> None:
        _caught_up(live_server)
        post = "https://x.com/someone/status/777"
        assert client.get("/v1/lookup", params={"url": post}).json() == {"matches": {post: []}}
        body = review_body("https://verifact.example/checks/777")
        body["claim"]["appearances"] = [{"url": post}]
        created = client.post("/v1/reviews", json=body, headers=auth(editor_key)).json()
        found = client.get("/v1/lookup", params={"url": post}).json()["matches"][post]
        assert [m["id"] for m in found] == [created["id"]]

    def test_over_100_urls_is_422(self, client: httpx.Client) -> None:
        response = client.post(
            "/v1/lookup", json={"urls": [f"https://a.example/{i}" for i in range(101)]}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "urls"

    @pytest.mark.parametrize(
        "bad", ["javascript:alert(1)", "not a url", "ftp://files.example/x", ""]
    )
    def test_unparseable_address_is_422_naming_the_entry(
        self, client: httpx.Client, bad: str
    ) -> None:
        response = client.post("/v1/lookup", json={"urls": ["https://ok.example/a", bad]})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "urls.1"
        single = client.get("/v1/lookup", params={"url": bad})
        assert single.status_code == 422

    def test_extension_origins_may_ask(self, client: httpx.Client) -> None:
        preflight = client.options(
            "/v1/lookup",
            headers={
                "Origin": "chrome-extension://abcdefghijklmnop",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "*"
        assert "POST" in preflight.headers["access-control-allow-methods"]
