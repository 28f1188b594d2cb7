"""claims.search through Google's own client: every parameter the discovery document declares,
with Google's semantics, `fields=` partial responses, and errors as Google's HttpError."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from googleapiclient.discovery import Resource
from googleapiclient.errors import HttpError

from tests.conftest import auth

Publish = Callable[..., dict[str, Any]]


@pytest.fixture
def two_publishers(
    client: httpx.Client,
    make_publisher: Callable[..., str],
    make_key: Callable[..., str],
    editor_key: str,
) -> Callable[..., dict[str, Any]]:
    """review(publisher, claim_text, claim_language, review_language, ...) by `verifact`
    (verifact.example) or `lecheck` (www.lecheck.example); a second review of the same text
    and language reviews the same claim."""
    make_publisher("lecheck", name="Le Check", sites=["lecheck.example"], languages=["fr"])
    keys = {"verifact": editor_key, "lecheck": make_key("editor", "lecheck")}
    hosts = {"verifact": "verifact.example", "lecheck": "www.lecheck.example"}
    counter = iter(range(1, 10_000))
    claims: dict[tuple[str, str], int] = {}

    def review(
        publisher: str,
        text: str,
        claim_language: str,
        language: str,
        label: str = "False",
        date_published: str = "2024-01-01T00:00:00Z",
        **claim: Any,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "url": f"https://{hosts[publisher]}/checks/{next(counter)}",
            "headline": f"{label}: {text}",
            "language": language,
            "rating": {"label": label},
            "status": "published",
            "date_published": date_published,
        }
        known = claims.get((text, claim_language))
        if known is None:
            body["claim"] = {"text": text, "language": claim_language, **claim}
        else:
            body["claim_id"] = known
        response = client.post("/v1/reviews", json=body, headers=auth(keys[publisher]))
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        claims[(text, claim_language)] = created["claim_id"]
        return created

    return review


def search(api: Resource, **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = api.claims().search(**params).execute()
    return result


class TestLanguageCode:
    def test_finds_an_english_review_of_a_french_claim_listing_only_it(
        self, google_api: Callable[..., Resource], two_publishers: Callable[..., Any]
    ) -> None:
        english = two_publishers("verifact", "Le vaccin contient une puce 5G", "fr", "en")
        french = two_publishers("lecheck", "Le vaccin contient une puce 5G", "fr", "fr", "Faux")
        assert english["claim_id"] == french["claim_id"]
        api = google_api()
        body = search(api, query="vaccin puce", languageCode="en")
        assert [c["text"] for c in body["claims"]] == ["Le vaccin contient une puce 5G"]
        reviews = body["claims"][0]["claimReview"]
        assert [(r["url"], r["languageCode"]) for r in reviews] == [(english["url"], "en")]
        regional = search(api, query="vaccin puce", languageCode="en-GB")
        assert regional == body
        body = search(api, query="vaccin puce", languageCode="fr-FR")
        reviews = body["claims"][0]["claimReview"]
        assert [(r["url"], r["textualRating"]) for r in reviews] == [(french["url"], "Faux")]

    def test_a_claim_in_the_language_without_a_review_in_it_is_left_out(
        self, google_api: Callable[..., Resource], two_publishers: Callable[..., Any]
    ) -> None:
        two_publishers("lecheck", "The moon landing was staged", "en", "fr")
        api = google_api()
        assert search(api, query="moon landing", languageCode="en")["claims"] == []
        assert len(search(api, query="moon landing", languageCode="fr")["claims"]) == 1


class TestReviewPublisherSiteFilter:
    def test_lists_only_that_publishers_reviews(
        self, google_api: Callable[..., Resource], two_publishers: Callable[..., Any]
    ) -> None:
        two_publishers("verifact", "Garlic cures the flu", "en", "en")
        theirs = two_publishers("lecheck", "Garlic cures the flu", "en", "fr", "Faux")
        two_publishers("verifact", "Garlic repels vampires", "en", "en")
        api = google_api()
        body = search(api, query="garlic", reviewPublisherSiteFilter="lecheck.example")
        assert [c["text"] for c in body["claims"]] == ["Garlic cures the flu"]
        (review,) = body["claims"][0]["claimReview"]
        assert review["url"] == theirs["url"]
        assert review["publisher"] == {"name": "Le Check", "site": "lecheck.example"}
        alone = search(api, reviewPublisherSiteFilter="www.lecheck.example")
        assert alone["claims"] == body["claims"]
        everyone = search(api, query="garlic")
        assert sorted(len(c["claimReview"]) for c in everyone["claims"]) == [1, 2]

    def test_with_language_code_the_same_review_must_match_both(
        self, google_api: Callable[..., Resource], two_publishers: Callable[..., Any]
    ) -> None:
        two_publishers("verifact", "Garlic cures the flu", "en", "en")
        two_publishers("lecheck", "Garlic cures the flu", "en", "fr")
        api = google_api()
        mixed = search(
            api, query="garlic", reviewPublisherSiteFilter="verifact.example", languageCode="fr"
        )
        assert mixed["claims"] == []
        matched = search(
            api, query="garlic", reviewPublisherSiteFilter="verifact.example", languageCode="en"
        )
        assert [r["publisher"]["site"] for r in matched["claims"][0]["claimReview"]] == [
            "verifact.example"
        ]


class TestMaxAgeDays:
    def test_keeps_claims_whose_claim_or_review_date_is_newer(
        self, google_api: Callable[..., Resource], publish: Publish
    ) -> None:
        recent = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        publish("Tap water is poisoned this week", date_published=recent)
        publish("Tap water was poisoned long ago", date_published="2019-05-01T00:00:00Z")
        api = google_api()
        texts = [c["text"] for c in search(api, query="tap water", maxAgeDays=30)["claims"]]
        assert texts == ["Tap water is poisoned this week"]
        assert len(search(api, query="tap water", maxAgeDays=0)["claims"]) == 2
        assert len(search(api, query="tap water", maxAgeDays=2**31 - 1)["claims"]) == 2


class TestPaging:
    def test_page_size_page_token_and_offset(
        self, google_api: Callable[..., Resource], publish: Publish
    ) -> None:
        for i in range(12):
            publish(f"Hoax number {i}", date_published=f"2024-01-{i + 1:02d}T00:00:00Z")
        api = google_api()
        default = search(api, query="hoax", pageSize=0)
        assert len(default["claims"]) == 10
        assert "nextPageToken" in default
        seen = []
        request = api.claims().search(query="hoax", pageSize=5)
        while request is not None:
            response = request.execute()
            seen.append([c["text"] for c in response["claims"]])
            request = api.claims().search_next(request, response)
        assert [len(page) for page in seen] == [5, 5, 2]
        assert len({text for page in seen for text in page}) == 12
        by_offset = search(api, query="hoax", pageSize=5, offset=5)
        assert [c["text"] for c in by_offset["claims"]] == seen[1]
        capped = search(api, query="hoax", pageSize=1000)
        assert len(capped["claims"]) == 12
        assert "nextPageToken" not in capped

    def test_a_page_token_of_other_parameters_is_refused(
        self, google_api: Callable[..., Resource], publish: Publish
    ) -> None:
        for i in range(3):
            publish(f"Hoax number {i}")
        api = google_api()
        token = search(api, query="hoax", pageSize=1)["nextPageToken"]
        with pytest.raises(HttpError) as raised:
            search(api, query="hoax", pageSize=1, pageToken=token, languageCode="fr")
        assert raised.value.status_code == 400
        assert raised.value.reason.startswith("Invalid pageToken: ")


class TestFields:
    def test_partial_response_in_googles_syntax(
        self, google_api: Callable[..., Resource], publish: Publish
    ) -> None:
        created = publish("Bananas are radioactive", label="Half true")
        api = google_api()
        body = search(
            api, query="bananas", fields="claims(text,claimReview(url,textualRating)),nextPageToken"
        )
        assert body == {
            "claims": [
                {
                    "text": "Bananas are radioactive",
                    "claimReview": [{"url": created["url"], "textualRating": "Half true"}],
                }
            ]
        }
        assert search(api, query="bananas", fields="claims.text") == {
            "claims": [{"text": "Bananas are radioactive"}]
        }
        assert search(api, query="bananas", fields="claims/claimReview/publisher/site") == {
            "claims": [{"claimReview": [{"publisher": {"site": "verifact.example"}}]}]
        }

    @pytest.mark.parametrize(
        ("fields", "says"),
        [
            ("claims(text", "Invalid fields: missing ')' at position 11"),
            ("claims.txt", "Invalid fields: unknown field claims.txt"),
            ("results", "Invalid fields: unknown field results"),
        ],
    )
    def test_a_bad_selector_is_invalid_argument_naming_fields(
        self, google_api: Callable[..., Resource], fields: str, says: str
    ) -> None:
        with pytest.raises(HttpError) as raised:
            search(google_api(), query="bananas", fields=fields)
        assert raised.value.status_code == 400
        assert raised.value.reason == says
        (detail,) = raised.value.error_details
        assert detail["@type"] == "type.googleapis.com/google.rpc.BadRequest"
        assert detail["fieldViolations"][0]["field"] == "fields"

    def test_each_selector_is_cached_apart(self, client: httpx.Client, publish: Publish) -> None:
        publish("Bananas are radioactive")
        path = "/v1alpha1/claims:search"
        whole = client.get(path, params={"query": "bananas"}).json()
        text_only = client.get(path, params={"query": "bananas", "fields": "claims.text"}).json()
        again = client.get(path, params={"query": "bananas"}).json()
        assert text_only == {"claims": [{"text": "Bananas are radioactive"}]}
        assert whole == again
        assert set(whole["claims"][0]) == {"text", "claimReview"}


class TestErrors:
    def test_query_is_required_without_a_site_filter(
        self, google_api: Callable[..., Resource]
    ) -> None:
        with pytest.raises(HttpError) as raised:
            search(google_api(), languageCode="en")
        error = raised.value
        assert error.status_code == 400
        assert error.reason == "Invalid query: required without reviewPublisherSiteFilter"
        assert error.error_details == [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [
                    {"field": "query", "description": "required without reviewPublisherSiteFilter"}
                ],
            }
        ]

    @pytest.mark.parametrize(
        ("params", "named"),
        [
            ({"query": "x", "pageSize": -5}, "pageSize"),
            ({"query": "x", "offset": -1}, "offset"),
            ({"query": "x", "maxAgeDays": -1}, "maxAgeDays"),
            ({"query": "x", "languageCode": "english please"}, "languageCode"),
            ({"query": "x", "pageToken": "not-a-token"}, "pageToken"),
            ({"query": "x" * 20_001}, "query"),
        ],
    )
    def test_bad_parameters_surface_as_http_error(
        self, google_api: Callable[..., Resource], params: dict[str, Any], named: str
    ) -> None:
        with pytest.raises(HttpError) as raised:
            search(google_api(), **params)
        assert raised.value.status_code == 400
        assert raised.value.reason.startswith(f"Invalid {named}: ")
        assert raised.value.error_details[0]["fieldViolations"][0]["field"] == named


class TestLongQueries:
    def test_a_url_over_2048_characters_goes_as_a_method_override_and_is_answered(
        self, google_api: Callable[..., Resource], publish: Publish
    ) -> None:
        publish("Bananas are radioactive")
        # Over 2,048 characters of URL, Google's client POSTs with X-HTTP-Method-Override: GET.
        long_query = "Bananas are radioactive, says a post shared thousands of times. " * 40
        body = search(google_api(), query=long_query, fields="claims.text")
        assert body == {"claims": [{"text": "Bananas are radioactive"}]}

    def test_an_override_to_another_method_is_not_taken(self, client: httpx.Client) -> None:
        response = client.post(
            "/v1alpha1/claims:search",
            content=b"query=bananas",
            headers={
                "X-HTTP-Method-Override": "DELETE",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        assert response.status_code == 405
        assert response.json()["error"]["status"] == "NOT_FOUND"


class TestWithAKey:
    def test_the_client_sends_a_key_as_a_bearer_token(
        self, google_api: Callable[..., Resource], publish: Publish, editor_key: str
    ) -> None:
        publish("Bananas are radioactive")
        api = google_api(editor_key)
        request = api.claims().search(query="bananas", fields="claims.text")
        assert request.http.credentials.token == editor_key
        assert "key=" not in request.uri
        assert request.execute() == {"claims": [{"text": "Bananas are radioactive"}]}
