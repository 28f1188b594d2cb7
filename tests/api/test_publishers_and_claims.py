"""Publishers and claims as API.md names them."""

from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import auth


class TestPublishers:
    def test_admin_creates_and_anyone_reads(self, client: httpx.Client, admin_key: str) -> None:
        body = {
            "id": "afp-factuel",
            "name": "AFP Factuel",
            "url": "https://factuel.afp.com/",
            "sites": ["factuel.afp.com", "FactCheck.AFP.com"],
            "languages": ["fr", "en"],
        }
        created = client.post("/v1/publishers", json=body, headers=auth(admin_key))
        assert created.status_code == 201, created.text
        assert created.json()["sites"] == ["factuel.afp.com", "factcheck.afp.com"]
        fetched = client.get("/v1/publishers/afp-factuel").json()
        assert fetched["name"] == "AFP Factuel"
        assert fetched["review_count"] == 0
        assert fetched["first_review_at"] is None
        assert [p["id"] for p in client.get("/v1/publishers").json()["publishers"]] == [
            "afp-factuel"
        ]

    def test_counts_and_dates_cover_published_reviews_only(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        make_review(date_published="2020-01-01T00:00:00Z")
        make_review(date_published="2022-06-01T00:00:00Z")
        make_review(status="draft", date_published="2023-01-01T00:00:00Z")
        retracted = make_review(date_published="2024-01-01T00:00:00Z")
        client.patch(
            f"/v1/reviews/{retracted['id']}", json={"status": "retracted"}, headers=auth(editor_key)
        )
        publisher = client.get("/v1/publishers/verifact").json()
        assert publisher["review_count"] == 2
        assert publisher["first_review_at"] == "2020-01-01T00:00:00Z"
        assert publisher["last_review_at"] == "2022-06-01T00:00:00Z"

    def test_duplicate_id_or_site_is_a_conflict(
        self, client: httpx.Client, admin_key: str, publisher: str
    ) -> None:
        again = client.post(
            "/v1/publishers", json={"id": publisher, "name": "Again"}, headers=auth(admin_key)
        )
        assert again.status_code == 409
        site = client.post(
            "/v1/publishers",
            json={"id": "thief", "name": "Thief", "sites": ["verifact.example"]},
            headers=auth(admin_key),
        )
        assert site.status_code == 409
        assert site.json()["errors"][0]["field"] == "sites"

    def test_bad_slug_and_host_are_422(self, client: httpx.Client, admin_key: str) -> None:
        response = client.post(
            "/v1/publishers",
            json={"id": "Not A Slug", "name": "x", "sites": ["not a host"]},
            headers=auth(admin_key),
        )
        assert response.status_code == 422
        assert {e["field"] for e in response.json()["errors"]} == {"id", "sites.0"}

    def test_unknown_publisher_is_404(self, client: httpx.Client) -> None:
        response = client.get("/v1/publishers/nobody")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert "nobody" in response.json()["detail"]


class TestClaims:
    def test_create_and_read_claim(self, client: httpx.Client, editor_key: str) -> None:
        body = {
            "text": "Le vaccin contient une puce",
            "language": "FR",
            "claimant": {"name": "Une page Facebook", "type": "Organization"},
            "claim_date": "2021-05-01",
            "appearances": [
                {
                    "url": "https://www.facebook.com/page/posts/1",
                    "archived_url": "https://web.archive.org/web/1/x",
                }
            ],
            "first_appearance": {"url": "https://www.facebook.com/page/posts/1"},
        }
        created = client.post("/v1/claims", json=body, headers=auth(editor_key))
        assert created.status_code == 201, created.text
        claim = client.get(f"/v1/claims/{created.json()['id']}", headers=auth(editor_key)).json()
        assert claim["language"] == "fr"
        assert claim["claimant"] == {
            "name": "Une page Facebook",
            "type": "Organization",
            "url": None,
        }
        assert claim["claim_date"] == "2021-05-01T00:00:00Z"
        assert claim["appearances"] == body["appearances"]
        assert claim["first_appearance"] == {"url": "https://www.facebook.com/page/posts/1"}
        assert claim["reviews"] == []

    def test_patch_replaces_appearances_and_clears_claimant(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        response = client.patch(
            f"/v1/claims/{review['claim_id']}",
            json={"claimant": None, "appearances": [{"url": "https://t.me/channel/5"}]},
            headers=auth(editor_key),
        )
        assert response.status_code == 200, response.text
        claim = response.json()
        assert claim["claimant"] is None
        assert [a["url"] for a in claim["appearances"]] == ["https://t.me/channel/5"]

    def test_shared_claim_needs_an_admin(
        self,
        client: httpx.Client,
        make_review: Callable[..., dict[str, Any]],
        make_publisher: Callable[..., str],
        make_key: Callable[..., str],
        editor_key: str,
        admin_key: str,
    ) -> None:
        review = make_review()
        make_publisher("other", sites=["other.example"])
        other = make_key("editor", "other")
        body = {
            "claim_id": review["claim_id"],
            "url": "https://other.example/1",
            "rating": {"label": "False"},
        }
        assert client.post("/v1/reviews", json=body, headers=auth(other)).status_code == 201
        refused = client.patch(
            f"/v1/claims/{review['claim_id']}", json={"text": "x"}, headers=auth(editor_key)
        )
        assert refused.status_code == 403
        assert "other" in refused.json()["detail"]
        allowed = client.patch(
            f"/v1/claims/{review['claim_id']}", json={"text": "x"}, headers=auth(admin_key)
        )
        assert allowed.status_code == 200

    def test_claim_with_reviews_cannot_be_deleted(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        response = client.delete(f"/v1/claims/{review['claim_id']}", headers=auth(editor_key))
        assert response.status_code == 409
        assert client.get(f"/v1/claims/{review['claim_id']}").status_code == 200
        client.delete(f"/v1/reviews/{review['id']}", headers=auth(editor_key))
        assert (
            client.delete(f"/v1/claims/{review['claim_id']}", headers=auth(editor_key)).status_code
            == 204
        )
        assert client.get(f"/v1/claims/{review['claim_id']}").status_code == 410
