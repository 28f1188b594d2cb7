"""The read cache under a crowd: when many ask at once for an answer it does not hold, one
request goes to the database and the others wait for its answer, so a crowd's first request
for a new document never turns into a queue of identical misses (and 503s)."""

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from tests.operations.conftest import Instance
from tests.operations.test_metrics import value


async def _together(base: str, path: str, n: int) -> list[int]:
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        answers = await asyncio.gather(*(client.get(path) for _ in range(n)))
    return [a.status_code for a in answers]


def test_a_crowd_asking_for_one_new_answer_makes_one_miss(
    spawn: Callable[..., Instance], make_review: Callable[..., dict[str, Any]]
) -> None:
    review = make_review()
    # One request at a time on the database, and a short queue: 100 misses would mostly 503.
    instance = spawn(max_concurrency="1", queue_timeout_seconds="0.3")
    path = f"/v1/reviews/{review['id']}/claimreview"
    statuses = asyncio.run(_together(instance.url, path, 100))
    assert statuses == [200] * 100
    with instance.client() as client:
        text = client.get("/metrics").text
    served = value(
        text,
        "claimreview_http_requests_total",
        route="/v1/reviews/{review_id}/claimreview",
        method="GET",
        status="200",
    )
    assert served == 100
    assert value(text, "claimreview_read_cache_hits_total") == 99
