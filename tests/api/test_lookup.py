"""URL lookup for browser extensions: normalised matches, batches in one query, CORS."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from app.main import LATEST_CURSOR
from tests.conftest import LiveServer, auth


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
        # The read cache's poller reads the change log's cursor on its own schedule.
        if not statement.startswith(("BEGIN", "ROLLBACK", "COMMIT")) and statement != str(
            LATEST_CURSOR
        ):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


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
