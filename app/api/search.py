from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlmodel import Session

from app.api.deps import DatabaseDep, read_json
from app.api.problems import problems
from app.api.read_cache import keep_briefly
from app.domain import search
from app.domain.fields import LanguageTag, QueryDate
from app.domain.page_tokens import PageTokens
from app.domain.schemas import SearchResponse, SearchResult
from app.domain.verdicts import Verdict

router = APIRouter(tags=["search"])


async def get_tokens(request: Request) -> PageTokens:
    tokens: PageTokens = request.app.state.page_tokens
    return tokens


TokensDep = Annotated[PageTokens, Depends(get_tokens)]
Q = Query(default=None, max_length=20_000, description="Free text, any language.")
LANGUAGE = Query(default=None, description="Only claims in this language (BCP 47; region ignored).")
MAX_AGE = Query(
    default=None, ge=1, le=36_500, description="Only claims whose claim or review date is newer."
)
PAGE_TOKEN = Query(default=None, max_length=4000, description="From the previous page.")


@router.get(
    "/v1/search",
    summary="Search claims and their verdicts",
    response_model=SearchResponse,
    responses=problems(400, 422),
)
async def search_claims(
    request: Request,
    db: DatabaseDep,
    tokens: TokensDep,
    q: str | None = Q,
    language: LanguageTag | None = LANGUAGE,
    publisher: str | None = Query(
        default=None, max_length=253, description="Publisher id or site host (subdomains too)."
    ),
    verdict: Verdict | None = Query(default=None, description="Only claims with this verdict."),
    claimant: str | None = Query(default=None, max_length=500, description="Who made the claim."),
    max_age_days: int | None = MAX_AGE,
    since: QueryDate | None = Query(default=None, description="Claim or review date from."),
    until: QueryDate | None = Query(default=None, description="Claim or review date until."),
    page_size: int = Query(default=10, ge=1, le=100, description="Results per page."),
    page_token: str | None = PAGE_TOKEN,
) -> Response:
    query = search.SearchQuery(
        q=q,
        language=language,
        publisher=publisher,
        verdict=verdict.value if verdict else None,
        claimant=claimant,
        max_age_days=max_age_days,
        since=since,
        until=until,
        page_size=page_size,
        page_token=page_token,
    )
    if max_age_days is not None or publisher is not None:
        keep_briefly(request.scope)  # the clock, or a publisher's sites, may change the answer
    return await read_json(db, _search, query, tokens)


def _search(session: Session, query: search.SearchQuery, tokens: PageTokens) -> SearchResponse:
    page = search.search(session, query, tokens)
    return SearchResponse(
        results=[
            SearchResult(claim=r.claim, reviews=r.reviews, score=r.score) for r in page.results
        ],
        next_page_token=page.next_page_token,
    )
