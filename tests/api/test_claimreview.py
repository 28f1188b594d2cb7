"""GET /v1/reviews/{id}/claimreview: schema.org ClaimReview as search engines read it."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import httpx
from sqlalchemy import text

from app.storage.database import Database
from app.storage.types import as_utc
from tests.conftest import REFERENCE, auth, load_json
from tests.jsonld import assert_valid


class TestClaimReviewDocument:
    def test_reference_fact_check_round_trips(
        self, client: httpx.Client, netflix: dict[str, Any]
    ) -> None:
        response = client.get(f"/v1/reviews/{netflix['id']}/claimreview")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/ld+json"
        document = response.json()
        assert_valid(document)
        reference = load_json(REFERENCE)
        assert document["@context"] == "https://schema.org"
        assert document["@type"] == "ClaimReview"
        for field in ("url", "name", "inLanguage", "claimReviewed", "author", "reviewRating"):
            assert document[field] == reference[field], field
        assert document["datePublished"] == "2018-01-31T00:00:00Z"
        item = document["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["author"] == reference["itemReviewed"]["author"]
        assert item["datePublished"] == "2018-01-15T00:00:00Z"
        assert item["appearance"] == reference["itemReviewed"]["appearance"]
        assert "dateModified" not in document

    def test_rating_numbers_are_numbers_all_three_or_none(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        full = make_review(rating={"label": "False", "value": 1, "best": 5, "worst": 1})
        partial = make_review(rating={"label": "False", "value": 1, "best": 5})
        none = make_review(rating={"label": "False"})
        ratings = [
            client.get(f"/v1/reviews/{r['id']}/claimreview").json()["reviewRating"]
            for r in (full, partial, none)
        ]
        assert ratings[0] == {
            "@type": "Rating",
            "alternateName": "False",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
        }
        assert ratings[1] == {"@type": "Rating", "alternateName": "False"}
        assert ratings[2] == {"@type": "Rating", "alternateName": "False"}

    def test_only_schema_org_terms_and_no_native_fields(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review(
            summary="It is rock.",
            authors=[{"name": "A. Journalist", "url": "https://verifact.example/team/a"}],
            claim={
                "text": "The moon is made of cheese",
                "language": "en",
                "claimant": {
                    "name": "Cheese Lobby",
                    "type": "Organization",
                    "url": "https://cheese.example/",
                },
                "appearances": [
                    {
                        "url": "https://x.com/a/status/1",
                        "archived_url": "https://web.archive.org/web/2024/https://x.com/a/status/1",
                    }
                ],
                "first_appearance": {"url": "https://x.com/a/status/1"},
            },
        )
        document = client.get(f"/v1/reviews/{review['id']}/claimreview").json()
        assert_valid(document)
        assert set(document) <= {
            "@context",
            "@type",
            "url",
            "name",
            "claimReviewed",
            "datePublished",
            "dateModified",
            "inLanguage",
            "author",
            "creator",
            "reviewRating",
            "reviewBody",
            "itemReviewed",
        }
        assert document["author"] == {
            "@type": "Organization",
            "name": "Verifact",
            "url": "https://verifact.example/",
        }
        assert document["creator"] == [
            {"@type": "Person", "name": "A. Journalist", "url": "https://verifact.example/team/a"}
        ]
        assert document["reviewBody"] == "It is rock."
        item = document["itemReviewed"]
        assert item["author"] == {
            "@type": "Organization",
            "name": "Cheese Lobby",
            "url": "https://cheese.example/",
        }
        assert item["appearance"][0]["archivedAt"].startswith("https://web.archive.org/")
        assert item["firstAppearance"] == {
            "@type": "CreativeWork",
            "url": "https://x.com/a/status/1",
        }

    def test_date_modified_appears_once_changed(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        client.patch(
            f"/v1/reviews/{review['id']}", json={"headline": "Fixed"}, headers=auth(editor_key)
        )
        document = client.get(f"/v1/reviews/{review['id']}/claimreview").json()
        assert_valid(document)
        assert document["name"] == "Fixed"
        assert document["dateModified"] >= document["datePublished"]

    def test_claim_change_reaches_the_document(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        before = client.get(f"/v1/reviews/{review['id']}/claimreview")
        client.patch(
            f"/v1/claims/{review['claim_id']}",
            json={"text": "The moon is cheese"},
            headers=auth(editor_key),
        )
        after = client.get(f"/v1/reviews/{review['id']}/claimreview")
        assert after.json()["claimReviewed"] == "The moon is cheese"
        assert after.headers["ETag"] != before.headers["ETag"]
        revisions = client.get(f"/v1/reviews/{review['id']}/revisions").json()["revisions"]
        assert len(revisions) == 1

    def test_text_is_stored_and_served_verbatim(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        tricky = '</script><script>alert(1)</script> "quotes" \u202eRTL 🧀'
        review = make_review(rating={"label": tricky}, claim={"text": tricky, "language": "en"})
        document = client.get(f"/v1/reviews/{review['id']}/claimreview").json()
        assert document["claimReviewed"] == tricky
        assert document["reviewRating"]["alternateName"] == tricky


class TestCaching:
    def test_etag_last_modified_and_cache_control(
        self, client: httpx.Client, db: Database, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        before = datetime.now(UTC).replace(microsecond=0)
        review = make_review()
        after = datetime.now(UTC)
        response = client.get(f"/v1/reviews/{review['id']}/claimreview")
        assert response.headers["ETag"].startswith('"')
        assert response.headers["Cache-Control"] == "public, max-age=300"
        # Last-Modified is when this document was rendered (at the write), in HTTP-date form.
        last_modified = response.headers["Last-Modified"]
        assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT", last_modified)
        assert before <= parsedate_to_datetime(last_modified) <= after
        with db.engine.connect() as connection:
            rendered = connection.execute(
                text("SELECT rendered_at FROM review WHERE id = :id"), {"id": review["id"]}
            ).scalar_one()
        assert last_modified == format_datetime(as_utc(rendered), usegmt=True)
        fast = client.get(f"/v1/reviews/{review['id']}/claimreview")
        assert fast.headers["Last-Modified"] == last_modified

    def test_if_none_match_gives_304(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review()
        etag = client.get(f"/v1/reviews/{review['id']}/claimreview").headers["ETag"]
        cached = client.get(
            f"/v1/reviews/{review['id']}/claimreview", headers={"If-None-Match": etag}
        )
        assert cached.status_code == 304
        assert cached.content == b""
        assert cached.headers["ETag"] == etag
        other = client.get(
            f"/v1/reviews/{review['id']}/claimreview", headers={"If-None-Match": '"nope"'}
        )
        assert other.status_code == 200

    def test_stale_etag_gets_the_new_document(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        etag = client.get(f"/v1/reviews/{review['id']}/claimreview").headers["ETag"]
        client.patch(
            f"/v1/reviews/{review['id']}", json={"headline": "New"}, headers=auth(editor_key)
        )
        fresh = client.get(
            f"/v1/reviews/{review['id']}/claimreview", headers={"If-None-Match": etag}
        )
        assert fresh.status_code == 200
        assert fresh.json()["name"] == "New"

    def test_document_is_stored_rendered(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], db: Any
    ) -> None:
        from sqlalchemy import text

        review = make_review()
        served = client.get(f"/v1/reviews/{review['id']}/claimreview").content
        with db.engine.connect() as connection:
            stored = connection.execute(
                text("SELECT jsonld FROM review WHERE id = :id"), {"id": review["id"]}
            ).scalar_one()
        assert bytes(stored) == served


class TestFastPath:
    def test_fast_path_answers_exactly_as_the_route(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        """A plain GET is answered by the SQLite fast path; one with If-None-Match goes
        through the route. Both must say the same thing."""
        review = make_review()
        fast = client.get(
            f"/v1/reviews/{review['id']}/claimreview", headers={"Origin": "https://a.example"}
        )
        routed = client.get(
            f"/v1/reviews/{review['id']}/claimreview",
            headers={"Origin": "https://a.example", "If-None-Match": '"other"'},
        )
        assert fast.status_code == routed.status_code == 200
        assert fast.content == routed.content
        for header in (
            "content-type",
            "etag",
            "last-modified",
            "cache-control",
            "access-control-allow-origin",
        ):
            assert fast.headers[header] == routed.headers[header], header
