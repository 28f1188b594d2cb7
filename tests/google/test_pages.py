"""Google's ClaimReview Markup API (`pages`) driven through Google's own client: a page is the
reviews at its URL, so what it writes shows in the native API, lookups and the change log, and
what they write shows in it."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from googleapiclient.discovery import Resource
from googleapiclient.errors import HttpError
from sqlalchemy import text

from app.domain.pages import page_name, page_url_key
from app.storage.database import Database
from tests.conftest import auth, review_body

PAGE = "https://verifact.example/checks/moon-and-sun"
Api = Callable[..., Resource]


def markup(claim: str, rating: str = "False", url: str = PAGE) -> dict[str, Any]:
    return {
        "url": url,
        "claimReviewed": claim,
        "claimDate": "2024-03-01",
        "claimAppearances": ["https://x.com/someone/status/1"],
        "claimAuthor": {"name": "A viral post"},
        "rating": {
            "textualRating": rating,
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "ratingExplanation": "No evidence.",
        },
    }


def page_body(*markups: dict[str, Any], url: str = PAGE, **extra: Any) -> dict[str, Any]:
    return {
        "pageUrl": url,
        "publishDate": "2024-03-05",
        "claimReviewAuthor": {"name": "Verifact"},
        "claimReviewMarkups": list(markups),
        **extra,
    }


def refused(call: Any, status: int, name: str) -> str:
    """The Google error a client call raises: its HTTP status, google.rpc status and message."""
    with pytest.raises(HttpError) as caught:
        call.execute()
    assert caught.value.resp.status == status
    assert caught.value.status_code == status
    body = caught.value.content.decode()
    assert f'"status": "{name}"' in body or f'"status":"{name}"' in body, body
    return str(caught.value.reason)


def lookup(client: httpx.Client, url: str = PAGE) -> list[dict[str, Any]]:
    response = client.get("/v1/lookup", params={"url": url})
    assert response.status_code == 200, response.text
    return sorted(response.json()["matches"][url], key=lambda m: m["id"])


def claims_of(page: dict[str, Any]) -> list[str]:
    return sorted(m["claimReviewed"] for m in page["claimReviewMarkups"])


def changes(db: Database) -> list[tuple[str, int]]:
    with db.engine.connect() as connection:
        rows = connection.execute(text('SELECT type, review_id FROM "change" ORDER BY cursor'))
        return [(row[0], row[1]) for row in rows]


@pytest.fixture
def pages(google_api: Api, editor_key: str) -> Any:
    """The pages resource of Google's client with the verifact editor's key."""
    return google_api(editor_key).pages()


@pytest.fixture
def created(pages: Any) -> dict[str, Any]:
    body = page_body(markup("The moon is made of cheese"), markup("The sun is cold", "Wrong"))
    page: dict[str, Any] = pages.create(body=body).execute()
    return page


class TestCreate:
    def test_a_page_with_two_markups_is_two_reviews_everywhere(
        self, client: httpx.Client, created: dict[str, Any]
    ) -> None:
        assert created["name"].startswith("pages/")
        assert created["pageUrl"] == PAGE
        assert created["publishDate"] == "2024-03-05"
        assert created["claimReviewAuthor"] == {"name": "Verifact"}
        assert created["versionId"]
        assert claims_of(created) == ["The moon is made of cheese", "The sun is cold"]
        moon = next(
            m for m in created["claimReviewMarkups"] if m["claimReviewed"].startswith("The moon")
        )
        assert moon["rating"] == markup("x")["rating"] | {"textualRating": "False"}
        assert moon["claimAuthor"] == {"name": "A viral post"}
        assert moon["claimAppearances"] == ["https://x.com/someone/status/1"]
        assert moon["claimDate"] == "2024-03-01"

        matches = lookup(client)
        assert len(matches) == 2
        labels = set()
        for match in matches:
            review = client.get(f"/v1/reviews/{match['id']}").json()
            assert review["url"] == PAGE
            assert review["status"] == "published"
            labels.add(review["rating"]["label"])
            jsonld = client.get(f"/v1/reviews/{match['id']}/claimreview").json()
            assert jsonld["url"] == PAGE
            assert jsonld["claimReviewed"] in {"The moon is made of cheese", "The sun is cold"}
        assert labels == {"False", "Wrong"}

    def test_creating_it_again_is_already_exists(self, pages: Any, created: dict[str, Any]) -> None:
        refused(pages.create(body=page_body(markup("Another claim"))), 409, "ALREADY_EXISTS")
        assert claims_of(pages.get(name=created["name"]).execute()) == [
            "The moon is made of cheese",
            "The sun is cold",
        ]

    def test_a_markup_without_rating_names_its_field(self, pages: Any) -> None:
        bad = markup("The moon is made of cheese")
        del bad["rating"]
        message = refused(pages.create(body=page_body(bad)), 400, "INVALID_ARGUMENT")
        assert "claimReviewMarkups[0].rating" in message

    def test_no_markup_or_no_url_is_invalid_argument(self, pages: Any) -> None:
        assert "claimReviewMarkups" in refused(
            pages.create(body=page_body()), 400, "INVALID_ARGUMENT"
        )
        assert "pageUrl" in refused(
            pages.create(body={"claimReviewMarkups": [markup("x")]}), 400, "INVALID_ARGUMENT"
        )

    def test_without_a_key_it_is_unauthenticated(
        self, google_api: Api, client: httpx.Client
    ) -> None:
        refused(google_api().pages().create(body=page_body(markup("x"))), 401, "UNAUTHENTICATED")
        assert lookup(client) == []

    def test_on_another_publishers_site_it_is_permission_denied(
        self, pages: Any, make_publisher: Callable[..., str], client: httpx.Client
    ) -> None:
        make_publisher("otherfacts")
        body = page_body(
            markup("x", url="https://otherfacts.example/a"), url="https://otherfacts.example/a"
        )
        refused(pages.create(body=body), 403, "PERMISSION_DENIED")
        assert lookup(client, "https://otherfacts.example/a") == []

    def test_an_admin_creates_a_page_for_the_publisher_of_its_site(
        self, google_api: Api, admin_key: str, publisher: str, client: httpx.Client
    ) -> None:
        page = google_api(admin_key).pages().create(body=page_body(markup("x"))).execute()
        assert page["claimReviewAuthor"]["name"] == "Verifact"
        [match] = lookup(client)
        assert client.get(f"/v1/reviews/{match['id']}").json()["publisher_id"] == publisher


class TestGetAndList:
    def test_get_returns_what_create_returned(self, pages: Any, created: dict[str, Any]) -> None:
        assert pages.get(name=created["name"]).execute() == created

    def test_fields_selects_part_of_the_page(self, pages: Any, created: dict[str, Any]) -> None:
        part = pages.get(
            name=created["name"], fields="pageUrl,claimReviewMarkups/rating/textualRating"
        ).execute()
        assert part == {
            "pageUrl": PAGE,
            "claimReviewMarkups": [
                {"rating": {"textualRating": m["rating"]["textualRating"]}}
                for m in created["claimReviewMarkups"]
            ],
        }
        listed = pages.list(url=PAGE, fields="claimReviewMarkupPages(name)").execute()
        assert listed == {"claimReviewMarkupPages": [{"name": created["name"]}]}
        refused(pages.get(name=created["name"], fields="nope"), 400, "INVALID_ARGUMENT")

    def test_an_unknown_page_is_not_found(self, pages: Any) -> None:
        refused(pages.get(name="pages/dmVyaWZhY3QuZXhhbXBsZS9ub3RoaW5n"), 404, "NOT_FOUND")
        refused(pages.get(name="pages/%%%"), 404, "NOT_FOUND")

    def test_reads_need_a_key_as_googles_do(self, google_api: Api, created: dict[str, Any]) -> None:
        refused(google_api().pages().get(name=created["name"]), 401, "UNAUTHENTICATED")
        refused(google_api().pages().list(url=PAGE), 401, "UNAUTHENTICATED")

    def test_any_key_reads_a_published_page(
        self, google_api: Api, make_key: Callable[..., str], created: dict[str, Any]
    ) -> None:
        reader = google_api(make_key("importer")).pages()
        assert (
            reader.get(name=created["name"]).execute()["claimReviewMarkups"]
            == created["claimReviewMarkups"]
        )

    def test_list_by_url_finds_at_most_the_one_page(
        self, pages: Any, created: dict[str, Any]
    ) -> None:
        assert pages.list(url=PAGE).execute() == {"claimReviewMarkupPages": [created]}
        assert pages.list(url="https://verifact.example/none").execute() == {
            "claimReviewMarkupPages": []
        }
        assert (
            pages.list(url=PAGE + "?utm_source=x").execute()["claimReviewMarkupPages"][0]["name"]
            == created["name"]
        )

    def test_list_by_organization_pages_through_with_list_next(
        self,
        pages: Any,
        make_publisher: Callable[..., str],
        make_key: Callable[..., str],
        google_api: Api,
    ) -> None:
        urls = [f"https://www.verifact.example/p/{i}" for i in range(5)]
        for url in urls:
            pages.create(body=page_body(markup(f"Claim at {url}", url=url), url=url)).execute()
        make_publisher("otherfacts")
        other = google_api(make_key("editor", "otherfacts")).pages()
        elsewhere = "https://otherfacts.example/p"
        other.create(body=page_body(markup("Theirs", url=elsewhere), url=elsewhere)).execute()

        seen: list[str] = []
        request = pages.list(organization="verifact.example", pageSize=2)
        sizes = []
        while request is not None:
            response = request.execute()
            sizes.append(len(response["claimReviewMarkupPages"]))
            seen += [p["pageUrl"] for p in response["claimReviewMarkupPages"]]
            request = pages.list_next(request, response)
        assert sizes == [2, 2, 1]
        assert sorted(seen) == urls
        by_url = pages.list(organization="https://www.verifact.example/anything").execute()
        assert [p["pageUrl"] for p in by_url["claimReviewMarkupPages"]] == seen[:10]
        skipped = pages.list(organization="verifact.example", offset=3).execute()
        assert [p["pageUrl"] for p in skipped["claimReviewMarkupPages"]] == seen[3:]
        theirs = pages.list(organization="otherfacts.example").execute()
        assert [p["pageUrl"] for p in theirs["claimReviewMarkupPages"]] == [elsewhere]
        assert pages.list(organization="nobody.example").execute() == {"claimReviewMarkupPages": []}

    def test_a_token_of_another_listing_is_invalid_argument(
        self,
        pages: Any,
        make_publisher: Callable[..., str],
        make_key: Callable[..., str],
        google_api: Api,
    ) -> None:
        for i in range(3):
            url = f"https://verifact.example/p/{i}"
            pages.create(body=page_body(markup("Claim", url=url), url=url)).execute()
        token = pages.list(organization="verifact.example", pageSize=1).execute()["nextPageToken"]
        make_publisher("otherfacts")
        message = refused(
            pages.list(organization="otherfacts.example", pageToken=token), 400, "INVALID_ARGUMENT"
        )
        assert "pageToken" in message
        refused(
            pages.list(organization="verifact.example", pageToken="forged.x"),
            400,
            "INVALID_ARGUMENT",
        )

    def test_list_needs_url_or_organization(self, pages: Any) -> None:
        assert "url" in refused(pages.list(), 400, "INVALID_ARGUMENT")


class TestOneThingWithTheNativeApi:
    def test_a_review_written_natively_is_on_the_page(
        self, client: httpx.Client, editor_key: str, pages: Any, created: dict[str, Any]
    ) -> None:
        body = review_body(url=PAGE, claim={"text": "Water is dry", "language": "en"})
        assert client.post("/v1/reviews", json=body, headers=auth(editor_key)).status_code == 201
        page = pages.get(name=created["name"]).execute()
        assert claims_of(page) == ["The moon is made of cheese", "The sun is cold", "Water is dry"]
        assert page["versionId"] != created["versionId"]
        assert pages.list(url=PAGE).execute()["claimReviewMarkupPages"] == [page]

    def test_a_draft_shows_to_its_publishers_keys_only(
        self,
        client: httpx.Client,
        editor_key: str,
        pages: Any,
        google_api: Api,
        make_key: Callable[..., str],
    ) -> None:
        body = review_body(url=PAGE, status="draft")
        assert client.post("/v1/reviews", json=body, headers=auth(editor_key)).status_code == 201
        [page] = pages.list(organization="verifact.example").execute()["claimReviewMarkupPages"]
        assert claims_of(page) == ["The moon is made of cheese"]
        outsider = google_api(make_key("importer")).pages()
        refused(outsider.get(name=page["name"]), 404, "NOT_FOUND")
        assert outsider.list(organization="verifact.example").execute() == {
            "claimReviewMarkupPages": []
        }

    def test_imported_markup_at_the_url_is_on_the_page(
        self, client: httpx.Client, editor_key: str, pages: Any, created: dict[str, Any]
    ) -> None:
        jsonld = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": PAGE,
            "claimReviewed": "Bananas are blue",
            "datePublished": "2024-03-06",
            "author": {
                "@type": "Organization",
                "name": "Verifact",
                "url": "https://verifact.example/",
            },
            "reviewRating": {"@type": "Rating", "alternateName": "False"},
        }
        response = client.post("/v1/import", json=jsonld, headers=auth(editor_key))
        assert response.status_code == 200, response.text
        assert "Bananas are blue" in claims_of(pages.get(name=created["name"]).execute())


class TestUpdate:
    def test_put_with_the_current_version_replaces_the_page(
        self, client: httpx.Client, db: Database, pages: Any, created: dict[str, Any]
    ) -> None:
        before = {m["id"]: m for m in lookup(client)}
        body = page_body(
            markup("The moon is made of cheese", "Pants on fire"), versionId=created["versionId"]
        )
        updated = pages.update(name=created["name"], body=body).execute()
        assert [m["rating"]["textualRating"] for m in updated["claimReviewMarkups"]] == [
            "Pants on fire"
        ]
        assert updated["versionId"] != created["versionId"]
        assert updated["name"] == created["name"]
        [kept] = lookup(client)
        [dropped] = set(before) - {kept["id"]}
        assert client.get(f"/v1/reviews/{dropped}").json()["status"] == "retracted"
        assert ("review.retracted", dropped) in changes(db)
        assert pages.get(name=created["name"]).execute() == updated

    def test_a_stale_version_is_aborted_and_changes_nothing(
        self, client: httpx.Client, pages: Any, created: dict[str, Any]
    ) -> None:
        first = page_body(
            markup("The moon is made of cheese", "Mostly false"), versionId=created["versionId"]
        )
        current = pages.update(name=created["name"], body=first).execute()
        stale = page_body(markup("The sun is cold", "True"), versionId=created["versionId"])
        refused(pages.update(name=created["name"], body=stale), 409, "ABORTED")
        assert pages.get(name=created["name"]).execute() == current
        assert len(lookup(client)) == 1

    def test_an_update_of_no_page_or_another_url_is_refused(
        self, pages: Any, created: dict[str, Any]
    ) -> None:
        elsewhere = "https://verifact.example/checks/none"
        missing = page_name(page_url_key(created["name"]).replace("moon-and-sun", "none"))
        refused(
            pages.update(name=missing, body=page_body(markup("x", url=elsewhere), url=elsewhere)),
            404,
            "NOT_FOUND",
        )
        message = refused(
            pages.update(name=missing, body=page_body(markup("x"))), 400, "INVALID_ARGUMENT"
        )
        assert "pageUrl" in message

    def test_another_publishers_editor_is_permission_denied(
        self,
        google_api: Api,
        make_publisher: Callable[..., str],
        make_key: Callable[..., str],
        pages: Any,
        created: dict[str, Any],
    ) -> None:
        make_publisher("otherfacts")
        other = google_api(make_key("editor", "otherfacts")).pages()
        refused(
            other.update(name=created["name"], body=page_body(markup("x"))),
            403,
            "PERMISSION_DENIED",
        )
        refused(other.delete(name=created["name"]), 403, "PERMISSION_DENIED")
        assert pages.get(name=created["name"]).execute() == created


class TestDelete:
    def test_delete_retracts_the_reviews_and_the_page_is_gone(
        self, client: httpx.Client, db: Database, pages: Any, created: dict[str, Any]
    ) -> None:
        ids = [m["id"] for m in lookup(client)]
        assert pages.delete(name=created["name"]).execute() == {}
        assert lookup(client) == []
        for review_id in ids:
            assert client.get(f"/v1/reviews/{review_id}").json()["status"] == "retracted"
            assert ("review.retracted", review_id) in changes(db)
        refused(pages.get(name=created["name"]), 404, "NOT_FOUND")
        assert pages.list(url=PAGE).execute() == {"claimReviewMarkupPages": []}
        refused(pages.delete(name=created["name"]), 404, "NOT_FOUND")

    def test_a_page_created_again_publishes_its_reviews_again(
        self, client: httpx.Client, pages: Any, created: dict[str, Any]
    ) -> None:
        ids = [m["id"] for m in lookup(client)]
        pages.delete(name=created["name"]).execute()
        again = pages.create(body=page_body(markup("The moon is made of cheese"))).execute()
        assert again["name"] == created["name"]
        assert [m["id"] for m in lookup(client)] == ids[:1]

    def test_an_admin_deletes_any_page(
        self, google_api: Api, admin_key: str, client: httpx.Client, created: dict[str, Any]
    ) -> None:
        assert google_api(admin_key).pages().delete(name=created["name"]).execute() == {}
        assert lookup(client) == []


class TestHostileValues:
    def test_an_out_of_range_rating_is_invalid_argument(self, pages: Any) -> None:
        bad = markup("The moon is made of cheese")
        bad["rating"]["bestRating"] = 10**30
        assert "bestRating" in refused(pages.create(body=page_body(bad)), 400, "INVALID_ARGUMENT")

    def test_a_native_rating_beyond_int32_is_left_out(
        self, client: httpx.Client, editor_key: str, pages: Any
    ) -> None:
        body = review_body(url=PAGE, rating={"label": "False", "value": 1, "best": 1e12})
        assert client.post("/v1/reviews", json=body, headers=auth(editor_key)).status_code == 201
        [page] = pages.list(url=PAGE).execute()["claimReviewMarkupPages"]
        assert page["claimReviewMarkups"][0]["rating"] == {
            "textualRating": "False",
            "ratingValue": 1,
        }

    @pytest.mark.parametrize("organization", ["http://[", "://", "..", "a" * 300])
    def test_a_malformed_organization_lists_nothing(self, pages: Any, organization: str) -> None:
        assert pages.list(organization=organization).execute() == {"claimReviewMarkupPages": []}

    @pytest.mark.parametrize("url", ["https://verifact.example/elsewhere", "not a url"])
    def test_a_markup_at_another_url_names_its_field(
        self, pages: Any, client: httpx.Client, url: str
    ) -> None:
        message = refused(
            pages.create(body=page_body(markup("x", url=url))), 400, "INVALID_ARGUMENT"
        )
        assert "claimReviewMarkups[0].url" in message
        assert lookup(client) == []

    def test_a_markup_at_the_page_with_a_fragment_is_the_page(self, pages: Any) -> None:
        page = pages.create(body=page_body(markup("x", url=PAGE + "#claim-1"))).execute()
        assert page["claimReviewMarkups"][0]["url"] == PAGE + "#claim-1"
        assert pages.list(url=PAGE).execute()["claimReviewMarkupPages"][0]["name"] == page["name"]
