"""Rate limits, in memory and in Redis: per address without a key, per key with one; 429
problem+json with Retry-After; RateLimit-* headers on every answer; X-Forwarded-For believed
only from the proxies listed in CLAIMREVIEW_FORWARDED_ALLOW_IPS."""

from collections.abc import Callable

import httpx
import pytest

from tests.conftest import auth
from tests.operations.conftest import Instance

LOOKUP = "/v1/lookup?url=https://x.com/a/status/1"


@pytest.fixture(params=["memory", "redis"])
def limited(request: pytest.FixtureRequest, spawn: Callable[..., Instance]) -> Instance:
    settings = {"rate_limit_anonymous": "5/minute", "rate_limit_key": "8/minute"}
    if request.param == "redis":
        settings["redis_url"] = request.getfixturevalue("redis_url")
    return spawn(**settings)


def spend(client: httpx.Client, n: int, **headers: str) -> list[httpx.Response]:
    return [client.get(LOOKUP, headers=headers) for _ in range(n)]


def test_anonymous_calls_count_down_then_get_429(limited: Instance) -> None:
    with limited.client() as client:
        answers = spend(client, 5)
        assert [r.status_code for r in answers] == [200] * 5
        assert [r.headers["ratelimit-limit"] for r in answers] == ["5"] * 5
        assert [int(r.headers["ratelimit-remaining"]) for r in answers] == [4, 3, 2, 1, 0]
        assert all(0 <= int(r.headers["ratelimit-reset"]) <= 60 for r in answers)
        refused = client.get(LOOKUP)
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["ratelimit-remaining"] == "0"
        # Operations never count against anyone.
        assert client.get("/healthz").status_code == 200
        assert client.get("/metrics").status_code == 200


def test_a_key_has_its_own_budget(limited: Instance, admin_key: str) -> None:
    with limited.client() as client:
        assert {r.status_code for r in spend(client, 6)} == {200, 429}
        keyed = spend(client, 8, **auth(admin_key))
        assert [r.status_code for r in keyed] == [200] * 8
        assert keyed[0].headers["ratelimit-limit"] == "8"
        assert client.get(LOOKUP, headers=auth(admin_key)).status_code == 429


def test_forwarded_for_is_believed_only_from_listed_proxies(
    spawn: Callable[..., Instance],
) -> None:
    trusting = spawn(rate_limit_anonymous="2/minute", forwarded_allow_ips='["127.0.0.1"]')
    with trusting.client() as client:
        first = spend(client, 3, **{"X-Forwarded-For": "203.0.113.5"})
        assert [r.status_code for r in first] == [200, 200, 429]
        # Another client behind the same proxy has a budget of its own.
        other = client.get(LOOKUP, headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.5"})
        assert other.status_code == 429  # the nearest untrusted hop is 203.0.113.5
        fresh = client.get(LOOKUP, headers={"X-Forwarded-For": "198.51.100.7"})
        assert fresh.status_code == 200
    untrusting = spawn(rate_limit_anonymous="2/minute")
    with untrusting.client() as client:
        spoofed = [
            client.get(LOOKUP, headers={"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(3)
        ]
        assert [r.status_code for r in spoofed] == [200, 200, 429]


def test_an_empty_setting_turns_the_limit_off(spawn: Callable[..., Instance]) -> None:
    with spawn(rate_limit_anonymous="").client() as client:
        answers = spend(client, 20)
        assert {r.status_code for r in answers} == {200}
        assert "ratelimit-limit" not in answers[0].headers
