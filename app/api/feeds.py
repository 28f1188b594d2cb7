from collections.abc import Iterator
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api.deps import DatabaseDep, SessionDep
from app.api.problems import problems
from app.api.public_url import PublicUrlDep
from app.api.search import TokensDep
from app.domain import feeds
from app.domain.schemas import ChangeList
from app.rules.fields import LanguageTag, QueryDate

router = APIRouter(tags=["distribution"])
JSONLD = "application/ld+json"
NDJSON = "application/x-ndjson"


@router.get(
    "/v1/changes",
    summary="The ordered change log of reviews, for incremental sync",
    responses=problems(400, 422),
)
def list_changes(
    session: SessionDep,
    after: str | None = Query(default=None, max_length=20, description="The last cursor you saw."),
    limit: int = Query(default=100, ge=1, le=1000, description="Changes per response."),
) -> ChangeList:
    return feeds.changes(session, after, limit)


@router.get(
    "/v1/feed",
    summary="Published ClaimReviews as a schema.org DataFeed, newest changes first",
    response_class=Response,
    responses={
        200: {
            "description": "A DataFeed; the next page's URL is in the Link header (rel=next).",
            "content": {JSONLD: {}},
        },
        **problems(400, 422),
    },
)
def get_feed(
    request: Request,
    session: SessionDep,
    tokens: TokensDep,
    public_url: PublicUrlDep,
    publisher: str | None = Query(
        default=None, max_length=253, description="Publisher id or host."
    ),
    language: LanguageTag | None = Query(
        default=None, description="Only reviews in this language."
    ),
    since: QueryDate | None = Query(
        default=None, description="Only changes at or after this time."
    ),
    page_size: int = Query(default=100, ge=1, le=1000, description="Items per page."),
    page_token: str | None = Query(default=None, max_length=4000, description="From Link: next."),
) -> Response:
    body, next_token = feeds.feed_page(
        session,
        tokens,
        publisher=publisher,
        language=language,
        since=since,
        page_size=page_size,
        page_token=page_token,
    )
    headers = {"Cache-Control": "public, max-age=60"}
    if next_token:
        params = {k: v for k, v in request.query_params.items() if k != "page_token"}
        params["page_token"] = next_token
        headers["Link"] = f'<{public_url}{request.url.path}?{urlencode(params)}>; rel="next"'
    return Response(body, media_type=JSONLD, headers=headers)


@router.get(
    "/v1/export",
    summary="Every published ClaimReview as NDJSON, streamed",
    response_class=StreamingResponse,
    responses={200: {"description": "One JSON-LD document per line.", "content": {NDJSON: {}}}},
)
def export(db: DatabaseDep) -> StreamingResponse:
    lines: Iterator[bytes] = feeds.export_lines(db.session)
    return StreamingResponse(lines, media_type=NDJSON)
