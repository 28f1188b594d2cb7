"""The page is the unit of markup: a page carries one review per claim it checks.

Import, the native API, lookup, feed, export and the change log all see a page's several
reviews; re-importing a page is unchanged, and re-importing it without one of its ClaimReviews
retracts that review on the record.
"""

import copy
import threading
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import httpx
import orjson
import pytest

from app.domain.access import COMMAND_LINE
from app.domain.importing import Importer
from app.storage.database import Database
from tests.api.test_races import _wait_until_blocked
from tests.conftest import auth, load_json, review_body

FULLFACT = "claimreview-shapes/fullfact_style_two_claims_graph.json"
QUINT = "claimreview-shapes/quint_style_claim_reviewed_list.json"
ARABIC = "claimreview-shapes/google_claim_long_arabic_rating.json"


@pytest.fixture
def importer_key(make_key: Callable[..., str]) -> str:
    return make_key("importer")


def post(client: httpx.Client, key: str, body: Any) -> dict[str, Any]:
    response = client.post("/v1/import", json=body, headers=auth(key))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def counts(result: dict[str, Any]) -> tuple[int, int, int, int, int]:
    return (
        result["created"],
        result["updated"],
        result["unchanged"],
        len(result["rejected"]),
        result["retracted"],
    )


def page_reviews(client: httpx.Client, url: str) -> list[dict[str, Any]]:
    """The page's published reviews, as lookup lists them, oldest first."""
    response = client.get("/v1/lookup", params={"url": url})
    assert response.status_code == 200, response.text
    return sorted(response.json()["matches"][url], key=lambda match: match["id"])


def claim_text(client: httpx.Client, claim_id: int) -> str:
    text: str = client.get(f"/v1/claims/{claim_id}").json()["text"]
    return text


def fullfact() -> tuple[str, dict[str, Any]]:
    data = load_json(FULLFACT)
    return data["page_url"], data["jsonld"]


class TestImportOfAPageWithTwoClaimReviews:
    def test_creates_two_reviews_at_one_url_with_both_claims_intact(
        self, client: httpx.Client, importer_key: str
    ) -> None:
        page, document = fullfact()
        assert counts(post(client, importer_key, document)) == (2, 0, 0, 0, 0)
        reviews = page_reviews(client, page)
        assert [r["url"] for r in reviews] == [page, page]
        assert [claim_text(client, r["claim_id"]) for r in reviews] == [
            "A vaccine contains microchips that track people",
            "The vaccine was never tested on people",
        ]
        assert [r["label"] for r in reviews] == [
            "Incorrect. Vaccines contain no microchips.",
            "Incorrect. It went through clinical trials with tens of thousands of people.",
        ]

    def test_importing_it_again_is_unchanged(self, client: httpx.Client, importer_key: str) -> None:
        _, document = fullfact()
        post(client, importer_key, document)
        assert counts(post(client, importer_key, document)) == (0, 0, 2, 0, 0)

    def test_as_ndjson_lines_one_review_each_it_is_unchanged_too(
        self, client: httpx.Client, importer_key: str
    ) -> None:
        """An export lists a page's reviews one per line: reading it back retracts nothing."""
        page, document = fullfact()
        post(client, importer_key, document)
        lines = [
            {"@context": "https://schema.org", **node}
            for node in document["@graph"]
            if node["@type"] == "ClaimReview"
        ]
        response = client.post(
            "/v1/import",
            content=b"\n".join(orjson.dumps(line) for line in lines),
            headers={**auth(importer_key), "Content-Type": "application/x-ndjson"},
        )
        assert counts(response.json()) == (0, 0, 2, 0, 0)
        assert len(page_reviews(client, page)) == 2

    def test_importing_it_without_one_retracts_that_one_on_the_record(
        self, client: httpx.Client, importer_key: str
    ) -> None:
        page, document = fullfact()
        post(client, importer_key, document)
        kept, dropped = page_reviews(client, page)
        after = client.get("/v1/changes").json()["next_cursor"]
        shorter = copy.deepcopy(document)
        del shorter["@graph"][2]
        assert counts(post(client, importer_key, shorter)) == (0, 0, 1, 0, 1)
        assert [r["id"] for r in page_reviews(client, page)] == [kept["id"]]
        gone = client.get(f"/v1/reviews/{dropped['id']}").json()
        assert gone["status"] == "retracted"
        assert claim_text(client, gone["claim_id"]) == "The vaccine was never tested on people"
        changes = client.get("/v1/changes", params={"after": after}).json()["changes"]
        assert [(c["type"], c["review_id"]) for c in changes] == [
            ("review.retracted", dropped["id"])
        ]

    def test_a_dry_run_counts_the_retraction_but_changes_nothing(
        self, client: httpx.Client, importer_key: str
    ) -> None:
        page, document = fullfact()
        post(client, importer_key, document)
        shorter = copy.deepcopy(document)
        del shorter["@graph"][2]
        response = client.post(
            "/v1/import", params={"dry_run": "true"}, json=shorter, headers=auth(importer_key)
        )
        assert counts(response.json()) == (0, 0, 1, 0, 1)
        assert len(page_reviews(client, page)) == 2

    def test_a_rejected_record_of_the_page_retracts_nothing(
        self, client: httpx.Client, importer_key: str
    ) -> None:
        page, document = fullfact()
        post(client, importer_key, document)
        broken = copy.deepcopy(document)
        del broken["@graph"][2]["reviewRating"]
        result = post(client, importer_key, broken)
        assert counts(result) == (0, 0, 1, 1, 0)
        assert len(page_reviews(client, page)) == 2

    def test_an_import_never_retracts_what_the_publishers_editors_wrote(
        self,
        client: httpx.Client,
        importer_key: str,
        make_publisher: Callable[..., str],
        make_key: Callable[..., str],
    ) -> None:
        page, document = fullfact()
        make_publisher("fullfact", name="Full Fact", sites=["fullfact.org"])
        editor = make_key("editor", "fullfact")
        for node in document["@graph"][1:]:
            body = review_body(
                url=page,
                rating={"label": node["reviewRating"]["alternateName"]},
                claim={"text": node["claimReviewed"], "language": "en"},
            )
            response = client.post("/v1/reviews", json=body, headers=auth(editor))
            assert response.status_code == 201, response.text
        shorter = copy.deepcopy(document)
        del shorter["@graph"][2]
        result = post(client, importer_key, shorter)
        assert result["retracted"] == 0
        assert len(page_reviews(client, page)) == 2

    def test_the_feed_and_the_export_carry_both(
        self, client: httpx.Client, importer_key: str
    ) -> None:
        page, document = fullfact()
        post(client, importer_key, document)
        feed = client.get("/v1/feed").json()
        items = [e["item"] for e in feed["dataFeedElement"] if e["url"] == page]
        assert sorted(i["claimReviewed"] for i in items) == [
            "A vaccine contains microchips that track people",
            "The vaccine was never tested on people",
        ]
        export = client.get("/v1/export")
        lines = [orjson.loads(line) for line in export.content.splitlines() if line]
        assert sorted(d["claimReviewed"] for d in lines if d["url"] == page) == [
            "A vaccine contains microchips that track people",
            "The vaccine was never tested on people",
        ]


class TestQuirksOfRealMarkup:
    def test_a_claim_reviewed_list_is_one_review_per_claim_at_the_page(
        self, client: httpx.Client, importer_key: str
    ) -> None:
        data = load_json(QUINT)
        assert counts(post(client, importer_key, data["jsonld"])) == (2, 0, 0, 0, 0)
        reviews = page_reviews(client, data["page_url"])
        assert [claim_text(client, r["claim_id"]) for r in reviews] == data["jsonld"][
            "claimReviewed"
        ]
        assert counts(post(client, importer_key, data["jsonld"])) == (0, 0, 2, 0, 0)

    def test_a_long_arabic_textual_rating_is_kept_verbatim(
        self, client: httpx.Client, importer_key: str
    ) -> None:
        document = load_json(ARABIC)
        entry = document["claims"][0]["claimReview"][0]
        assert len(entry["textualRating"]) > 2_000
        assert counts(post(client, importer_key, document)) == (1, 0, 0, 0, 0)
        (match,) = page_reviews(client, entry["url"])
        review = client.get(f"/v1/reviews/{match['id']}").json()
        assert review["rating"]["label"] == entry["textualRating"]
        assert review["language"] == "ar"

    def test_validation_warns_of_a_long_rating_and_a_list_of_claims(
        self, client: httpx.Client
    ) -> None:
        quint = load_json(QUINT)["jsonld"]
        quint["reviewRating"]["alternateName"] = "Faux. " * 100
        report = client.post("/v1/validate", json=quint).json()
        assert report["valid"] is True
        assert {w["path"] for w in report["warnings"]} >= {
            "claimReviewed",
            "reviewRating.alternateName",
        }


class TestNativeReviewsOfOnePage:
    def test_two_claims_at_one_url_are_two_reviews_the_same_claim_twice_a_conflict(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        url = "https://verifact.example/checks/two-claims"
        first = client.post("/v1/reviews", json=review_body(url=url), headers=auth(editor_key))
        assert first.status_code == 201, first.text
        other = review_body(url=url, claim={"text": "The sun is cold", "language": "en"})
        second = client.post("/v1/reviews", json=other, headers=auth(editor_key))
        assert second.status_code == 201, second.text
        assert second.json()["claim_id"] != first.json()["claim_id"]
        assert [r["id"] for r in page_reviews(client, url)] == [
            first.json()["id"],
            second.json()["id"],
        ]
        again = review_body(url=url + "?utm_source=x")
        del again["claim"]
        again["claim_id"] = first.json()["claim_id"]
        response = client.post("/v1/reviews", json=again, headers=auth(editor_key))
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "url"

    def test_moving_a_review_onto_a_page_that_reviews_its_claim_is_a_conflict(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        first = client.post("/v1/reviews", json=review_body(), headers=auth(editor_key)).json()
        body = review_body(url="https://verifact.example/checks/elsewhere")
        del body["claim"]
        body["claim_id"] = first["claim_id"]
        second = client.post("/v1/reviews", json=body, headers=auth(editor_key)).json()
        response = client.patch(
            f"/v1/reviews/{second['id']}", json={"url": first["url"]}, headers=auth(editor_key)
        )
        assert response.status_code == 409, response.text
        assert client.get(f"/v1/reviews/{second['id']}").json()["url"] == second["url"]

    def test_oembed_of_a_page_url_shows_its_most_recently_changed_review(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        url = "https://verifact.example/checks/two-claims"
        client.post("/v1/reviews", json=review_body(url=url), headers=auth(editor_key))
        other = review_body(url=url, claim={"text": "The sun is cold", "language": "en"})
        latest = client.post("/v1/reviews", json=other, headers=auth(editor_key)).json()
        response = client.get("/oembed", params={"url": url, "format": "json"})
        assert response.status_code == 200, response.text
        assert f"/embed/reviews/{latest['id']}" in response.json()["html"]


class TestSimultaneousImportsOfOnePage:
    """Two imports of one new page at the same instant store its claims once (issue 10, item
    1). Deterministic, as in tests/api/test_races.py: the first import writes in a transaction
    left open; the second goes over HTTP meanwhile. On PostgreSQL the test waits until the
    second is blocked (on the page's lock with the fix; without it, only on the change log's,
    after it has decided the page is new); on SQLite it waits for the write lock. Then the
    first commits, and the second must find what the first stored."""

    def test_the_second_finds_the_first_ones_reviews_and_stores_nothing_twice(
        self, client: httpx.Client, db: Database, importer_key: str
    ) -> None:
        page, document = fullfact()
        # The publisher exists already, as it does for every page after its first (two imports
        # that both created it would be serialised by its key), and the claims are new (two
        # that both reused a stored claim would be serialised by the page-and-claim key).
        other = copy.deepcopy(document)
        for item in other["@graph"]:
            item["url"] = f"{page}other/"
            if item["@type"] == "ClaimReview":
                item["claimReviewed"] = "Another claim: " + item["claimReviewed"]
                item["itemReviewed"].pop("appearance", None)
        assert counts(post(client, importer_key, other)) == (2, 0, 0, 0, 0)
        result: list[dict[str, Any]] = []
        with db.unit_of_work() as session:
            first = Importer(lambda: nullcontext(session), COMMAND_LINE)
            assert first.import_documents([document]).created == 2
            thread = threading.Thread(
                target=lambda: result.append(post(client, importer_key, document))
            )
            thread.start()
            _wait_until_blocked(db, thread.is_alive)
        thread.join(timeout=60)
        assert counts(result[0]) == (0, 0, 2, 0, 0)
        reviews = page_reviews(client, page)
        assert len(reviews) == 2
        assert len({r["claim_id"] for r in reviews}) == 2
        assert sorted(claim_text(client, r["claim_id"]) for r in reviews) == [
            "A vaccine contains microchips that track people",
            "The vaccine was never tested on people",
        ]
