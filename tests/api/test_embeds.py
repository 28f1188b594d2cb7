"""Embeds: the JSON-LD snippet, the HTML card and oEmbed — escaped for where they land."""

import html
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import LiveServer, _free_port, auth, serve

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
        # One script element, the JSON-LD data block: never run, and CSP forbids any other.
        assert page.count("<script") == 1
        assert page.count("</script>") == 1
        assert '<script type="application/ld+json">' in page
        assert "<img" not in page
        assert html.escape(HOSTILE) in page
        links = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert links
        assert all(link.startswith(("http://", "https://")) for link in links)
        assert 'type="application/json+oembed"' in page

    def test_card_carries_its_claimreview_escaped_and_parsing_back(
        self, client: httpx.Client, hostile: dict[str, Any]
    ) -> None:
        page = client.get(f"/embed/reviews/{hostile['id']}").text
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert len(blocks) == 1
        inner = blocks[0]
        assert "<" not in inner
        assert ">" not in inner
        document = json.loads(inner)
        assert document == client.get(f"/v1/reviews/{hostile['id']}/claimreview").json()
        assert document["claimReviewed"] == HOSTILE
        assert document["reviewRating"]["alternateName"] == HOSTILE
        snippet = client.get(f"/v1/reviews/{hostile['id']}/snippet").text
        assert snippet in page  # the same block, from the same escaping

    def test_verdict_colour_and_word(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review(rating={"label": "Mostly true"})
        page = client.get(f"/embed/reviews/{review['id']}").text
        assert 'class="verdict v-mostly_true">Mostly true<' in page

    @pytest.mark.parametrize(
        ("language", "label", "chip"),
        [
            ("fr", "Faux", "Faux"),  # a catalogue of its own
            ("fr-CA", "Plutôt faux", "Plutôt faux"),  # a region finds its language's catalogue
            ("ar", "زائف", "False"),  # none yet: English
        ],
    )
    def test_the_verdict_chip_speaks_the_reviews_language(
        self,
        client: httpx.Client,
        make_review: Callable[..., dict[str, Any]],
        language: str,
        label: str,
        chip: str,
    ) -> None:
        review = make_review(language=language, rating={"label": label})
        page = client.get(f"/embed/reviews/{review['id']}").text
        assert f'lang="{language}"' in page
        assert f'">{html.escape(chip)}</span><span class="label" dir="auto">' in page

    @pytest.mark.parametrize(
        ("language", "link"),
        [
            ("fr", "Lire la vérification"),
            ("fr-CA", "Lire la vérification"),
            ("en", "Read the fact-check"),
            ("ar", "Read the fact-check"),  # no catalogue yet: English
        ],
    )
    def test_the_link_to_the_article_speaks_the_reviews_language(
        self,
        client: httpx.Client,
        make_review: Callable[..., dict[str, Any]],
        language: str,
        link: str,
    ) -> None:
        review = make_review(language=language)
        page = client.get(f"/embed/reviews/{review['id']}").text
        assert f'rel="noopener noreferrer">{html.escape(link)}</a>' in page
        # oEmbed's html is a frame of that very card.
        oembed = client.get("/oembed", params={"url": review["url"]}).json()
        src = html.unescape(oembed["html"].split('src="')[1].split('"')[0])
        assert f">{html.escape(link)}</a>" in client.get(src).text


class TestOembed:
    def test_for_the_article_url_and_the_embed_url(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]], live_server: Any
    ) -> None:
        review = make_review(url="https://verifact.example/checks/oembed")
        public = live_server.url
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
            assert body["width"] == 560
            assert 120 <= body["height"] <= 300  # a one-line claim (tests/browser measure it)
            assert f'width="560" height="{body["height"]}"' in body["html"]

    def test_maxwidth_is_honoured(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review()
        body = client.get(
            "/oembed", params={"url": review["url"], "maxwidth": 300, "maxheight": 150}
        ).json()
        assert (body["width"], body["height"]) == (300, 150)
        assert 'width="300"' in body["html"]

    def test_height_grows_as_the_width_narrows_and_keeps_under_maxheight(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review(claim={"text": " ".join(["a long claim"] * 30), "language": "en"})

        def size(**params: int) -> tuple[int, int]:
            body = client.get("/oembed", params={"url": review["url"], **params}).json()
            return body["width"], body["height"]

        wide, narrow = size(), size(maxwidth=240)
        assert wide[0] == 560
        assert narrow[0] == 240
        assert narrow[1] > wide[1] * 1.8
        assert size(maxwidth=240, maxheight=200) == (240, 200)

    def test_unknown_url_is_404_and_xml_is_501(
        self, client: httpx.Client, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review = make_review()
        assert client.get("/oembed", params={"url": "https://nowhere.example/x"}).status_code == 404
        assert client.get("/oembed", params={"url": "not a url"}).status_code == 404
        response = client.get("/oembed", params={"url": review["url"], "format": "xml"})
        assert response.status_code == 501
        assert response.headers["content-type"] == "application/problem+json"


def _discovery(page: str) -> str:
    match = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', page)
    assert match is not None
    return html.unescape(match.group(1))


def _links_of(base: str, review_id: int, headers: dict[str, str] | None = None) -> dict[str, str]:
    """The links the card and its oEmbed write, as fetched from the server at `base`."""
    with httpx.Client(base_url=base, timeout=30, headers=headers) as http:
        oembed_url = _discovery(http.get(f"/embed/reviews/{review_id}").text)
        body = http.get("/oembed" + oembed_url.split("/oembed", 1)[1]).json()
    src = re.search(r'src="([^"]+)"', body["html"])
    assert src is not None
    return {
        "oembed": oembed_url,
        "iframe": html.unescape(src.group(1)),
        "provider": body["provider_url"],
    }


class TestPublicUrl:
    """With CLAIMREVIEW_PUBLIC_URL unset, links follow where the request reached the service."""

    def test_links_point_at_the_port_the_server_listens_on(
        self, live_server: LiveServer, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        assert live_server.settings.public_url is None
        review_id = make_review()["id"]
        links = _links_of(live_server.url, review_id)
        embed = f"{live_server.url}/embed/reviews/{review_id}"
        assert (
            links["oembed"] == f"{live_server.url}/oembed?format=json&url={quote(embed, safe='')}"
        )
        assert links["iframe"] == embed
        assert links["provider"] == live_server.url
        assert httpx.get(links["iframe"]).status_code == 200

    def test_command_line_server_on_another_port_writes_links_to_it_only(
        self, live_server: LiveServer, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review_id = make_review()["id"]
        port = _free_port()
        env = {**os.environ, "CLAIMREVIEW_DATABASE_URL": live_server.settings.database_url}
        env.pop("CLAIMREVIEW_PUBLIC_URL", None)
        claimreview = Path(sys.executable).parent / "claimreview"
        with subprocess.Popen(
            [str(claimreview), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        ) as server:
            try:
                base = f"http://127.0.0.1:{port}"
                deadline = time.monotonic() + 30
                while True:
                    try:
                        if httpx.get(f"{base}/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    assert server.poll() is None, server.stderr.read() if server.stderr else ""
                    assert time.monotonic() < deadline, "claimreview serve did not start"
                    time.sleep(0.1)
                # No proxy is trusted by default: forwarded headers change nothing.
                forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
                links = _links_of(base, review_id, headers=forwarded)
            finally:
                server.terminate()
                server.wait(timeout=30)
        assert links["iframe"] == f"{base}/embed/reviews/{review_id}"
        assert links["oembed"].startswith(f"{base}/oembed?")
        assert links["provider"] == base

    def test_host_header_is_followed(
        self, live_server: LiveServer, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review_id = make_review()["id"]
        page = httpx.get(
            f"{live_server.url}/embed/reviews/{review_id}",
            headers={"Host": "factchecks.example:8443"},
        ).text
        assert _discovery(page).startswith("http://factchecks.example:8443/oembed?")

    @pytest.mark.parametrize(
        "host", ['evil.example"><script>x()</script>', "a b", "evil.example/path", "evil@x"]
    )
    def test_a_host_header_that_is_no_host_is_not_echoed(
        self, live_server: LiveServer, make_review: Callable[..., dict[str, Any]], host: str
    ) -> None:
        review_id = make_review()["id"]
        response = httpx.get(f"{live_server.url}/embed/reviews/{review_id}", headers={"Host": host})
        assert response.status_code == 200
        assert _discovery(response.text).startswith(f"{live_server.url}/oembed?")
        assert "evil" not in response.text

    def test_forwarded_headers_are_ignored_from_an_untrusted_peer(
        self, live_server: LiveServer, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review_id = make_review()["id"]
        # (The test server is uvicorn with its defaults, which believe X-Forwarded-Proto from
        # 127.0.0.1; `claimreview serve` does not, as the command-line test shows.)
        links = _links_of(live_server.url, review_id, headers={"X-Forwarded-Host": "evil.example"})
        assert links["iframe"] == f"{live_server.url}/embed/reviews/{review_id}"

    def test_forwarded_headers_are_followed_behind_a_trusted_proxy(
        self, live_server: LiveServer, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review_id = make_review()["id"]
        settings = live_server.settings.model_copy(update={"forwarded_allow_ips": ["127.0.0.1"]})
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "factchecks.example"}
        with (
            serve(settings) as proxied,
            httpx.Client(base_url=proxied.url, headers=forwarded) as http,
        ):
            page = http.get(f"/embed/reviews/{review_id}").text
            body = http.get(
                "/oembed",
                params={"url": f"https://factchecks.example/embed/reviews/{review_id}"},
            ).json()
        assert _discovery(page).startswith("https://factchecks.example/oembed?")
        assert f'src="https://factchecks.example/embed/reviews/{review_id}"' in body["html"]

    def test_a_configured_public_url_is_used_whatever_the_request(
        self, live_server: LiveServer, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        review_id = make_review()["id"]
        settings = live_server.settings.model_copy(
            update={"public_url": "https://factchecks.example/"}
        )
        with serve(settings) as configured:
            links = _links_of(configured.url, review_id)
        assert links["iframe"] == f"https://factchecks.example/embed/reviews/{review_id}"
        assert links["provider"] == "https://factchecks.example"

    def test_feed_link_header_points_at_the_port_served(
        self,
        client: httpx.Client,
        live_server: LiveServer,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        make_review()
        make_review()
        response = client.get("/v1/feed", params={"page_size": 1})
        link = re.fullmatch(r'<([^>]+)>; rel="next"', response.headers["link"])
        assert link is not None
        assert link.group(1).startswith(f"{live_server.url}/v1/feed?")
        assert client.get(link.group(1)).status_code == 200
