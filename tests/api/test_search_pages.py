"""Search pagination: opaque, signed keyset tokens; every match exactly once, even during writes."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import auth


def walk(
    client: httpx.Client, between: Callable[[int], None] | None = None, **params: Any
) -> list[int]:
    seen: list[int] = []
    token = None
    for page in range(100):
        response = client.get(
            "/v1/search", params={**params, **({"page_token": token} if token else {})}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [r["claim"]["id"] for r in body["results"]]
        token = body.get("next_page_token")
        if token is None:
            return seen
        if between:
            between(page)
    raise AssertionError("too many pages")


class TestPages:
    @pytest.mark.parametrize(
        "params", [{"q": "rumour"}, {"language": "en"}], ids=["text", "filters"]
    )
    def test_walking_pages_returns_each_match_once(
        self,
        client: httpx.Client,
        publish: Callable[..., dict[str, Any]],
        params: dict[str, Any],
    ) -> None:
        created = [
            publish(
                f"Rumour number {i} " + "rumour " * (i % 4),
                date_published=f"2024-01-{1 + i % 5:02d}T00:00:00Z",
            )
            for i in range(23)
        ]
        seen = walk(client, page_size=5, **params)
        assert sorted(seen) == sorted(r["claim_id"] for r in created)
        assert len(seen) == len(set(seen))

    @pytest.mark.parametrize(
        "params", [{"q": "rumour"}, {"language": "en"}], ids=["text", "filters"]
    )
    def test_inserts_between_pages_neither_repeat_nor_hide_matches(
        self,
        client: httpx.Client,
        publish: Callable[..., dict[str, Any]],
        params: dict[str, Any],
    ) -> None:
        original = [
            publish(
                f"Rumour {i} " + "rumour " * (i % 3),
                date_published=f"2024-02-{1 + i % 7:02d}T00:00:00Z",
            )
            for i in range(20)
        ]
        added: list[int] = []

        def insert(page: int) -> None:
            # New claims of every kind of rank: longer and shorter texts, old and new dates.
            for j in range(3):
                review = publish(
                    f"Rumour inserted {page}-{j} " + "rumour " * j,
                    date_published=f"202{j * 2}-03-0{1 + j}T00:00:00Z",
                )
                added.append(review["claim_id"])

        seen = walk(client, between=insert, page_size=4, **params)
        assert len(seen) == len(set(seen)), "a claim came twice"
        assert {r["claim_id"] for r in original} <= set(seen), (
            "a claim that was there all along was missed"
        )
        assert set(seen) <= {r["claim_id"] for r in original} | set(added)

    def test_last_page_has_no_token(
        self, client: httpx.Client, publish: Callable[..., dict[str, Any]]
    ) -> None:
        publish("Only one rumour")
        body = client.get("/v1/search", params={"q": "rumour"}).json()
        assert "next_page_token" not in body

    def test_token_with_other_filters_is_400(
        self, client: httpx.Client, publish: Callable[..., dict[str, Any]]
    ) -> None:
        for i in range(3):
            publish(f"Rumour {i}")
        token = client.get("/v1/search", params={"q": "rumour", "page_size": 1}).json()[
            "next_page_token"
        ]
        for other in (
            {"q": "other"},
            {"q": "rumour", "language": "fr"},
            {"q": "rumour", "verdict": "false"},
        ):
            response = client.get("/v1/search", params={**other, "page_token": token})
            assert response.status_code == 400, other
            assert response.json()["errors"][0]["field"] == "page_token"
        same = client.get("/v1/search", params={"q": "rumour", "page_size": 1, "page_token": token})
        assert same.status_code == 200

    @pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty-signature"])
    def test_tampered_token_is_400(
        self,
        client: httpx.Client,
        publish: Callable[..., dict[str, Any]],
        damage: str,
    ) -> None:
        for i in range(3):
            publish(f"Rumour {i}")
        token = client.get("/v1/search", params={"q": "rumour", "page_size": 1}).json()[
            "next_page_token"
        ]
        body, signature = token.split(".")
        bad = {
            "flip": body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + signature,
            "truncate": token[: len(token) // 2],
            "garbage": "not-a-token",
            "empty-signature": body + ".",
        }[damage]
        response = client.get("/v1/search", params={"q": "rumour", "page_token": bad})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"

    def test_draft_is_never_a_search_result(
        self,
        client: httpx.Client,
        publish: Callable[..., dict[str, Any]],
        editor_key: str,
    ) -> None:
        publish("Rumour in draft", status="draft")
        assert (
            client.get("/v1/search", params={"q": "rumour"}, headers=auth(editor_key)).json()[
                "results"
            ]
            == []
        )
