"""A short crowd on both engines (`make bench-load` is the long one): 64 connections on lookup
and search for 3 s. Nothing but 2xx and deliberate 503s, and /healthz answers within a second
throughout and right after."""

import asyncio
import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.operations.conftest import Instance

CONNECTIONS = 64
SECONDS = 3.0


async def _crowd(base: str, paths: list[str]) -> Counter[int]:
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        deadline = time.monotonic() + SECONDS

        async def worker(n: int) -> None:
            i = n
            while time.monotonic() < deadline:
                response = await client.get(paths[i % len(paths)])
                statuses[response.status_code] += 1
                if response.status_code == 503:
                    assert response.headers["retry-after"]
                    assert response.headers["content-type"] == "application/problem+json"
                i += CONNECTIONS

        await asyncio.gather(*(worker(n) for n in range(CONNECTIONS)))
    return statuses


def _probe_health(port: int, stop: threading.Event, worst: list[float]) -> None:
    """A new connection each time, as a load balancer's probe opens one."""
    while not stop.is_set():
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
        connection.close()
        worst.append(time.monotonic() - started)
        stop.wait(0.2)


@pytest.mark.parametrize("cache", ["20000", "0"], ids=["read-cache", "no-cache"])
def test_a_crowd_gets_answers_or_fast_503s_and_healthz_answers(
    spawn: Callable[..., Instance], make_review: Callable[..., dict[str, Any]], cache: str
) -> None:
    for n in range(20):
        make_review(
            claim={
                "text": f"Claim number {n} about vaccines",
                "language": "en",
                "appearances": [{"url": f"https://x.com/p/status/{n}"}],
            }
        )
    instance = spawn(read_cache_entries=cache, max_concurrency="2", queue_timeout_seconds="0.5")
    paths = [f"/v1/lookup?url=https://x.com/p/status/{n}" for n in range(40)]
    paths += [f"/v1/search?q=claim+number+{n}" for n in range(20)]
    port = int(instance.url.rsplit(":", 1)[1])
    stop, worst = threading.Event(), [0.0]
    prober = threading.Thread(target=_probe_health, args=(port, stop, worst))
    prober.start()
    try:
        statuses = asyncio.run(_crowd(instance.url, paths))
        time.sleep(0.3)  # and right after
    finally:
        stop.set()
        prober.join()
    assert statuses[200] > 0
    assert set(statuses) <= {200, 503}, statuses
    assert max(worst) < 1.0, f"/healthz took {max(worst):.2f} s"
