"""README promises that no other test holds: health and readiness, `claimreview export`,
non-default cache and CORS settings, and page tokens shared by instances with one secret."""

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from app.config import Settings
from app.storage.migrate import head_revision
from tests.conftest import LiveServer, serve


class TestHealth:
    def test_healthz_says_the_process_is_up(self, client: httpx.Client) -> None:
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    def test_readyz_names_the_database_that_answered(
        self, client: httpx.Client, live_server: LiveServer
    ) -> None:
        response = client.get("/readyz")
        assert response.status_code == 200
        engine = (
            "postgresql" if live_server.settings.database_url.startswith("postgresql") else "sqlite"
        )
        body = response.json()
        assert {k: body[k] for k in ("status", "database")} == {"status": "ok", "database": engine}
        assert body["revision"] == head_revision()

    def test_readyz_is_503_when_the_database_does_not_answer(self, tmp_path: Path) -> None:
        # A SQLite file in a folder that does not exist cannot be opened.
        missing = f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}"
        with serve(Settings(database_url=missing)) as server:
            healthz = httpx.get(server.url + "/healthz")
            readyz = httpx.get(server.url + "/readyz")
        assert healthz.status_code == 200, "the process is up whatever the database does"
        assert readyz.status_code == 503
        assert readyz.headers["Content-Type"].startswith("application/problem+json")
        assert readyz.json()["status"] == 503


class TestExportCommand:
    def test_writes_every_published_claimreview_as_ndjson(
        self,
        client: httpx.Client,
        database_url: str,
        make_review: Callable[..., dict[str, Any]],
        tmp_path: Path,
    ) -> None:
        published = [make_review(), make_review()]
        make_review(status="draft")
        out = tmp_path / "export.ndjson"
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "export", str(out)],
            env={"CLAIMREVIEW_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        lines = out.read_text(encoding="utf-8").splitlines()
        documents = [json.loads(line) for line in lines]
        assert sorted(d["url"] for d in documents) == sorted(r["url"] for r in published)
        for document in documents:
            assert document["@context"] == "https://schema.org"
            assert document["@type"] == "ClaimReview"
        over_http = [json.loads(line) for line in client.get("/v1/export").text.splitlines()]
        assert sorted(documents, key=lambda d: d["url"]) == sorted(
            over_http, key=lambda d: d["url"]
        )

    def test_writes_to_standard_output_by_default(
        self, database_url: str, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review()
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "export"],
            env={"CLAIMREVIEW_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert [json.loads(line)["url"] for line in done.stdout.splitlines()] == [review["url"]]


class TestSettings:
    def test_cache_max_age_sets_the_claimreview_cache_control(
        self, live_server: LiveServer, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review()
        settings = live_server.settings.model_copy(update={"cache_max_age": 60})
        with serve(settings) as server:
            first = httpx.get(f"{server.url}/v1/reviews/{review['id']}/claimreview")
            again = httpx.get(f"{server.url}/v1/reviews/{review['id']}/claimreview")
        assert first.status_code == again.status_code == 200
        assert first.headers["Cache-Control"] == "public, max-age=60"
        assert again.headers["Cache-Control"] == "public, max-age=60"

    def test_cors_origins_admits_only_the_listed_origins(
        self, live_server: LiveServer, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review()
        settings = live_server.settings.model_copy(
            update={"cors_origins": ["https://partner.example"]}
        )
        path = f"/v1/reviews/{review['id']}"
        with serve(settings) as server:
            listed = httpx.get(server.url + path, headers={"Origin": "https://partner.example"})
            other = httpx.get(server.url + path, headers={"Origin": "https://elsewhere.example"})
            preflight = httpx.options(
                server.url + path,
                headers={
                    "Origin": "https://elsewhere.example",
                    "Access-Control-Request-Method": "GET",
                },
            )
        assert listed.headers["access-control-allow-origin"] == "https://partner.example"
        assert "access-control-allow-origin" not in other.headers
        assert preflight.status_code == 400
        assert "access-control-allow-origin" not in preflight.headers

    def test_a_page_token_works_on_every_instance_with_the_same_secret(
        self, live_server: LiveServer, publish: Callable[..., dict[str, Any]]
    ) -> None:
        for n in range(3):
            publish(f"Shared secret claim number {n}")
        shared = live_server.settings.model_copy(update={"token_secret": "one-secret"})
        other = live_server.settings.model_copy(update={"token_secret": "another-secret"})
        params = {"q": "shared secret claim", "page_size": 2}
        with serve(shared) as first, serve(shared) as second, serve(other) as third:
            page = httpx.get(first.url + "/v1/search", params=params).json()
            token = page["next_page_token"]
            following = httpx.get(second.url + "/v1/search", params={**params, "page_token": token})
            refused = httpx.get(third.url + "/v1/search", params={**params, "page_token": token})
        assert following.status_code == 200
        texts = [r["claim"]["text"] for r in page["results"] + following.json()["results"]]
        assert sorted(texts) == [f"Shared secret claim number {n}" for n in range(3)]
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["field"] == "page_token"
