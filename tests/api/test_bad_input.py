"""Bad input gets a 4xx problem+json naming the field — never a 500 — and stores nothing."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.storage.database import Database
from tests.api.test_access import snapshot
from tests.conftest import auth, review_body


def _with(path: str, value: Any) -> dict[str, Any]:
    """review_body() with the value at a dotted path replaced."""
    body = review_body()
    target = body
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return body


BAD_REVIEWS = [
    pytest.param(_with("surprise", 1), "surprise", id="unknown-field"),
    pytest.param(_with("claim.surprise", 1), "claim.surprise", id="unknown-nested-field"),
    pytest.param(_with("headline", 42), "headline", id="number-for-text"),
    pytest.param(_with("rating.value", "1"), "rating.value", id="text-for-number"),
    pytest.param(_with("rating.value", True), "rating.value", id="bool-for-number"),
    pytest.param(_with("authors", {"name": "x"}), "authors", id="object-for-list"),
    pytest.param(_with("date_published", "2023-02-30"), "date_published", id="impossible-date"),
    pytest.param(_with("date_published", "3023-01-01"), "date_published", id="future-date"),
    pytest.param(_with("date_published", 1700000000), "date_published", id="number-for-date"),
    pytest.param(_with("claim.claim_date", "yesterday"), "claim.claim_date", id="words-for-date"),
    pytest.param(_with("url", "javascript:alert(1)"), "url", id="javascript-url"),
    pytest.param(_with("url", "data:text/html,<b>x</b>"), "url", id="data-url"),
    pytest.param(_with("url", "/relative/path"), "url", id="relative-url"),
    pytest.param(_with("url", "https://" + "a" * 2100 + ".example/"), "url", id="over-long-url"),
    pytest.param(
        _with("claim.appearances", [{"url": "ftp://files.example/x"}]),
        "claim.appearances.0.url",
        id="ftp-appearance",
    ),
    pytest.param(_with("claim.text", "x" * 10_001), "claim.text", id="over-long-claim"),
    pytest.param(_with("headline", "h" * 1001), "headline", id="over-long-headline"),
    pytest.param(_with("headline", "   "), "headline", id="blank-headline"),
    pytest.param(_with("headline", "nul\x00byte"), "headline", id="nul-character"),
    pytest.param(_with("claim.language", "not a language"), "claim.language", id="bad-language"),
    pytest.param(_with("status", "archived"), "status", id="unknown-status"),
    pytest.param(
        _with("rating", {"label": "False", "best": 1, "worst": 5}),
        "rating.best",
        id="best-below-worst",
    ),
    pytest.param(
        _with("rating", {"label": "False", "value": 9, "best": 5, "worst": 1}),
        "rating.value",
        id="value-off-scale",
    ),
    pytest.param(_with("rating", {"value": 1}), "rating.label", id="missing-label"),
    pytest.param(
        _with("claim.claimant", {"name": "x", "type": "Robot"}),
        "claim.claimant.type",
        id="bad-claimant-type",
    ),
]


class TestInvalidFields:
    @pytest.mark.parametrize(("body", "field"), BAD_REVIEWS)
    def test_invalid_review_is_422_naming_the_field(
        self, client: httpx.Client, db: Database, editor_key: str, body: dict[str, Any], field: str
    ) -> None:
        before = snapshot(db)
        response = client.post("/v1/reviews", json=body, headers=auth(editor_key))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == 422
        assert problem["type"].endswith("validation-error")
        assert field in [e["field"] for e in problem["errors"]], problem
        assert snapshot(db) == before

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            pytest.param({"text": None}, "text", id="null-text"),
            pytest.param({"claim_date": "2021-13-01"}, "claim_date", id="month-13"),
            pytest.param(
                {"appearances": [{"url": "javascript:void(0)"}]},
                "appearances.0.url",
                id="js-appearance",
            ),
            pytest.param(
                {"first_appearance": {"url": "data:,x"}},
                "first_appearance.url",
                id="data-first-appearance",
            ),
        ],
    )
    def test_invalid_claim_patch_changes_nothing(
        self,
        client: httpx.Client,
        db: Database,
        editor_key: str,
        make_review: Callable[..., dict[str, Any]],
        body: dict[str, Any],
        field: str,
    ) -> None:
        review = make_review()
        before = snapshot(db)
        response = client.patch(
            f"/v1/claims/{review['claim_id']}", json=body, headers=auth(editor_key)
        )
        assert response.status_code == 422, response.text
        assert field in [e["field"] for e in response.json()["errors"]]
        assert snapshot(db) == before


class TestUnreadableBodies:
    @pytest.mark.parametrize(
        "raw",
        [
            pytest.param(b'{"url": "https://verifact.example/x",', id="truncated-json"),
            pytest.param(b"{'single': 'quotes'}", id="not-json"),
            pytest.param(b'{"headline": "\xff\xfe broken utf-8"}', id="invalid-utf8"),
            pytest.param(b"", id="empty"),
        ],
    )
    def test_unreadable_body_is_4xx_problem(
        self, client: httpx.Client, db: Database, editor_key: str, raw: bytes
    ) -> None:
        before = snapshot(db)
        response = client.post(
            "/v1/reviews",
            content=raw,
            headers={**auth(editor_key), "Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"]
        assert snapshot(db) == before

    def test_json_array_instead_of_object_is_422(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        response = client.post("/v1/reviews", json=[1, 2], headers=auth(editor_key))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "body"

    def test_body_over_the_limit_is_413(
        self, client: httpx.Client, db: Database, editor_key: str
    ) -> None:
        before = snapshot(db)
        body = review_body(summary="s" * (1024 * 1024 + 10))
        response = client.post("/v1/reviews", json=body, headers=auth(editor_key))
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert snapshot(db) == before

    def test_chunked_body_over_the_limit_is_413(
        self, client: httpx.Client, db: Database, editor_key: str
    ) -> None:
        def chunks() -> Any:
            yield b'{"url": "https://verifact.example/x", "summary": "'
            for _ in range(1100):
                yield b"s" * 1024
            yield b'"}'

        before = snapshot(db)
        response = client.post(
            "/v1/reviews",
            content=chunks(),
            headers={**auth(editor_key), "Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert snapshot(db) == before

    def test_non_numeric_id_in_path_is_422(self, client: httpx.Client) -> None:
        response = client.get("/v1/reviews/abc")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "review_id"

    def test_unknown_path_is_404_problem(self, client: httpx.Client) -> None:
        response = client.get("/v1/nothing-here")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
