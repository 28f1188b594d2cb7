"""Ownership (issue 9, item 1): an editor writes only at its publisher's sites on every path, an
import applies the same rules, first-party reviews beat imports, and a claim only drafts refer to
stays its publisher's."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import auth, review_body
from tests.ingest.test_import_behaviour import claimreview


@pytest.fixture
def other(make_publisher: Callable[..., str], make_key: Callable[..., str]) -> str:
    """Editor key of a second publisher, `rival` (site rival.example)."""
    make_publisher("rival")
    return make_key("editor", "rival")


def _import(client: httpx.Client, key: str, *documents: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/import", json=list(documents), headers=auth(key))
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


class TestEditorsWriteOnTheirSites:
    def test_create_at_another_publishers_site_is_forbidden(
        self, client: httpx.Client, editor_key: str, other: str
    ) -> None:
        taken = client.post(
            "/v1/reviews", json=review_body("https://rival.example/a"), headers=auth(editor_key)
        )
        assert taken.status_code == 403, taken.text
        assert taken.json()["errors"] == [
            {"field": "url", "message": "rival.example is not a site of 'verifact'"}
        ]
        # The rival's own article is still free for it, and lookups show nobody else's verdict.
        own = client.post(
            "/v1/reviews", json=review_body("https://rival.example/a"), headers=auth(other)
        )
        assert own.status_code == 201, own.text
        assert own.json()["publisher_id"] == "rival"

    def test_subdomains_of_a_site_are_the_publishers(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        response = client.post(
            "/v1/reviews",
            json=review_body("https://www.verifact.example/a"),
            headers=auth(editor_key),
        )
        assert response.status_code == 201, response.text
        stored = client.get(f"/v1/reviews/{response.json()['id']}", headers=auth(editor_key))
        assert stored.json()["url"] == "https://www.verifact.example/a"
        assert stored.json()["publisher_id"] == "verifact"

    def test_a_host_spelled_with_its_final_dot_is_the_publishers(
        self, client: httpx.Client, editor_key: str, other: str
    ) -> None:
        response = client.post(
            "/v1/reviews",
            json=review_body("https://www.verifact.example./a"),
            headers=auth(editor_key),
        )
        assert response.status_code == 201, response.text
        assert response.json()["publisher_id"] == "verifact"
        taken = client.post(
            "/v1/reviews", json=review_body("https://rival.example./b"), headers=auth(editor_key)
        )
        assert taken.status_code == 403, taken.text

    def test_a_look_alike_host_is_not_a_subdomain(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        response = client.post(
            "/v1/reviews",
            json=review_body("https://notverifact.example/a"),
            headers=auth(editor_key),
        )
        assert response.status_code == 403
        assert "notverifact.example is not a site of 'verifact'" in response.json()["detail"]
        found = client.get("/v1/lookup", params={"url": "https://notverifact.example/a"})
        assert found.json()["matches"] == {"https://notverifact.example/a": []}

    def test_patch_cannot_move_a_review_to_another_publishers_site(
        self,
        client: httpx.Client,
        editor_key: str,
        other: str,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        review = make_review()
        moved = client.patch(
            f"/v1/reviews/{review['id']}",
            json={"url": "https://rival.example/b"},
            headers=auth(editor_key),
        )
        assert moved.status_code == 403, moved.text
        assert client.get(f"/v1/reviews/{review['id']}").json()["url"] == review["url"]

    def test_an_editors_import_at_another_publishers_site_is_rejected(
        self, client: httpx.Client, editor_key: str, other: str
    ) -> None:
        report = _import(client, editor_key, claimreview("https://rival.example/c"))
        assert report["created"] == 0
        assert "rival.example is not a site of 'verifact'" in report["rejected"][0]["reason"]

    def test_admins_may_write_anywhere(
        self, client: httpx.Client, admin_key: str, publisher: str
    ) -> None:
        body = review_body("https://elsewhere.example/a", publisher_id="verifact")
        response = client.post("/v1/reviews", json=body, headers=auth(admin_key))
        assert response.status_code == 201, response.text
        assert response.json()["publisher_id"] == "verifact"
        assert response.json()["url"] == "https://elsewhere.example/a"


class TestImportsDoNotRewriteOthersClaims:
    def test_an_import_does_not_rewrite_a_claim_another_publisher_created(
        self,
        client: httpx.Client,
        editor_key: str,
        other: str,
    ) -> None:
        # The rival publishes a claim, then withdraws its review; verifact reviews the claim.
        theirs = client.post(
            "/v1/reviews",
            json=review_body(
                "https://rival.example/d", claim={"text": "Rival's words", "language": "en"}
            ),
            headers=auth(other),
        ).json()
        mine = client.post(
            "/v1/reviews",
            json=review_body("https://verifact.example/d", claim=None, claim_id=theirs["claim_id"]),
            headers=auth(editor_key),
        )
        assert mine.status_code == 201, mine.text
        assert client.delete(f"/v1/reviews/{theirs['id']}", headers=auth(other)).status_code == 204
        # verifact's markup of its own page names a different claim.
        _import(client, editor_key, claimreview("https://verifact.example/d", claim="Other words"))
        claim = client.get(f"/v1/claims/{theirs['claim_id']}").json()
        assert claim["text"] == "Rival's words"


class TestFirstPartyBeatsAggregated:
    def test_an_importer_does_not_overwrite_an_editors_review(
        self,
        client: httpx.Client,
        make_key: Callable[..., str],
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        review = make_review()
        report = _import(client, make_key("importer"), claimreview(review["url"], label="True"))
        assert report["updated"] == 0
        assert "written by the publisher's editors" in report["rejected"][0]["reason"]
        assert client.get(f"/v1/reviews/{review['id']}").json()["rating"]["label"] == "False"

    def test_a_review_an_admin_writes_through_the_api_is_first_party(
        self, client: httpx.Client, make_key: Callable[..., str], admin_key: str, publisher: str
    ) -> None:
        url = "https://verifact.example/by-the-desk"
        written = client.post(
            "/v1/reviews",
            json=review_body(url, publisher_id="verifact"),
            headers=auth(admin_key),
        )
        assert written.status_code == 201, written.text
        for importer in (make_key("importer"), admin_key):
            report = _import(client, importer, claimreview(url, label="True"))
            assert report["updated"] == 0, report
            assert "written by the publisher's editors" in report["rejected"][0]["reason"]
        stored = client.get(f"/v1/reviews/{written.json()['id']}").json()
        assert stored["rating"]["label"] == "False"

    def test_an_importer_updates_what_imports_created(
        self, client: httpx.Client, make_key: Callable[..., str], publisher: str
    ) -> None:
        importer = make_key("importer")
        url = "https://verifact.example/imported"
        assert _import(client, importer, claimreview(url))["created"] == 1
        assert _import(client, importer, claimreview(url, label="True"))["updated"] == 1

    def test_an_editors_correction_makes_an_imported_review_first_party(
        self,
        client: httpx.Client,
        make_key: Callable[..., str],
        editor_key: str,
        publisher: str,
    ) -> None:
        importer = make_key("importer")
        url = "https://verifact.example/corrected"
        _import(client, importer, claimreview(url))
        review_id = client.get("/v1/lookup", params={"url": url}).json()["matches"][url][0]["id"]
        patched = client.patch(
            f"/v1/reviews/{review_id}", json={"headline": "Corrected"}, headers=auth(editor_key)
        )
        assert patched.status_code == 200, patched.text
        report = _import(client, importer, claimreview(url, label="True"))
        assert report["rejected"], report
        assert client.get(f"/v1/reviews/{review_id}").json()["headline"] == "Corrected"

    def test_the_publishers_own_editor_may_import_over_its_reviews(
        self,
        client: httpx.Client,
        editor_key: str,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        review = make_review()
        report = _import(client, editor_key, claimreview(review["url"], label="True"))
        assert report["updated"] == 1, report


class TestDraftOnlyClaims:
    def test_a_claim_only_drafts_refer_to_is_its_publishers_alone(
        self,
        client: httpx.Client,
        editor_key: str,
        other: str,
        admin_key: str,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        draft = make_review(status="draft")
        path = f"/v1/claims/{draft['claim_id']}"
        assert client.get(path).status_code == 404
        assert client.get(path, headers=auth(other)).status_code == 404
        assert client.get(path, headers=auth(editor_key)).json()["text"] == draft_text()
        assert client.get(path, headers=auth(admin_key)).status_code == 200
        published = client.patch(
            f"/v1/reviews/{draft['id']}", json={"status": "published"}, headers=auth(editor_key)
        )
        assert published.status_code == 200, published.text
        assert client.get(path).json()["text"] == draft_text()

    def test_a_claim_without_reviews_is_its_creators_alone(
        self, client: httpx.Client, editor_key: str, other: str
    ) -> None:
        created = client.post(
            "/v1/claims", json={"text": "A scoop", "language": "en"}, headers=auth(editor_key)
        ).json()
        assert client.get(f"/v1/claims/{created['id']}").status_code == 404
        assert client.get(f"/v1/claims/{created['id']}", headers=auth(other)).status_code == 404

    def test_another_publisher_cannot_review_a_draft_only_claim(
        self,
        client: httpx.Client,
        other: str,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        draft = make_review(status="draft")
        body = review_body("https://rival.example/e", claim=None, claim_id=draft["claim_id"])
        response = client.post("/v1/reviews", json=body, headers=auth(other))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "claim_id"


def draft_text() -> str:
    text: str = review_body()["claim"]["text"]
    return text
