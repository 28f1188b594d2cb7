"""The snippet and the card in a real browser (headless Chromium): hostile text shows literally,
nothing runs, and the JSON-LD in the page parses back to the stored document."""

import html
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.test_embeds import HOSTILE
from tests.conftest import MISSING, LiveServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"
if CHROMIUM is None:
    print(
        "browser tests skipped: no chromium on PATH (Debian's `chromium` package; .ci/run installs it)"
    )
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason=f"{MISSING} no chromium on PATH (apt-get install chromium)"
    ),
]


def chromium(profile: Path, *args: str) -> str:
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=3000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture
def hostile_review(make_review: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_review(
        headline=HOSTILE,
        rating={"label": HOSTILE, "explanation": HOSTILE},
        claim={"text": HOSTILE, "language": "en", "claimant": {"name": HOSTILE}},
    )


def test_page_with_snippet_and_card_runs_nothing_and_shows_text_literally(
    client: httpx.Client, live_server: LiveServer, hostile_review: dict[str, Any], tmp_path: Path
) -> None:
    review_id = hostile_review["id"]
    snippet = client.get(f"/v1/reviews/{review_id}/snippet").text
    card_url = f"{live_server.url}/embed/reviews/{review_id}"
    page = tmp_path / "article.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        + snippet
        + "</head><body><h1>An article</h1>"
        + f'<iframe src="{card_url}" width="560" height="220"></iframe>'
        + "<script>"
        + "document.body.setAttribute('data-pwned', typeof window.pwned);"
        + "var ld = document.querySelectorAll('script[type=\"application/ld+json\"]');"
        + "document.body.setAttribute('data-scripts', String(document.scripts.length));"
        + "document.body.setAttribute('data-jsonld', ld.length === 1 ? ld[0].textContent : '');"
        + "</script></body></html>",
        encoding="utf-8",
    )
    dom = chromium(tmp_path / "profile", "--dump-dom", page.as_uri())
    body = re.search(r"<body([^>]*)>", dom)
    assert body is not None
    attributes = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', body.group(1)))
    assert attributes["data-pwned"] == "undefined"
    assert attributes["data-scripts"] == "2"  # the JSON-LD block and the page's own script
    document = json.loads(html.unescape(attributes["data-jsonld"]))
    assert document == client.get(f"/v1/reviews/{review_id}/claimreview").json()
    assert document["claimReviewed"] == HOSTILE


def test_card_shows_hostile_text_as_text(
    live_server: LiveServer, hostile_review: dict[str, Any], tmp_path: Path
) -> None:
    card_url = f"{live_server.url}/embed/reviews/{hostile_review['id']}"
    dom = chromium(tmp_path / "profile", "--dump-dom", card_url)
    assert "<img" not in dom
    assert dom.count("<script") == 0
    claim = re.search(r'<p class="claim"[^>]*>(.*?)</p>', dom, re.S)
    assert claim is not None
    assert html.unescape(claim.group(1)) == HOSTILE
    OUTPUT.mkdir(parents=True, exist_ok=True)
    screenshot = OUTPUT / "card.png"
    screenshot.unlink(missing_ok=True)
    chromium(tmp_path / "profile2", f"--screenshot={screenshot}", "--window-size=600,260", card_url)
    assert screenshot.stat().st_size > 1000
    print(f"card screenshot: {screenshot}")
