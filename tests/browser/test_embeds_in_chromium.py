"""The snippet, the card and its oEmbed in a real browser (headless Chromium through Playwright):
hostile text shows literally, nothing runs, the JSON-LD in the page and in the card parses back
to the stored document, and the oEmbed frame is tall enough for the whole card at any width."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext

from tests.api.test_embeds import HOSTILE
from tests.browser.chromium import needs_chromium
from tests.conftest import LiveServer

pytestmark = needs_chromium
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"
LONG_CLAIM = (
    "Netflix a écrit à un abonné pour vérifier qu'il allait bien après qu'il a regardé les 188 "
    "épisodes de The Office en une semaine, et la plateforme enverrait désormais ce message à "
    "tous ceux qui regardent plus de dix heures de séries par jour sans interruption"
)
JSONLD = "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"


@pytest.fixture
def hostile_review(make_review: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_review(
        headline=HOSTILE,
        rating={"label": HOSTILE, "explanation": HOSTILE},
        claim={"text": HOSTILE, "language": "en", "claimant": {"name": HOSTILE}},
    )


def test_page_with_snippet_and_card_runs_nothing_and_shows_text_literally(
    client: httpx.Client,
    live_server: LiveServer,
    hostile_review: dict[str, Any],
    context: BrowserContext,
    tmp_path: Path,
) -> None:
    review_id = hostile_review["id"]
    snippet = client.get(f"/v1/reviews/{review_id}/snippet").text
    card_url = f"{live_server.url}/embed/reviews/{review_id}"
    article = tmp_path / "article.html"
    article.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        + snippet
        + "</head><body><h1>An article</h1>"
        + f'<iframe src="{card_url}" width="560" height="220"></iframe></body></html>',
        encoding="utf-8",
    )
    page = context.new_page()
    page.goto(article.as_uri())
    card = page.frame_locator("iframe").locator("article.card")
    card.wait_for()
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.evaluate("document.scripts.length") == 1  # the JSON-LD block alone
    document = page.evaluate(JSONLD)
    assert document == client.get(f"/v1/reviews/{review_id}/claimreview").json()
    assert document["claimReviewed"] == HOSTILE
    frame = page.frame(url=card_url)
    assert frame is not None
    assert frame.evaluate("typeof window.pwned") == "undefined"


def test_card_shows_hostile_text_as_text_and_carries_its_claimreview(
    client: httpx.Client,
    live_server: LiveServer,
    hostile_review: dict[str, Any],
    context: BrowserContext,
) -> None:
    review_id = hostile_review["id"]
    page = context.new_page()
    page.set_viewport_size({"width": 600, "height": 400})
    page.goto(f"{live_server.url}/embed/reviews/{review_id}")
    assert page.locator("img").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.evaluate("[...document.scripts].map(s => s.type)") == ["application/ld+json"]
    assert page.locator("p.claim").text_content() == HOSTILE
    document = page.evaluate(JSONLD)
    assert document == client.get(f"/v1/reviews/{review_id}/claimreview").json()
    assert document["claimReviewed"] == HOSTILE
    OUTPUT.mkdir(parents=True, exist_ok=True)
    screenshot = OUTPUT / "card.png"
    page.screenshot(path=screenshot)
    assert screenshot.stat().st_size > 1000
    print(f"card screenshot: {screenshot}")


@pytest.mark.parametrize("claim", [LONG_CLAIM, HOSTILE, "The moon is made of cheese"])
def test_oembed_frame_shows_the_whole_card_at_each_width(
    client: httpx.Client,
    make_review: Callable[..., dict[str, Any]],
    context: BrowserContext,
    claim: str,
) -> None:
    review = make_review(
        rating={"label": "Faux : c'est un canular repris d'un site parodique"},
        claim={"text": claim, "language": "fr"},
    )
    page = context.new_page()
    page.set_viewport_size({"width": 1000, "height": 1400})
    heights = []
    for width in (240, 320, 480, 640):
        body = client.get("/oembed", params={"url": review["url"], "maxwidth": width}).json()
        assert body["width"] == min(width, 560)
        heights.append(body["height"])
        page.set_content(
            f"<!doctype html><html><body style='margin:0'>{body['html']}</body></html>"
        )
        frame_box = page.locator("iframe").bounding_box()
        assert frame_box is not None
        assert (frame_box["width"], frame_box["height"]) == (body["width"], body["height"])
        # The review is in its claim's language, French: so is the card's link.
        link = page.frame_locator("iframe").get_by_role("link", name="Lire la vérification")
        link.wait_for()
        inside = link.evaluate(
            "a => { const r = a.getBoundingClientRect();"
            " return [r.left, r.top, r.right, r.bottom, innerWidth, innerHeight]; }"
        )
        left, top, right, bottom, view_width, view_height = inside
        assert (view_width, view_height) == (body["width"], body["height"])
        assert 0 <= left < right <= view_width, (width, inside)
        assert 0 <= top < bottom <= view_height, (width, inside)
        # The frame is not much taller than the card either: a little room, not a gap.
        card_bottom = (
            page.frame_locator("iframe")
            .locator("article.card")
            .evaluate("c => c.getBoundingClientRect().bottom")
        )
        assert card_bottom <= view_height <= card_bottom + 120, (width, card_bottom)
    assert heights == sorted(heights, reverse=True)  # narrower, taller
