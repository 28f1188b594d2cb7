"""Image search (Google's `claims:imageSearch`): the claims that circulated as an image, found
by the image's address among the claims' appearances, normalised like every URL."""

from datetime import UTC, datetime

from sqlmodel import Session

from app.domain.page_tokens import PageTokens, fingerprint
from app.domain.search import Result, SearchPage, load_results, matching_reviews
from app.errors import BadRequest
from app.rules.urls import InvalidURL, normalize_url
from app.search.documents import primary_language
from app.search.ranking import Hit
from app.storage import repositories as repo

_NO_DATE = datetime(1970, 1, 1, tzinfo=UTC)


def image_search(
    session: Session,
    tokens: PageTokens,
    image_uri: str,
    review_language: str | None = None,
    page_size: int = 10,
    offset: int = 0,
    page_token: str | None = None,
) -> SearchPage:
    """Claims seen as `image_uri` with a published review (in `review_language` when given,
    listing only those reviews), newest claim first. A page token continues after the last
    claim of its page; `offset` counts only without one, as Google's API says."""
    try:
        url_key = normalize_url(image_uri)
    except InvalidURL as exc:
        raise BadRequest(
            f"image_uri: {exc}", errors=[{"field": "image_uri", "message": str(exc)}]
        ) from exc
    language = primary_language(review_language) if review_language else None
    bound_to = fingerprint("image", url_key, language)
    before_id = None
    if page_token:
        state = tokens.decode_bound(page_token, bound_to)
        before_id, offset = int(state["b"]), 0
    ids = repo.claim_ids_seen_at(session, url_key, language, before_id, page_size + 1, offset)
    more, ids = len(ids) > page_size, ids[:page_size]
    results: list[Result] = load_results(session, [Hit(i, 0.0, _NO_DATE) for i in ids])
    if language:
        results = matching_reviews(session, results, None, language)
    next_token = tokens.encode({"f": bound_to, "b": ids[-1]}) if more else None
    return SearchPage(results, next_token)
