"""The change log, the DataFeed and the NDJSON export."""

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text

from app.claimreview.validate import validate
from app.storage.database import Database
from tests.conftest import auth
from tests.jsonld import assert_valid


def follow_link(response: httpx.Response) -> str | None:
    link = response.headers.get("Link")
    if link is None:
        return None
    assert link.endswith('>; rel="next"')
    return link[1 : link.index(">")]


class TestChanges:
    def test_cursor_walks_the_log_in_order(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        first = make_review()
        second = make_review()
        client.patch(f"/v1/reviews/{first['id']}", json={"headline": "x"}, headers=auth(editor_key))
        page = client.get("/v1/changes", params={"limit": 2}).json()
        assert [(c["type"], c["review_id"]) for c in page["changes"]] == [
            ("review.published", first["id"]),
            ("review.published", second["id"]),
        ]
        rest = client.get("/v1/changes", params={"after": page["next_cursor"]}).json()
        assert [(c["type"], c["review_id"]) for c in rest["changes"]] == [
            ("review.updated", first["id"])
        ]
        idle = client.get("/v1/changes", params={"after": rest["next_cursor"]}).json()
        assert idle == {"changes": [], "next_cursor": rest["next_cursor"]}

    @pytest.mark.parametrize("after", ["abc", "-1", "1e5", "9" * 30, "2147483648", "²"])
    def test_bad_cursor_is_400(self, client: httpx.Client, after: str) -> None:
        response = client.get("/v1/changes", params={"after": after})
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"] == "application/problem+json"

    def test_concurrent_writers_and_a_polling_consumer_agree(
        self,
        client: httpx.Client,
        db: Database,
        make_review: Callable[..., dict[str, Any]],
        editor_key: str,
        live_server: Any,
    ) -> None:
        """Writers publish, correct, retract and delete while a consumer polls the log and
        applies each change; at the end the consumer holds exactly the published state."""
        errors: list[BaseException] = []

        def writer(worker: int) -> None:
            try:
                with httpx.Client(base_url=live_server.url, timeout=30) as http:
                    for i in range(8):
                        review = make_review(url=f"https://verifact.example/w{worker}/{i}")
                        rid = review["id"]
                        http.patch(
                            f"/v1/reviews/{rid}",
                            json={"headline": f"fix {i}"},
                            headers=auth(editor_key),
                        )
                        if i % 3 == 0:
                            http.patch(
                                f"/v1/reviews/{rid}",
                                json={"status": "retracted"},
                                headers=auth(editor_key),
                            )
                        if i % 4 == 0:
                            http.delete(f"/v1/reviews/{rid}", headers=auth(editor_key))
            except BaseException as exc:
                errors.append(exc)

        state: dict[int, int] = {}  # review id -> version seen
        applied: list[int] = []
        done = threading.Event()

        def consume() -> None:
            cursor = "0"
            with httpx.Client(base_url=live_server.url, timeout=30) as http:
                while True:
                    finished = done.is_set()
                    page = http.get("/v1/changes", params={"after": cursor, "limit": 7}).json()
                    for change in page["changes"]:
                        applied.append(int(change["cursor"]))
                        rid = change["review_id"]
                        if change["type"] in ("review.published", "review.updated"):
                            current = http.get(f"/v1/reviews/{rid}")
                            if (
                                current.status_code == 200
                                and current.json()["status"] == "published"
                            ):
                                state[rid] = current.json()["version"]
                        else:
                            state.pop(rid, None)
                    cursor = page["next_cursor"]
                    if finished and not page["changes"]:
                        return
                    time.sleep(0.005)

        consumer = threading.Thread(target=consume)
        writers = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
        consumer.start()
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()
        done.set()
        consumer.join(timeout=60)
        assert not errors
        with db.engine.connect() as connection:
            cursors = (
                connection.execute(text('SELECT cursor FROM "change" ORDER BY cursor'))
                .scalars()
                .all()
            )
            published = dict(
                connection.execute(
                    text(
                        "SELECT id, version FROM review "
                        "WHERE status = 'published' AND deleted_at IS NULL"
                    )
                ).all()
            )
        assert applied == list(cursors), "the consumer missed or repeated a change"
        assert state == published


class TestFeed:
    def test_feed_pages_follow_link_headers_and_items_validate(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        created = [make_review() for _ in range(5)]
        seen = []
        url: str | None = "/v1/feed?page_size=2"
        while url:
            response = client.get(url)
            assert response.status_code == 200
            assert response.headers["content-type"] == "application/ld+json"
            feed = response.json()
            assert feed["@context"] == "https://schema.org"
            assert feed["@type"] == "DataFeed"
            for element in feed["dataFeedElement"]:
                assert element["@type"] == "DataFeedItem"
                assert_valid(element["item"])
                assert validate(element["item"]).errors == ()
                seen.append(element["url"])
            url = follow_link(response)
        assert seen == [r["url"] for r in reversed(created)]

    def test_deleted_and_retracted_reviews_appear_as_date_deleted(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        kept, retracted, deleted = make_review(), make_review(), make_review()
        make_review(status="draft")
        client.patch(
            f"/v1/reviews/{retracted['id']}", json={"status": "retracted"}, headers=auth(editor_key)
        )
        client.delete(f"/v1/reviews/{deleted['id']}", headers=auth(editor_key))
        elements = client.get("/v1/feed").json()["dataFeedElement"]
        by_url = {e["url"]: e for e in elements}
        assert set(by_url) == {kept["url"], retracted["url"], deleted["url"]}
        assert "item" in by_url[kept["url"]]
        assert "dateDeleted" not in by_url[kept["url"]]
        for gone in (retracted, deleted):
            assert "dateDeleted" in by_url[gone["url"]]
            assert "item" not in by_url[gone["url"]]

    def test_filters_and_token_binding(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        make_review(language="en")
        french = make_review(language="fr")
        for _ in range(2):
            make_review(language="en")
        assert [
            e["url"]
            for e in client.get("/v1/feed", params={"language": "fr"}).json()["dataFeedElement"]
        ] == [french["url"]]
        assert (
            client.get("/v1/feed", params={"publisher": "nobody.example"}).json()["dataFeedElement"]
            == []
        )
        first = client.get("/v1/feed", params={"page_size": 1})
        token = follow_link(first)
        assert token is not None
        other = client.get(
            "/v1/feed",
            params={"page_size": 1, "language": "fr", "page_token": token.split("page_token=")[1]},
        )
        assert other.status_code == 400


class TestExport:
    def test_export_streams_every_published_document(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        created = [make_review() for _ in range(3)]
        make_review(status="draft")
        client.patch(
            f"/v1/reviews/{created[0]['id']}",
            json={"status": "retracted"},
            headers=auth(editor_key),
        )
        with client.stream("GET", "/v1/export") as response:
            assert response.headers["content-type"] == "application/x-ndjson"
            lines = [line for line in response.iter_lines() if line]
        documents = [orjson.loads(line) for line in lines]
        for document in documents:
            assert document["@context"] == "https://schema.org"
            assert_valid(document)
            assert validate(document).errors == ()
        assert sorted(d["url"] for d in documents) == sorted(r["url"] for r in created[1:])
