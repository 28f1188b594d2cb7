"""/metrics in Prometheus text format: requests by route template (never a raw id), method and
status; latency histograms; database admission gauges; 429 and 503 counts; import records and
webhook delivery attempts by outcome (across processes with PROMETHEUS_MULTIPROC_DIR)."""

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import auth, load_json, review_body
from tests.operations.conftest import Instance
from tests.webhooks.conftest import Receiver, receiver
from tests.webhooks.test_webhooks import wait_for

__all__ = ["receiver"]  # the fixture, used below


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_by_route_template(
    spawn: Callable[..., Instance], make_review: Callable[..., dict[str, Any]]
) -> None:
    review = make_review()
    instance = spawn(rate_limit_anonymous="3/minute")
    with instance.client() as client:
        for _ in range(3):
            assert client.get(f"/v1/reviews/{review['id']}/claimreview").status_code == 200
        assert client.get("/v1/reviews/999999/claimreview").status_code == 429
        text = client.get("/metrics").text
    template = "/v1/reviews/{review_id}/claimreview"
    assert (
        value(text, "claimreview_http_requests_total", route=template, method="GET", status="200")
        == 3
    )
    assert (
        value(text, "claimreview_http_requests_total", route=template, method="GET", status="429")
        == 1
    )
    assert value(text, "claimreview_rate_limited_responses_total") == 1
    assert (
        value(text, "claimreview_http_request_duration_seconds_count", route=template, method="GET")
        == 4
    )
    assert "claimreview_db_requests_running" in text
    assert "claimreview_db_requests_waiting" in text
    assert "claimreview_db_pool_connections_in_use" in text
    # The instance's copy of the search index holds the one indexed claim once it has polled.
    with instance.client() as client:
        deadline = time.monotonic() + 10
        while value(client.get("/metrics").text, "claimreview_search_memory_claims") != 1:
            assert time.monotonic() < deadline, "the search index was never held in memory"
            time.sleep(0.05)
    routes = {dict(labels).get("route") for (_, labels) in samples(text)}
    assert not any(route and re.search(r"/\d", route) for route in routes), routes


def test_unavailable_answers_are_counted(spawn: Callable[..., Instance], tmp_path: Path) -> None:
    broken = spawn(
        database_url=f"sqlite:///{tmp_path / 'missing' / 'x.db'}", read_cache_entries="0"
    )
    with broken.client() as client:
        assert client.get("/v1/search", params={"q": "moon"}).status_code == 503
        text = client.get("/metrics").text
    assert value(text, "claimreview_unavailable_responses_total", reason="database") == 1
    assert (
        value(
            text, "claimreview_http_requests_total", route="/v1/search", method="GET", status="503"
        )
        == 1
    )


def test_import_records_by_outcome(spawn: Callable[..., Instance], admin_key: str) -> None:
    reference = load_json("examples/netflix-binge-watch-hoax.fr.jsonld")
    instance = spawn()
    with instance.client() as client:
        body = [reference, {"@type": "ClaimReview"}]
        report = client.post("/v1/import", json=body, headers=auth(admin_key)).json()
        assert report["created"] == 1
        assert len(report["rejected"]) == 1
        client.post("/v1/import", json=reference, headers=auth(admin_key))
        text = client.get("/metrics").text
    assert value(text, "claimreview_import_records_total", outcome="created") == 1
    assert value(text, "claimreview_import_records_total", outcome="rejected") == 1
    assert value(text, "claimreview_import_records_total", outcome="unchanged") == 1


def test_webhook_deliveries_are_counted_across_processes(
    spawn: Callable[..., Instance],
    client: httpx.Client,
    make_key: Callable[..., str],
    editor_key: str,
    receiver: Receiver,
    database_url: str,
    tmp_path: Path,
) -> None:
    shared = tmp_path / "prometheus"
    shared.mkdir()
    environment = {"PROMETHEUS_MULTIPROC_DIR": str(shared)}
    instance = spawn(environment)
    hook = client.post(
        "/v1/webhooks", json={"url": receiver.url}, headers=auth(make_key("partner"))
    )
    assert hook.status_code == 201
    receiver.fail_first = 1
    worker = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "deliver", "--poll", "0.05"],
        env={
            **os.environ,
            **environment,
            "CLAIMREVIEW_DATABASE_URL": database_url,
            "CLAIMREVIEW_WEBHOOK_ALLOW_PRIVATE": "true",
            "CLAIMREVIEW_WEBHOOK_RETRY_BASE_SECONDS": "0.05",
        },
    )
    try:
        assert (
            client.post("/v1/reviews", json=review_body(), headers=auth(editor_key)).status_code
            == 201
        )
        wait_for(lambda: len(receiver.received) == 1)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    with instance.client() as api:
        text = api.get("/metrics").text
    assert value(text, "claimreview_webhook_delivery_attempts_total", outcome="failed") == 1
    assert value(text, "claimreview_webhook_delivery_attempts_total", outcome="delivered") == 1
