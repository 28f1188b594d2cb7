"""Import identity, robustness and access: upserts by URL, bad records alone rejected."""

import copy
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text

from app.storage.database import Database
from tests.api.test_access import snapshot
from tests.conftest import auth, load_json
from tests.jsonld import assert_valid

NETFLIX = "examples/netflix-binge-watch-hoax.fr.jsonld"


def claimreview(
    url: str, claim: str = "The moon is made of cheese", label: str = "False", **extra: Any
) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim,
        "datePublished": "2024-03-05",
        "inLanguage": "en",
        "author": {"@type": "Organization", "name": "VeriFact", "url": "https://verifact.example/"},
        "reviewRating": {"@type": "Rating", "alternateName": label},
        "itemReviewed": {
            "@type": "Claim",
            "appearance": [{"@type": "CreativeWork", "url": "https://x.com/a/status/1"}],
        },
        **extra,
    }


@pytest.fixture
def importer_key(make_key: Callable[..., str]) -> str:
    return make_key("importer")


def post(client: httpx.Client, key: str, body: Any) -> dict[str, Any]:
    response = client.post("/v1/import", json=body, headers=auth(key))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


class TestIdentity:
    def test_same_markup_twice_is_unchanged_and_writes_nothing(
        self, client: httpx.Client, db: Database, importer_key: str
    ) -> None:
        document = load_json(NETFLIX)
        assert post(client, importer_key, document)["created"] == 1
        before = snapshot(db)
        assert post(client, importer_key, document) == {
            "created": 0,
            "updated": 0,
            "unchanged": 1,
            "rejected": [],
            "retracted": 0,
        }
        assert snapshot(db) == before

    def test_changed_markup_updates_and_keeps_the_earlier_state(
        self, client: httpx.Client, db: Database, importer_key: str
    ) -> None:
        document = load_json(NETFLIX)
        post(client, importer_key, document)
        corrected = copy.deepcopy(document)
        corrected["reviewRating"]["alternateName"] = "Trompeur"
        corrected["reviewRating"]["ratingValue"] = 2
        assert post(client, importer_key, corrected)["updated"] == 1
        with db.engine.connect() as connection:
            review_id = connection.execute(text("SELECT id FROM review")).scalar_one()
        review = client.get(f"/v1/reviews/{review_id}").json()
        assert (review["rating"]["label"], review["verdict"]) == ("Trompeur", "misleading")
        revisions = client.get(f"/v1/reviews/{review_id}/revisions").json()["revisions"]
        assert [r["review"]["rating"]["label"] for r in revisions] == ["Faux"]
        changes = client.get("/v1/changes").json()["changes"]
        assert [c["type"] for c in changes] == ["review.published", "review.updated"]

    def test_url_written_differently_is_the_same_review(
        self, client: httpx.Client, importer_key: str
    ) -> None:
        post(client, importer_key, claimreview("https://verifact.example/checks/1"))
        again = post(
            client,
            importer_key,
            claimreview("http://www.verifact.example/checks/1/?utm_source=feed"),
        )
        assert again["created"] == 0

    def test_reviews_of_one_claim_by_two_publishers_share_it(
        self, client: httpx.Client, db: Database, importer_key: str
    ) -> None:
        first = claimreview("https://verifact.example/c/1", claim="The Moon is made of CHEESE!")
        second = claimreview(
            "https://other.example/c/9", claim="the moon is made of cheese", label="Fake"
        )
        second["author"] = {
            "@type": "Organization",
            "name": "Other Check",
            "url": "https://other.example/",
        }
        third = claimreview("https://third.example/z", claim="Lunar dairy composition confirmed")
        third["author"] = {
            "@type": "Organization",
            "name": "Third",
            "url": "https://third.example/",
        }
        post(client, importer_key, [first, second, third])
        with db.engine.connect() as connection:
            claims = connection.execute(
                text("SELECT claim_id, count(*) FROM review GROUP BY claim_id ORDER BY 2 DESC")
            ).all()
            publishers = connection.execute(text("SELECT count(*) FROM publisher")).scalar_one()
        # first and second share the wording; third shares the appearance URL
        assert [row[1] for row in claims] == [3]
        assert publishers == 3

    def test_reviews_sharing_an_appearance_stay_unchanged_on_reimport(
        self, client: httpx.Client, db: Database, importer_key: str
    ) -> None:
        records = [
            claimreview(f"https://verifact.example/same-post/{i}", claim=f"Wording number {i}")
            for i in range(3)
        ]
        assert post(client, importer_key, records)["created"] == 3
        before = snapshot(db)
        assert post(client, importer_key, records)["unchanged"] == 3
        assert snapshot(db) == before

    def test_a_site_home_page_does_not_merge_claims(
        self, client: httpx.Client, db: Database, importer_key: str
    ) -> None:
        records = [
            claimreview(
                f"https://verifact.example/home/{i}",
                claim=f"Unrelated claim {i}",
                itemReviewed={
                    "@type": "Claim",
                    "appearance": [{"url": "https://www.facebook.com/"}],
                },
            )
            for i in range(2)
        ]
        post(client, importer_key, records)
        with db.engine.connect() as connection:
            assert (
                connection.execute(text("SELECT count(DISTINCT claim_id) FROM review")).scalar_one()
                == 2
            )

    def test_new_publisher_gets_a_stable_slug(
        self, client: httpx.Client, importer_key: str
    ) -> None:
        document = claimreview("https://faktencheck.example/a")
        document["author"] = {"@type": "Organization", "name": "Fakten Check Über Alles"}
        post(client, importer_key, document)
        publisher = client.get("/v1/publishers/fakten-check-uber-alles").json()
        assert publisher["sites"] == ["faktencheck.example"]


class TestRobustness:
    def test_one_bad_record_is_reported_and_the_rest_land(
        self, client: httpx.Client, db: Database, importer_key: str
    ) -> None:
        good = [claimreview(f"https://verifact.example/ok/{i}") for i in range(3)]
        no_claim = claimreview("https://verifact.example/bad")
        del no_claim["claimReviewed"]
        future = claimreview("https://verifact.example/future", datePublished="2999-01-01")
        result = post(client, importer_key, [good[0], no_claim, good[1], future, good[2]])
        assert result["created"] == 3
        rejected = {r["index"]: r for r in result["rejected"]}
        assert set(rejected) == {1, 3}
        assert rejected[1]["url"] == "https://verifact.example/bad"
        assert "claimReviewed" in rejected[1]["reason"]
        assert "future" in rejected[3]["reason"]
        with db.engine.connect() as connection:
            urls = connection.execute(text("SELECT url FROM review ORDER BY url")).scalars().all()
        assert urls == sorted(r["url"] for r in good)

    def test_ndjson_lines_stream_and_bad_lines_are_reported(
        self, client: httpx.Client, importer_key: str
    ) -> None:
        lines = [orjson.dumps(claimreview(f"https://verifact.example/n/{i}")) for i in range(5)]
        lines.insert(2, b"{not json")
        body = b"\n".join(lines) + b"\n\n"
        response = client.post(
            "/v1/import",
            content=body,
            headers={**auth(importer_key), "Content-Type": "application/x-ndjson"},
        )
        result = response.json()
        assert result["created"] == 5
        assert len(result["rejected"]) == 1
        assert result["rejected"][0]["index"] == 2
        assert "line 3" in result["rejected"][0]["reason"]

    def test_every_shape_is_accepted(self, client: httpx.Client, importer_key: str) -> None:
        one = claimreview("https://verifact.example/s/1")
        graph = {
            "@context": "https://schema.org",
            "@graph": [{**claimreview("https://verifact.example/s/2"), "@context": None}],
        }
        feed = {
            "@context": "https://schema.org",
            "@type": "DataFeed",
            "dataFeedElement": [
                {"@type": "DataFeedItem", "item": claimreview("https://verifact.example/s/3")}
            ],
        }
        google = {
            "claims": [
                {
                    "text": "Bananas are blue",
                    "claimReview": [
                        {
                            "publisher": {"name": "VeriFact", "site": "verifact.example"},
                            "url": "https://verifact.example/s/4",
                            "textualRating": "False",
                            "languageCode": "en",
                        }
                    ],
                }
            ]
        }
        mixed = [{"@type": "BreadcrumbList"}, claimreview("https://verifact.example/s/5")]
        total = sum(
            post(client, importer_key, body)["created"]
            for body in (one, graph, feed, google, mixed)
        )
        assert total == 5

    def test_body_that_is_not_json_is_400(self, client: httpx.Client, importer_key: str) -> None:
        response = client.post(
            "/v1/import",
            content=b"<html>",
            headers={**auth(importer_key), "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"

    def test_imported_documents_validate(
        self, client: httpx.Client, db: Database, importer_key: str
    ) -> None:
        post(client, importer_key, load_json("claimreview-real/newtral_api_index_es.json"))
        with db.engine.connect() as connection:
            ids = connection.execute(text("SELECT id FROM review")).scalars().all()
        for review_id in ids:
            document = client.get(f"/v1/reviews/{review_id}/claimreview").json()
            assert_valid(document)
            assert client.post("/v1/validate", json=document).json()["errors"] == []


class TestImportAccess:
    def test_editor_imports_only_its_own_publisher(
        self, client: httpx.Client, make_publisher: Callable[..., str], make_key: Callable[..., str]
    ) -> None:
        make_publisher("verifact")
        editor = make_key("editor", "verifact")
        result = post(
            client,
            editor,
            [
                claimreview("https://verifact.example/mine"),
                claimreview("https://elsewhere.example/theirs"),
            ],
        )
        assert result["created"] == 1
        assert result["rejected"][0]["url"] == "https://elsewhere.example/theirs"
        assert "verifact" in result["rejected"][0]["reason"]

    @pytest.mark.parametrize(("role", "status"), [(None, 401), ("partner", 403)])
    def test_others_may_not_import(
        self,
        client: httpx.Client,
        db: Database,
        make_key: Callable[..., str],
        role: str | None,
        status: int,
    ) -> None:
        headers = auth(make_key(role)) if role else {}
        before = snapshot(db)
        response = client.post(
            "/v1/import", json=claimreview("https://verifact.example/x"), headers=headers
        )
        assert response.status_code == status
        assert snapshot(db) == before

    def test_dry_run_stores_nothing(
        self, client: httpx.Client, db: Database, importer_key: str
    ) -> None:
        before = snapshot(db)
        response = client.post(
            "/v1/import",
            params={"dry_run": "true"},
            json=claimreview("https://verifact.example/d"),
            headers=auth(importer_key),
        )
        assert response.json()["created"] == 1
        assert snapshot(db) == before


class TestValidateEndpoint:
    def test_reference_example_is_valid(self, client: httpx.Client) -> None:
        report = client.post("/v1/validate", json=load_json(NETFLIX)).json()
        assert report["valid"] is True
        assert report["errors"] == []
        assert report["claimreviews"] == 1

    def test_errors_and_warnings_are_separated(self, client: httpx.Client, db: Database) -> None:
        document = claimreview(
            "javascript:alert(1)", claim="False: " + "the moon is made of cheese " * 4
        )
        document["reviewRating"] = {
            "@type": "Rating",
            "ratingValue": "abc",
            "bestRating": 1,
            "worstRating": 5,
        }
        before = snapshot(db)
        report = client.post("/v1/validate", json=document).json()
        assert report["valid"] is False
        error_paths = {e["path"] for e in report["errors"]}
        assert {"url", "reviewRating.alternateName", "reviewRating.ratingValue"} <= error_paths
        warnings = " ".join(w["message"] for w in report["warnings"])
        assert "75" in warnings
        assert snapshot(db) == before
