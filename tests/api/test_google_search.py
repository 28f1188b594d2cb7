"""GET /v1alpha1/claims:search answers like Google's Fact Check Tools API."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import load_json


class TestGoogleShape:
    def test_reference_example_field_by_field(
        self, client: httpx.Client, netflix: dict[str, Any]
    ) -> None:
        expected = load_json("examples/netflix-binge-watch-hoax.google-claims-search.json")
        response = client.get(
            "/v1alpha1/claims:search", params={"query": "Netflix abonné", "languageCode": "fr-FR"}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"claims"}
        assert len(body["claims"]) == 1
        claim, want = body["claims"][0], expected["claims"][0]
        assert set(claim) == set(want)
        for field in ("text", "claimant", "claimDate"):
            assert claim[field] == want[field], field
        review, want_review = claim["claimReview"][0], want["claimReview"][0]
        assert set(review) == set(want_review)
        for field in ("publisher", "url", "title", "reviewDate", "textualRating", "languageCode"):
            assert review[field] == want_review[field], field

    def test_query_is_required_without_site_filter(self, client: httpx.Client) -> None:
        response = client.get("/v1alpha1/claims:search")
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/json"
        error = response.json()["error"]
        assert error["code"] == 400
        assert error["status"] == "INVALID_ARGUMENT"
        assert error["message"] == "Invalid query: required without reviewPublisherSiteFilter"

    def test_site_filter_alone_lists_that_publishers_claims(
        self,
        client: httpx.Client,
        netflix: dict[str, Any],
        publish: Callable[..., dict[str, Any]],
    ) -> None:
        publish("Something else entirely")
        body = client.get(
            "/v1alpha1/claims:search", params={"reviewPublisherSiteFilter": "journaldugeek.com"}
        ).json()
        assert [c["claimReview"][0]["url"] for c in body["claims"]] == [netflix["url"]]

    def test_page_token_and_offset(
        self, client: httpx.Client, publish: Callable[..., dict[str, Any]]
    ) -> None:
        for i in range(5):
            publish(f"Hoax number {i}", date_published=f"2024-01-0{i + 1}T00:00:00Z")
        first = client.get(
            "/v1alpha1/claims:search", params={"query": "hoax", "pageSize": 2}
        ).json()
        assert len(first["claims"]) == 2
        second = client.get(
            "/v1alpha1/claims:search",
            params={"query": "hoax", "pageSize": 2, "pageToken": first["nextPageToken"]},
        ).json()
        by_offset = client.get(
            "/v1alpha1/claims:search", params={"query": "hoax", "pageSize": 2, "offset": 2}
        ).json()
        assert [c["text"] for c in second["claims"]] == [c["text"] for c in by_offset["claims"]]
        assert {c["text"] for c in first["claims"]}.isdisjoint(c["text"] for c in second["claims"])

    @pytest.mark.parametrize(
        ("params", "named"),
        [
            ({"query": "x", "pageSize": -1}, "pageSize"),
            ({"query": "x", "pageSize": 2**31}, "pageSize"),
            ({"query": "x", "maxAgeDays": -1}, "maxAgeDays"),
            ({"query": "x", "offset": -3}, "offset"),
            ({"query": "x", "languageCode": "not a language"}, "languageCode"),
            ({"query": "x", "pageToken": "forged.token"}, "pageToken"),
        ],
    )
    def test_bad_parameters_are_invalid_argument_naming_them(
        self, client: httpx.Client, params: dict[str, Any], named: str
    ) -> None:
        response = client.get("/v1alpha1/claims:search", params=params)
        assert response.status_code == 400
        error = response.json()["error"]
        assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
        assert error["message"].startswith(f"Invalid {named}: ")
        violations = error["details"][0]["fieldViolations"]
        assert [v["field"] for v in violations] == [named]
