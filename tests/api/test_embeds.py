"""Embeds: the JSON-LD snippet, the HTML card and oEmbed — escaped for where they land."""

import html
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import auth

HOSTILE = '</script><script>window.pwned=1</script> "><img src=x onerror="window.pwned=1"> \u202bمرحبا\u202c 🧀 & <!--'


@pytest.fixture
def hostile(make_review: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_review(
        headline=HOSTILE,
        rating={"label": HOSTILE, "explanation": HOSTILE},
        claim={"text": HOSTILE, "language": "en", "claimant": {"name": HOSTILE}},
    )


class TestSnippet:
    def test_nothing_can_close_the_script_and_it_parses_back(
        self, client: httpx.Client, hostile: dict[str, Any]
    ) -> None:
        response = client.get(f"/v1/reviews/{hostile['id']}/snippet")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        body = response.text
        match = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>\n', body, re.S)
        assert match is not None
        inner = match.group(1)
        assert "<" not in inner
        assert ">" not in inner
        stored = client.get(f"/v1/reviews/{hostile['id']}/claimreview").json()
        assert json.loads(inner) == stored
        assert stored["claimReviewed"] == HOSTILE

    def test_draft_and_retracted_have_no_snippet(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], editor_key: str
    ) -> None:
        draft = make_review(status="draft")
        assert client.get(f"/v1/reviews/{draft['id']}/snippet").status_code == 404
        review = make_review()
        client.patch(
            f"/v1/reviews/{review['id']}", json={"status": "retracted"}, headers=auth(editor_key)
        )
        assert client.get(f"/v1/reviews/{review['id']}/snippet").status_code == 410


class TestCard:
    def test_card_escapes_every_text_and_forbids_scripts(
        self, client: httpx.Client, hostile: dict[str, Any]
    ) -> None:
        response = client.get(f"/embed/reviews/{hostile['id']}")
        assert response.status_code == 200
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp
        assert "script-src" not in csp  # falls back to default-src 'none': no script runs
        page = response.text
        assert "<script" not in page
        assert "<img" not in page
        assert html.escape(HOSTILE) in page
        links = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert links
        assert all(link.startswith(("http://", "https://")) for link in links)
        assert 'type="application/json+oembed"' in page

    def test_verdict_colour_and_word(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review(rating={"label": "Mostly true"})
        page = client.get(f"/embed/reviews/{review['id']}").text
        assert 'class="verdict v-mostly_true">Mostly true<' in page


class TestOembed:
    def test_for_the_article_url_and_the_embed_url(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], live_server: Any
    ) -> None:
        review = make_review(url="https://verifact.example/checks/oembed")
        public = live_server.settings.public_url
        for url in (
            "http://www.verifact.example/checks/oembed/?utm_source=x",
            f"{public}/embed/reviews/{review['id']}",
        ):
            response = client.get("/oembed", params={"url": url, "format": "json"})
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["version"] == "1.0"
            assert body["type"] == "rich"
            assert body["author_name"] == "Verifact"
            assert f'src="{public}/embed/reviews/{review["id"]}"' in body["html"]
            assert (body["width"], body["height"]) == (560, 220)

    def test_maxwidth_is_honoured(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review()
        body = client.get(
            "/oembed", params={"url": review["url"], "maxwidth": 300, "maxheight": 150}
        ).json()
        assert (body["width"], body["height"]) == (300, 150)
        assert 'width="300"' in body["html"]

    def test_unknown_url_is_404_and_xml_is_501(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review()
        assert client.get("/oembed", params={"url": "https://nowhere.example/x"}).status_code == 404
        assert client.get("/oembed", params={"url": "not a url"}).status_code == 404
        response = client.get("/oembed", params={"url": review["url"], "format": "xml"})
        assert response.status_code == 501
        assert response.headers["content-type"] == "application/problem+json"
