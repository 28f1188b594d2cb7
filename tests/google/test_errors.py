"""Every error under /v1alpha1 in Google's shape, `{"error": {"code", "message", "status"}}` as
application/json, whichever layer refuses the request; problem+json everywhere else."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.errors import google_error
from tests.conftest import serve

SEARCH = "/v1alpha1/claims:search"


def google(response: httpx.Response, code: int, status: str) -> dict[str, Any]:
    """The error of a Google-shaped response, checked for its code, status and media type."""
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert (error["code"], error["status"]) == (code, status)
    assert error["message"]
    return error


class TestRouting:
    @pytest.mark.parametrize(
        "path", ["/v1alpha1", "/v1alpha1/claims:lookup", "/v1alpha1/claims/search", "/v1alpha1/x/y"]
    )
    def test_an_unknown_path_is_not_found(self, client: httpx.Client, path: str) -> None:
        google(client.get(path), 404, "NOT_FOUND")

    def test_another_method_is_405_with_allow(self, client: httpx.Client) -> None:
        response = client.delete(SEARCH, params={"query": "x"})
        google(response, 405, "NOT_FOUND")
        assert "GET" in response.headers["allow"]

    def test_outside_v1alpha1_errors_stay_problem_details(self, client: httpx.Client) -> None:
        for response in (client.get("/v1/nowhere"), client.get("/v1/search")):
            assert response.headers["content-type"] == "application/problem+json"
            assert "error" not in response.json()
            assert response.json()["status"] == response.status_code

    def test_a_nul_in_the_query_is_invalid_argument(self, client: httpx.Client) -> None:
        google(client.get(SEARCH + "?query=a%00b"), 400, "INVALID_ARGUMENT")

    def test_a_body_over_the_limit_is_413(self, client: httpx.Client) -> None:
        response = client.post(SEARCH, content=b"x" * (2 * 1024 * 1024))
        error = google(response, 413, "INVALID_ARGUMENT")
        assert "larger than the limit" in error["message"]


class TestStatusMapping:
    """The mapping of the service's statuses to Google's (google.rpc.Code and its HTTP status),
    for the statuses no claims route gives yet (the pages routes will)."""

    @pytest.mark.parametrize(
        ("ours", "sent", "status"),
        [
            (400, 400, "INVALID_ARGUMENT"),
            (401, 401, "UNAUTHENTICATED"),
            (403, 403, "PERMISSION_DENIED"),
            (404, 404, "NOT_FOUND"),
            (409, 409, "ALREADY_EXISTS"),
            (410, 404, "NOT_FOUND"),
            (412, 409, "ABORTED"),
            (413, 413, "INVALID_ARGUMENT"),
            (422, 400, "INVALID_ARGUMENT"),
            (429, 429, "RESOURCE_EXHAUSTED"),
            (500, 500, "INTERNAL"),
            (503, 503, "UNAVAILABLE"),
            (418, 418, "FAILED_PRECONDITION"),
        ],
    )
    def test_status(self, ours: int, sent: int, status: str) -> None:
        code, body = google_error(ours, "What went wrong.")
        assert code == sent
        assert body == {"error": {"code": sent, "message": "What went wrong.", "status": status}}

    def test_field_errors_name_parameters_as_google_spells_them(self) -> None:
        _, body = google_error(
            422,
            "page_token: invalid",
            [{"field": "page_token", "message": "invalid"}, {"field": "query", "message": "long"}],
        )
        assert body["error"]["message"] == "Invalid pageToken: invalid; Invalid query: long"
        assert body["error"]["details"][0]["fieldViolations"] == [
            {"field": "pageToken", "description": "invalid"},
            {"field": "query", "description": "long"},
        ]

    def test_a_conflict_keeps_its_message_without_violations(self) -> None:
        _, body = google_error(409, "url: taken", [{"field": "url", "message": "taken"}])
        assert body == {"error": {"code": 409, "message": "url: taken", "status": "ALREADY_EXISTS"}}


def _settings(database_url: str, **overrides: Any) -> Settings:
    options: dict[str, Any] = {
        "database_url": database_url,
        "token_secret": "test-secret",
        "rate_limit_anonymous": "",
        "rate_limit_key": "",
        **overrides,
    }
    return Settings(**options)


class TestRefusedBeforeTheRoute:
    def test_over_the_rate_limit_is_resource_exhausted_with_retry_after(
        self, database_url: str
    ) -> None:
        settings = _settings(database_url, rate_limit_anonymous="2/minute")
        with serve(settings) as server, httpx.Client(base_url=server.url, timeout=30) as http:
            answers = [http.get(SEARCH, params={"query": "x"}).status_code for _ in range(2)]
            assert answers == [200, 200]
            refused = http.get(SEARCH, params={"query": "x"})
            error = google(refused, 429, "RESOURCE_EXHAUSTED")
            assert "More than 2 requests" in error["message"]
            assert 1 <= int(refused.headers["retry-after"]) <= 60
            native = http.get("/v1/search", params={"q": "x"})
            assert native.status_code == 429
            assert native.headers["content-type"] == "application/problem+json"

    def test_an_unreachable_database_is_unavailable_with_retry_after(self, tmp_path: Path) -> None:
        missing = tmp_path / "no-such-directory" / "claimreview.db"
        settings = _settings(f"sqlite:///{missing}", read_cache_entries=0)
        with serve(settings) as server, httpx.Client(base_url=server.url, timeout=30) as http:
            for response in (
                http.get(SEARCH, params={"query": "moon"}),
                http.get("/v1alpha1/claims:imageSearch", params={"imageUri": "https://a.b/c.png"}),
            ):
                error = google(response, 503, "UNAVAILABLE")
                assert error["message"] == "The database is not answering; try again in a moment."
                assert response.headers["retry-after"] == "1"

    @pytest.fixture
    def one_slot(self, database_url: str) -> Iterator[str]:
        """A server admitting one request at a time and queueing none, its slot held by a
        request whose body arrives slowly (FastAPI reads a body before the route runs)."""
        # No read cache: an answer cached before the slot is taken would be served from it.
        settings = _settings(database_url, max_concurrency=1, max_queue=0, read_cache_entries=0)
        with serve(settings) as server:
            released = threading.Event()

            def slow_body() -> Iterator[bytes]:
                yield b'{"text": '
                released.wait(10)
                yield b'"x"}'

            def hold() -> None:
                with httpx.Client(base_url=server.url, timeout=30) as http:
                    http.post("/v1/claims", content=slow_body())

            holder = threading.Thread(target=hold)
            holder.start()
            # Until the slow request holds the slot: a request sent before it would take the
            # slot itself, and the slow one would be the one refused.
            admission = server.app.state.admission
            deadline = time.monotonic() + 10
            while admission.running < 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            try:
                yield server.url
            finally:
                released.set()
                holder.join(timeout=30)

    def test_at_capacity_is_unavailable_with_retry_after(self, one_slot: str) -> None:
        with httpx.Client(base_url=one_slot, timeout=30) as http:
            response = http.get(SEARCH, params={"query": "x"})
            error = google(response, 503, "UNAVAILABLE")
            assert error["message"] == "The service is at capacity; try again in a moment."
            assert response.headers["retry-after"] == "1"


def test_the_openapi_document_declares_googles_errors_under_v1alpha1(
    client: httpx.Client,
) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    google_paths = [p for p in paths if p.startswith("/v1alpha1/")]
    assert {"/v1alpha1/claims:search", "/v1alpha1/claims:imageSearch"} <= set(google_paths)
    for path, operations in paths.items():
        for operation in operations.values():
            errors = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
            media = {m for r in errors.values() for m in r["content"]}
            if path in google_paths:
                assert "422" not in errors, path
                assert {"400", "429", "503"} <= set(errors), path
                assert media == {"application/json"}, path
                refs = {r["content"]["application/json"]["schema"]["$ref"] for r in errors.values()}
                assert refs == {"#/components/schemas/GoogleError"}, path
            else:
                assert "application/problem+json" in media, path
                assert "GoogleError" not in str(errors), path
