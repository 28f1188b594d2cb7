"""claims.imageSearch through Google's own client: the claims that circulated as an image, by
the image's normalised URL among their appearances."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from googleapiclient.discovery import Resource
from googleapiclient.errors import HttpError

from tests.conftest import auth

IMAGE = "https://cdn.example/img/hoax.jpg"


@pytest.fixture
def seen_as_image(
    client: httpx.Client,
    make_publisher: Callable[..., str],
    make_key: Callable[..., str],
    editor_key: str,
) -> dict[str, dict[str, Any]]:
    """Two claims seen as the same image under two spellings of its URL (reviewed in English
    by verifact, in French by lecheck), one seen elsewhere, one reviewed only in a draft."""
    make_publisher("lecheck", name="Le Check", sites=["lecheck.example"], languages=["fr"])
    lecheck = make_key("editor", "lecheck")

    def review(key: str, url: str, text: str, language: str, image: str, **extra: Any) -> Any:
        body = {
            "url": url,
            "language": language,
            "rating": {"label": "False" if language == "en" else "Faux"},
            "status": "published",
            "date_published": "2024-02-01T00:00:00Z",
            "claim": {"text": text, "language": language, "appearances": [{"url": image}]},
            **extra,
        }
        response = client.post("/v1/reviews", json=body, headers=auth(key))
        assert response.status_code == 201, response.text
        return response.json()

    return {
        "english": review(
            editor_key,
            "https://verifact.example/checks/shark",
            "A shark swims on a flooded highway",
            "en",
            IMAGE + "?utm_source=facebook",
        ),
        "french": review(
            lecheck,
            "https://lecheck.example/requin",
            "Un requin nage sur une autoroute inondée",
            "fr",
            "http://www.cdn.example/img/hoax.jpg",
        ),
        "elsewhere": review(
            editor_key,
            "https://verifact.example/checks/other",
            "Another picture entirely",
            "en",
            "https://cdn.example/img/other.jpg",
        ),
        "draft": review(
            editor_key,
            "https://verifact.example/checks/draft",
            "A draft about the same picture",
            "en",
            IMAGE,
            status="draft",
        ),
    }


def image_search(api: Resource, **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = api.claims().imageSearch(**params).execute()
    return result


class TestImageSearch:
    def test_claims_seen_as_the_image_newest_first(
        self, google_api: Callable[..., Resource], seen_as_image: dict[str, Any]
    ) -> None:
        body = image_search(google_api(), imageUri=IMAGE)
        assert set(body) == {"results"}
        claims = [r["claim"] for r in body["results"]]
        assert [c["text"] for c in claims] == [
            "Un requin nage sur une autoroute inondée",
            "A shark swims on a flooded highway",
        ]
        assert claims[1]["claimReview"] == [
            {
                "publisher": {"name": "Verifact", "site": "verifact.example"},
                "url": "https://verifact.example/checks/shark",
                "reviewDate": "2024-02-01T00:00:00Z",
                "textualRating": "False",
                "languageCode": "en",
            }
        ]

    def test_language_code_keeps_claims_with_a_review_in_it(
        self, google_api: Callable[..., Resource], seen_as_image: dict[str, Any]
    ) -> None:
        body = image_search(google_api(), imageUri=IMAGE, languageCode="fr-CA")
        assert [r["claim"]["claimReview"][0]["url"] for r in body["results"]] == [
            "https://lecheck.example/requin"
        ]

    def test_pages_by_token_and_by_offset(
        self, google_api: Callable[..., Resource], seen_as_image: dict[str, Any]
    ) -> None:
        api = google_api()
        request = api.claims().imageSearch(imageUri=IMAGE, pageSize=1)
        pages = []
        while request is not None:
            response = request.execute()
            pages.append([r["claim"]["text"] for r in response["results"]])
            request = api.claims().imageSearch_next(request, response)
        assert pages == [
            ["Un requin nage sur une autoroute inondée"],
            ["A shark swims on a flooded highway"],
        ]
        second = image_search(api, imageUri=IMAGE, pageSize=1, offset=1)
        assert [r["claim"]["text"] for r in second["results"]] == pages[1]
        assert "nextPageToken" not in second

    def test_fields_selects_within_results(
        self, google_api: Callable[..., Resource], seen_as_image: dict[str, Any]
    ) -> None:
        body = image_search(google_api(), imageUri=IMAGE, fields="results.claim.text")
        assert body == {
            "results": [
                {"claim": {"text": "Un requin nage sur une autoroute inondée"}},
                {"claim": {"text": "A shark swims on a flooded highway"}},
            ]
        }

    def test_an_image_nobody_checked_has_no_results(
        self, google_api: Callable[..., Resource], seen_as_image: dict[str, Any]
    ) -> None:
        assert image_search(google_api(), imageUri="https://cdn.example/new.png") == {"results": []}

    def test_markup_with_an_image_object_is_found(
        self, client: httpx.Client, google_api: Callable[..., Resource], editor_key: str
    ) -> None:
        markup = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": "https://verifact.example/checks/flood-photo",
            "claimReviewed": "This photo shows the 2024 flood",
            "datePublished": "2024-05-01",
            "inLanguage": "en",
            "author": {
                "@type": "Organization",
                "name": "Verifact",
                "url": "https://verifact.example/",
            },
            "reviewRating": {"@type": "Rating", "alternateName": "Miscaptioned"},
            "itemReviewed": {
                "@type": "Claim",
                "appearance": {
                    "@type": "ImageObject",
                    "contentUrl": "https://img.example/flood.webp",
                },
            },
        }
        response = client.post("/v1/import", json=markup, headers=auth(editor_key))
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 1
        body = image_search(google_api(), imageUri="https://img.example/flood.webp")
        assert [r["claim"]["text"] for r in body["results"]] == ["This photo shows the 2024 flood"]
        review = body["results"][0]["claim"]["claimReview"][0]
        assert review["textualRating"] == "Miscaptioned"


class TestImageSearchErrors:
    @pytest.mark.parametrize(
        ("params", "says"),
        [
            ({}, "Invalid imageUri: Field required"),
            ({"imageUri": "not a url"}, "Invalid imageUri: URL has no scheme"),
            ({"imageUri": "ftp://cdn.example/a.jpg"}, "Invalid imageUri: URL scheme 'ftp'"),
            ({"imageUri": IMAGE, "pageToken": "forged"}, "Invalid pageToken: invalid page token"),
            ({"imageUri": IMAGE, "pageSize": -1}, "Invalid pageSize: "),
            ({"imageUri": IMAGE, "fields": "claims"}, "Invalid fields: unknown field claims"),
        ],
    )
    def test_bad_parameters_are_invalid_argument(
        self, google_api: Callable[..., Resource], params: dict[str, Any], says: str
    ) -> None:
        with pytest.raises(HttpError) as raised:
            image_search(google_api(), **params)
        assert raised.value.status_code == 400
        assert raised.value.reason.startswith(says)

    def test_a_page_token_of_another_image_is_refused(
        self, google_api: Callable[..., Resource], seen_as_image: dict[str, Any]
    ) -> None:
        api = google_api()
        token = image_search(api, imageUri=IMAGE, pageSize=1)["nextPageToken"]
        with pytest.raises(HttpError) as raised:
            image_search(api, imageUri="https://cdn.example/img/other.jpg", pageToken=token)
        assert raised.value.status_code == 400
        assert raised.value.reason == "Invalid pageToken: used with different filters"


class TestReadCache:
    def test_a_cached_answer_gives_way_to_a_new_claim(
        self,
        client: httpx.Client,
        google_api: Callable[..., Resource],
        seen_as_image: dict[str, Any],
        editor_key: str,
    ) -> None:
        api = google_api()
        before = image_search(api, imageUri=IMAGE, fields="results.claim.text")
        assert image_search(api, imageUri=IMAGE, fields="results.claim.text") == before
        body = {
            "url": "https://verifact.example/checks/shark-again",
            "rating": {"label": "False"},
            "status": "published",
            "claim": {
                "text": "The flooded highway shark is back",
                "language": "en",
                "appearances": [{"url": IMAGE}],
            },
        }
        assert client.post("/v1/reviews", json=body, headers=auth(editor_key)).status_code == 201
        after = image_search(api, imageUri=IMAGE, fields="results.claim.text")
        assert after["results"][0] == {"claim": {"text": "The flooded highway shark is back"}}
        assert after["results"][1:] == before["results"]
