"""Reviews: create, read, update with If-Match, status workflow, revisions, tombstones."""

from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import auth, review_body


class TestCreateReview:
    def test_creates_review_and_claim_together(self, client: httpx.Client, editor_key: str) -> None:
        response = client.post("/v1/reviews", json=review_body(), headers=auth(editor_key))
        assert response.status_code == 201, response.text
        review = response.json()
        assert review["publisher_id"] == "verifact"
        assert review["rating"] == {
            "label": "False",
            "value": 1.0,
            "best": 5.0,
            "worst": 1.0,
            "explanation": None,
        }
        assert review["verdict"] == "false"
        assert review["language"] == "en"
        assert review["status"] == "published"
        assert response.headers["ETag"] == review["etag"]
        assert response.headers["Location"] == f"/v1/reviews/{review['id']}"
        claim = client.get(f"/v1/claims/{review['claim_id']}").json()
        assert claim["text"] == "The moon is made of cheese"
        assert [r["id"] for r in claim["reviews"]] == [review["id"]]

    def test_attaches_to_an_existing_claim(
        self,
        client: httpx.Client,
        make_review: Callable[..., dict[str, Any]],
        make_publisher: Callable[..., str],
        make_key: Callable[..., str],
    ) -> None:
        first = make_review()
        make_publisher("other", sites=["other.example"])
        other_key = make_key("editor", "other")
        body = review_body(url="https://other.example/a", rating={"label": "Misleading"})
        del body["claim"]
        body["claim_id"] = first["claim_id"]
        response = client.post("/v1/reviews", json=body, headers=auth(other_key))
        assert response.status_code == 201, response.text
        assert response.json()["verdict"] == "misleading"
        claim = client.get(f"/v1/claims/{first['claim_id']}").json()
        assert {r["publisher_id"] for r in claim["reviews"]} == {"verifact", "other"}

    def test_keeps_label_verbatim_and_normalises_verdict(
        self, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review(rating={"label": "Plutôt faux"}, language="fr")
        assert review["rating"]["label"] == "Plutôt faux"
        assert review["verdict"] == "mostly_false"

    def test_publisher_override_wins_over_the_table(
        self, client: httpx.Client, make_publisher: Callable[..., str], make_key: Callable[..., str]
    ) -> None:
        make_publisher(
            "quirky",
            sites=["quirky.example"],
            verdict_overrides={"Pinocchio": "false", "False": "satire"},
        )
        key = make_key("editor", "quirky")
        for label, verdict in [("pinocchio", "false"), ("False", "satire")]:
            body = review_body(url=f"https://quirky.example/{label}", rating={"label": label})
            response = client.post("/v1/reviews", json=body, headers=auth(key))
            assert response.json()["verdict"] == verdict

    def test_same_claim_at_a_url_written_differently_is_a_conflict(
        self, client: httpx.Client, editor_key: str, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        make_review(url="https://verifact.example/checks/moon")
        response = client.post(
            "/v1/reviews",
            json=review_body(url="http://www.verifact.example/checks/moon/?utm_source=x"),
            headers=auth(editor_key),
        )
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "url"

    def test_unknown_claim_id_is_422_naming_the_field(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        body = review_body()
        del body["claim"]
        body["claim_id"] = 999
        response = client.post("/v1/reviews", json=body, headers=auth(editor_key))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "claim_id"

    def test_claim_and_claim_id_together_are_refused(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        response = client.post(
            "/v1/reviews", json=review_body(claim_id=1), headers=auth(editor_key)
        )
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"field": "claim_id", "message": "give exactly one of claim_id and claim"}
        ]

    def test_admin_must_name_the_publisher(
        self, client: httpx.Client, admin_key: str, publisher: str
    ) -> None:
        response = client.post("/v1/reviews", json=review_body(), headers=auth(admin_key))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "publisher_id"
        response = client.post(
            "/v1/reviews", json=review_body(publisher_id=publisher), headers=auth(admin_key)
        )
        assert response.status_code == 201


class TestDrafts:
    def test_draft_is_invisible_to_public_reads(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        draft = make_review(status="draft")
        assert draft["status"] == "draft"
        assert client.get(f"/v1/reviews/{draft['id']}").status_code == 404
        assert client.get(f"/v1/reviews/{draft['id']}/claimreview").status_code == 404
        # Its claim, which only this draft refers to, is its publisher's alone (issue 9).
        assert client.get(f"/v1/claims/{draft['claim_id']}").status_code == 404
        mine = client.get(f"/v1/claims/{draft['claim_id']}", headers=auth(editor_key))
        assert mine.json()["reviews"] == []
        own = client.get(f"/v1/reviews/{draft['id']}", headers=auth(editor_key))
        assert own.status_code == 200
        assert own.json()["status"] == "draft"

    def test_draft_is_invisible_to_another_publishers_editor(
        self,
        client: httpx.Client,
        make_review: Callable[..., dict[str, Any]],
        make_publisher: Callable[..., str],
        make_key: Callable[..., str],
    ) -> None:
        draft = make_review(status="draft")
        make_publisher("other", sites=["other.example"])
        response = client.get(
            f"/v1/reviews/{draft['id']}", headers=auth(make_key("editor", "other"))
        )
        assert response.status_code == 404

    def test_publishing_a_draft_sets_its_date(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        draft = make_review(status="draft", date_published=None)
        assert draft["date_published"] is None
        published = client.patch(
            f"/v1/reviews/{draft['id']}", json={"status": "published"}, headers=auth(editor_key)
        ).json()
        assert published["status"] == "published"
        assert published["date_published"] is not None
        assert client.get(f"/v1/reviews/{draft['id']}/claimreview").status_code == 200


class TestUpdateReview:
    def test_patch_changes_only_given_fields_and_bumps_etag(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        response = client.patch(
            f"/v1/reviews/{review['id']}",
            json={"headline": "Corrected headline"},
            headers={**auth(editor_key), "If-Match": review["etag"]},
        )
        assert response.status_code == 200, response.text
        updated = response.json()
        assert updated["headline"] == "Corrected headline"
        assert updated["rating"] == review["rating"]
        assert updated["version"] == review["version"] + 1
        assert updated["etag"] != review["etag"]
        assert updated["date_modified"] is not None

    def test_stale_if_match_returns_412_and_changes_nothing(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        first = client.patch(
            f"/v1/reviews/{review['id']}",
            json={"headline": "Editor one"},
            headers={**auth(editor_key), "If-Match": review["etag"]},
        )
        assert first.status_code == 200
        second = client.patch(
            f"/v1/reviews/{review['id']}",
            json={"headline": "Editor two"},
            headers={**auth(editor_key), "If-Match": review["etag"]},
        )
        assert second.status_code == 412
        assert second.headers["content-type"] == "application/problem+json"
        assert client.get(f"/v1/reviews/{review['id']}").json()["headline"] == "Editor one"

    def test_rating_change_recomputes_verdict(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        updated = client.patch(
            f"/v1/reviews/{review['id']}",
            json={"rating": {"label": "Mostly true"}},
            headers=auth(editor_key),
        ).json()
        assert updated["verdict"] == "mostly_true"
        assert updated["rating"]["value"] is None

    def test_unchanged_patch_is_not_a_new_version(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        same = client.patch(
            f"/v1/reviews/{review['id']}",
            json={"headline": review["headline"]},
            headers=auth(editor_key),
        ).json()
        assert same["version"] == review["version"]
        assert client.get(f"/v1/reviews/{review['id']}/revisions").json()["revisions"] == []

    def test_published_review_cannot_go_back_to_draft(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        response = client.patch(
            f"/v1/reviews/{review['id']}", json={"status": "draft"}, headers=auth(editor_key)
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "status"
        assert client.get(f"/v1/reviews/{review['id']}").json()["status"] == "published"

    def test_null_for_a_required_field_is_refused(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        response = client.patch(
            f"/v1/reviews/{review['id']}", json={"url": None}, headers=auth(editor_key)
        )
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": "url", "message": "cannot be null"}]


class TestRetractionAndRevisions:
    def test_revisions_keep_every_earlier_published_state(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        client.patch(
            f"/v1/reviews/{review['id']}", json={"headline": "Second"}, headers=auth(editor_key)
        )
        client.patch(
            f"/v1/reviews/{review['id']}", json={"status": "retracted"}, headers=auth(editor_key)
        )
        revisions = client.get(f"/v1/reviews/{review['id']}/revisions").json()["revisions"]
        assert [r["version"] for r in revisions] == [1, 2]
        assert [r["review"]["headline"] for r in revisions] == [review["headline"], "Second"]
        assert all(r["review"]["status"] == "published" for r in revisions)

    def test_retracted_review_is_public_but_has_no_claimreview(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        client.patch(
            f"/v1/reviews/{review['id']}", json={"status": "retracted"}, headers=auth(editor_key)
        )
        assert client.get(f"/v1/reviews/{review['id']}").json()["status"] == "retracted"
        assert client.get(f"/v1/reviews/{review['id']}/claimreview").status_code == 410
        assert client.get(f"/v1/claims/{review['claim_id']}").json()["reviews"] == []

    def test_draft_edits_leave_no_revisions(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        draft = make_review(status="draft")
        client.patch(f"/v1/reviews/{draft['id']}", json={"headline": "x"}, headers=auth(editor_key))
        revisions = client.get(f"/v1/reviews/{draft['id']}/revisions", headers=auth(editor_key))
        assert revisions.json()["revisions"] == []


class TestDeleteReview:
    def test_delete_leaves_a_tombstone(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        review = make_review()
        response = client.delete(f"/v1/reviews/{review['id']}", headers=auth(editor_key))
        assert response.status_code == 204
        gone = client.get(f"/v1/reviews/{review['id']}")
        assert gone.status_code == 410
        assert gone.headers["content-type"] == "application/problem+json"
        assert client.get(f"/v1/reviews/{review['id']}/claimreview").status_code == 410
        assert (
            client.delete(f"/v1/reviews/{review['id']}", headers=auth(editor_key)).status_code
            == 410
        )

    def test_unknown_review_is_404(self, client: httpx.Client) -> None:
        response = client.get("/v1/reviews/424242")
        assert response.status_code == 404
        assert response.json()["status"] == 404


class TestRetractionReason:
    def test_a_retraction_keeps_its_reason_until_published_again(
        self, client: httpx.Client, editor_key: str, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review()
        path = f"/v1/reviews/{review['id']}"
        retracted = client.patch(
            path,
            json={"status": "retracted", "retraction_reason": "The source was misread."},
            headers=auth(editor_key),
        )
        assert retracted.status_code == 200, retracted.text
        assert retracted.json()["retraction_reason"] == "The source was misread."
        assert client.get(path).json()["retraction_reason"] == "The source was misread."
        again = client.patch(path, json={"status": "published"}, headers=auth(editor_key))
        assert again.json()["status"] == "published"
        assert again.json()["retraction_reason"] is None

    def test_a_reason_without_a_retraction_is_refused(
        self, client: httpx.Client, editor_key: str, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review()
        response = client.patch(
            f"/v1/reviews/{review['id']}",
            json={"retraction_reason": "No reason to give."},
            headers=auth(editor_key),
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "retraction_reason"
        stored = client.get(f"/v1/reviews/{review['id']}").json()
        assert (stored["status"], stored["retraction_reason"]) == ("published", None)
