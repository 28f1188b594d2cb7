"""Every write endpoint against every kind of caller: refused requests get 401/403 and leave the
stored data exactly as it was; allowed ones change it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from app.storage.database import Database
from tests.conftest import auth, review_body

CALLERS = ["none", "bad", "revoked", "importer", "partner", "editor_other", "editor_right", "admin"]


@dataclass
class World:
    keys: dict[str, str | None]
    review_id: int
    claim_id: int
    lone_claim_id: int
    victim_key_id: str


@pytest.fixture
def world(
    client: httpx.Client,
    make_publisher: Callable[..., str],
    make_key: Callable[..., str],
) -> World:
    make_publisher("verifact")
    make_publisher("other", sites=["other.example"])
    admin = make_key("admin")
    right = make_key("editor", "verifact")
    revoked = make_key("editor", "verifact")
    victim = client.post("/v1/api-keys", json={"role": "partner"}, headers=auth(admin)).json()
    revoked_id = next(
        k["id"]
        for k in client.get("/v1/api-keys", headers=auth(admin)).json()["api_keys"]
        if revoked.startswith(k["prefix"])
    )
    assert client.delete(f"/v1/api-keys/{revoked_id}", headers=auth(admin)).status_code == 204
    review = client.post("/v1/reviews", json=review_body(), headers=auth(right)).json()
    lone = client.post(
        "/v1/claims", json={"text": "A lone claim", "language": "en"}, headers=auth(right)
    ).json()
    return World(
        keys={
            "none": None,
            "bad": "crk_not-a-real-key",
            "revoked": revoked,
            "importer": make_key("importer"),
            "partner": make_key("partner"),
            "editor_other": make_key("editor", "other"),
            "editor_right": right,
            "admin": admin,
        },
        review_id=review["id"],
        claim_id=review["claim_id"],
        lone_claim_id=lone["id"],
        victim_key_id=victim["id"],
    )


def _publisher(_: World) -> tuple[str, str, Any]:
    return "POST", "/v1/publishers", {"id": "newpub", "name": "New publisher"}


def _claim(_: World) -> tuple[str, str, Any]:
    return "POST", "/v1/claims", {"text": "Another claim", "language": "en"}


def _patch_claim(w: World) -> tuple[str, str, Any]:
    return "PATCH", f"/v1/claims/{w.claim_id}", {"text": "The moon is made of brie"}


def _delete_claim(w: World) -> tuple[str, str, Any]:
    return "DELETE", f"/v1/claims/{w.lone_claim_id}", None


def _review(_: World) -> tuple[str, str, Any]:
    return (
        "POST",
        "/v1/reviews",
        review_body(url="https://verifact.example/new", publisher_id="verifact"),
    )


def _patch_review(w: World) -> tuple[str, str, Any]:
    return "PATCH", f"/v1/reviews/{w.review_id}", {"headline": "Changed"}


def _delete_review(w: World) -> tuple[str, str, Any]:
    return "DELETE", f"/v1/reviews/{w.review_id}", None


def _api_key(_: World) -> tuple[str, str, Any]:
    return "POST", "/v1/api-keys", {"role": "importer"}


def _revoke_key(w: World) -> tuple[str, str, Any]:
    return "DELETE", f"/v1/api-keys/{w.victim_key_id}", None


U, F = 401, 403  # refused: unauthenticated, forbidden
# caller order:       none bad revoked importer partner editor_other editor_right admin
MATRIX: dict[str, tuple[Callable[[World], tuple[str, str, Any]], list[int]]] = {
    "create publisher": (_publisher, [U, U, U, F, F, F, F, 201]),
    "create claim": (_claim, [U, U, U, F, F, 201, 201, 201]),
    "update claim": (_patch_claim, [U, U, U, F, F, F, 200, 200]),
    "delete claim": (_delete_claim, [U, U, U, F, F, F, 204, 204]),
    "create review": (_review, [U, U, U, F, F, F, 201, 201]),
    "update review": (_patch_review, [U, U, U, F, F, F, 200, 200]),
    "delete review": (_delete_review, [U, U, U, F, F, F, 204, 204]),
    "create api key": (_api_key, [U, U, U, F, F, F, F, 201]),
    "revoke api key": (_revoke_key, [U, U, U, F, F, F, F, 204]),
}
CASES = [
    pytest.param(endpoint, caller, statuses[i], id=f"{endpoint}-{caller}")
    for endpoint, (_, statuses) in MATRIX.items()
    for i, caller in enumerate(CALLERS)
]


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    state = {}
    with db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = connection.execute(text(f'SELECT * FROM "{table.name}"')).all()
            state[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return state


@pytest.mark.parametrize(("endpoint", "caller", "expected"), CASES)
def test_write_access(
    client: httpx.Client, db: Database, world: World, endpoint: str, caller: str, expected: int
) -> None:
    method, path, body = MATRIX[endpoint][0](world)
    key = world.keys[caller]
    before = snapshot(db)
    response = client.request(method, path, json=body, headers=auth(key) if key else {})
    assert response.status_code == expected, response.text
    after = snapshot(db)
    if expected in (U, F):
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == expected
        if expected == U:
            assert response.headers["WWW-Authenticate"] == "Bearer"
        assert after == before
    else:
        assert after != before


class TestKeys:
    def test_key_is_shown_once_and_stored_only_as_hash(
        self, client: httpx.Client, db: Database, admin_key: str
    ) -> None:
        created = client.post("/v1/api-keys", json={"role": "importer"}, headers=auth(admin_key))
        assert created.status_code == 201
        secret = created.json()["key"]
        listed = client.get("/v1/api-keys", headers=auth(admin_key)).json()["api_keys"]
        assert all("key" not in k for k in listed)
        with db.engine.connect() as connection:
            stored = [tuple(r) for r in connection.execute(text("SELECT * FROM api_key")).all()]
        assert not any(secret in str(value) for row in stored for value in row)

    def test_revocation_takes_effect_at_once(
        self, client: httpx.Client, admin_key: str, publisher: str
    ) -> None:
        created = client.post(
            "/v1/api-keys",
            json={"role": "editor", "publisher_id": publisher},
            headers=auth(admin_key),
        ).json()
        claim = {"text": "x", "language": "en"}
        assert (
            client.post("/v1/claims", json=claim, headers=auth(created["key"])).status_code == 201
        )
        assert (
            client.delete(f"/v1/api-keys/{created['id']}", headers=auth(admin_key)).status_code
            == 204
        )
        refused = client.post("/v1/claims", json=claim, headers=auth(created["key"]))
        assert refused.status_code == 401
        assert "revoked" in refused.json()["detail"]

    def test_a_key_may_revoke_itself(
        self, client: httpx.Client, make_key: Callable[..., str], admin_key: str
    ) -> None:
        key = make_key("partner")
        own = next(
            k
            for k in client.get("/v1/api-keys", headers=auth(admin_key)).json()["api_keys"]
            if key.startswith(k["prefix"])
        )
        assert client.get("/v1/webhooks", headers=auth(key)).status_code == 200
        assert client.delete(f"/v1/api-keys/{own['id']}", headers=auth(key)).status_code == 204
        refused = client.get("/v1/webhooks", headers=auth(key))
        assert refused.status_code == 401
        assert refused.json()["detail"] == "This API key was revoked."
        assert client.delete(f"/v1/api-keys/{own['id']}", headers=auth(key)).status_code == 401

    def test_editor_key_needs_an_existing_publisher(
        self, client: httpx.Client, admin_key: str
    ) -> None:
        missing = client.post("/v1/api-keys", json={"role": "editor"}, headers=auth(admin_key))
        assert missing.status_code == 422
        unknown = client.post(
            "/v1/api-keys",
            json={"role": "editor", "publisher_id": "nobody"},
            headers=auth(admin_key),
        )
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["field"] == "publisher_id"

    def test_malformed_authorization_header_is_401(self, client: httpx.Client) -> None:
        response = client.post("/v1/claims", json={}, headers={"Authorization": "Basic abc"})
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"

    def test_reads_need_no_key_and_allow_any_origin(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review()
        response = client.get(
            f"/v1/reviews/{review['id']}", headers={"Origin": "https://news.example"}
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"
        preflight = client.options(
            f"/v1/reviews/{review['id']}",
            headers={"Origin": "https://news.example", "Access-Control-Request-Method": "GET"},
        )
        assert preflight.status_code == 200
