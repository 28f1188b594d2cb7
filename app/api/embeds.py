import re
from typing import Any

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import HTMLResponse

from app.api.deps import SessionDep
from app.api.problems import problems
from app.api.public_url import PublicUrlDep
from app.domain import embeds
from app.domain.reviews import visible_review
from app.errors import Gone, NotFound, NotImplementedYet
from app.rules.fields import MAX_ID
from app.rules.urls import InvalidURL, normalize_url
from app.rules.verdicts import Verdict
from app.storage import repositories as repo
from app.storage.tables import Review

router = APIRouter(tags=["embeds"])
ReviewId = Path(description="The review's id.", ge=1, le=MAX_ID)
HTML_CACHE = "public, max-age=300"
_EMBED_PATH = re.compile(r"/embed/reviews/([1-9][0-9]{0,18})/?$")
DEFAULT_WIDTH, MAX_HEIGHT = 560, 4000


def _published(session: Any, review_id: int) -> Review:
    review = visible_review(session, review_id, None)
    if review.status != "published" or review.jsonld is None:
        raise Gone(f"Review {review_id} was retracted.")
    return review


@router.get(
    "/v1/reviews/{review_id}/snippet",
    summary="The ClaimReview in a <script type=application/ld+json> block for a page's <head>",
    response_class=HTMLResponse,
    responses=problems(404, 410),
)
def get_snippet(session: SessionDep, review_id: int = ReviewId) -> HTMLResponse:
    review = _published(session, review_id)
    assert review.jsonld is not None
    return HTMLResponse(
        embeds.snippet(review.jsonld),
        headers={"Cache-Control": HTML_CACHE, "ETag": review.jsonld_etag or ""},
    )


@router.get(
    "/embed/reviews/{review_id}",
    summary="A small self-contained HTML card: claim, verdict, publisher, date, link",
    response_class=HTMLResponse,
    responses=problems(404, 410),
)
def get_card(
    session: SessionDep, public_url: PublicUrlDep, review_id: int = ReviewId
) -> HTMLResponse:
    review = _published(session, review_id)
    assert review.jsonld is not None
    embed_url = f"{public_url}/embed/reviews/{review_id}"
    page = embeds.card(
        _card_data(session, review), embeds.oembed_href(public_url, embed_url), review.jsonld
    )
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": embeds.CARD_CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": HTML_CACHE,
        },
    )


def _card_data(session: Any, review: Review) -> embeds.CardData:
    claim = repo.get_claim(session, review.claim_id)
    publisher = repo.get_publisher(session, review.publisher_id)
    assert claim is not None
    assert publisher is not None
    assert review.id is not None
    return embeds.CardData(
        review_id=review.id,
        claim=claim.text,
        claim_language=claim.language,
        verdict=Verdict(review.verdict),
        label=review.rating_label,
        headline=review.headline,
        review_url=review.url,
        review_language=review.language,
        publisher=publisher.name,
        date_published=review.date_published,
    )


def _review_for(session: Any, public_url: str, url: str) -> Review:
    """oEmbed's url: our embed URL, or the fact-check article's own address. A page that checks
    several claims embeds the card of its most recently changed published review (the others
    have their own `/embed/reviews/{id}` URLs)."""
    if url.startswith(public_url + "/"):
        match = _EMBED_PATH.match(url[len(public_url) :].split("?", 1)[0])
        if match:
            return _published(session, int(match.group(1)))
    try:
        review_id = repo.latest_review_id_at(session, normalize_url(url))
    except InvalidURL as exc:
        raise NotFound(f"No fact-check at {url!r}: {exc}") from exc
    if review_id is None:
        raise NotFound(f"No fact-check at {url}.")
    return _published(session, review_id)


@router.get(
    "/oembed",
    summary="oEmbed 1.0 (rich) for a review's article URL or its /embed URL",
    responses=problems(404, 410, 422, 501),
)
def oembed(
    session: SessionDep,
    public_url: PublicUrlDep,
    response: Response,
    url: str = Query(max_length=2048, description="The fact-check's URL or its embed URL."),
    format: str = Query(default="json", pattern="^(json|xml)$", description="Only json."),
    maxwidth: int | None = Query(default=None, ge=100, le=4000, description="Widest allowed."),
    maxheight: int | None = Query(default=None, ge=80, le=4000, description="Tallest allowed."),
) -> dict[str, Any]:
    if format == "xml":
        raise NotImplementedYet("Only format=json is offered.")
    review = _review_for(session, public_url, url)
    publisher = repo.get_publisher(session, review.publisher_id)
    assert publisher is not None
    card = _card_data(session, review)
    width = min(DEFAULT_WIDTH, maxwidth or DEFAULT_WIDTH)
    # As tall as the card is at that width (its claim wraps onto more lines when narrower).
    height = min(embeds.card_height(card, width), maxheight or MAX_HEIGHT)
    title = review.headline or card.claim
    embed_url = f"{public_url}/embed/reviews/{review.id}"
    response.headers["Cache-Control"] = HTML_CACHE
    return {
        "version": "1.0",
        "type": "rich",
        "title": title,
        "author_name": publisher.name,
        "author_url": publisher.url,
        "provider_name": "claimreview-api",
        "provider_url": public_url,
        "cache_age": 3600,
        "width": width,
        "height": height,
        "html": embeds.iframe(embed_url, width, height, title),
    }
