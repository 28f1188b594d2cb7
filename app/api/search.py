from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request

from app.api.deps import SessionDep
from app.api.problems import problems
from app.claimreview.google import (
    GoogleClaim,
    GoogleClaimReview,
    GoogleClaimsResponse,
    GooglePublisher,
)
from app.domain import search
from app.domain.fields import LanguageTag, QueryDate
from app.domain.page_tokens import PageTokens
from app.domain.schemas import SearchResponse, SearchResult
from app.domain.verdicts import Verdict
from app.errors import Unprocessable

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
    responses=problems(400, 422),
)
def search_claims(
    session: SessionDep,
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
) -> SearchResponse:
    page = search.search(
        session,
        search.SearchQuery(
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
        ),
        tokens,
    )
    return SearchResponse(
        results=[
            SearchResult(claim=r.claim, reviews=r.reviews, score=r.score) for r in page.results
        ],
        next_page_token=page.next_page_token,
    )


def _site(publisher_sites: list[str], url: str) -> str:
    if publisher_sites:
        return publisher_sites[0]
    return (urlsplit(url).hostname or "").removeprefix("www.")


@router.get(
    "/v1alpha1/claims:search",
    summary="Google Fact Check Tools compatible search",
    responses=problems(400, 422),
)
def google_claims_search(
    session: SessionDep,
    tokens: TokensDep,
    query: str | None = Query(default=None, max_length=20_000, description="Textual query."),
    language_code: LanguageTag | None = Query(
        default=None, alias="languageCode", description="BCP 47 language; region ignored."
    ),
    review_publisher_site_filter: str | None = Query(
        default=None,
        alias="reviewPublisherSiteFilter",
        max_length=253,
        description="Only reviews by the publisher of this site, e.g. `factuel.afp.com`.",
    ),
    max_age_days: int | None = Query(
        default=None, alias="maxAgeDays", ge=1, le=36_500, description="Maximum age in days."
    ),
    page_size: int = Query(default=10, alias="pageSize", ge=1, le=100, description="Page size."),
    page_token: str | None = Query(
        default=None, alias="pageToken", max_length=4000, description="From the previous page."
    ),
    offset: int = Query(
        default=0, ge=0, le=10_000, description="Start position; used only without pageToken."
    ),
) -> GoogleClaimsResponse:
    if not (query or "").strip() and not review_publisher_site_filter:
        raise Unprocessable(
            "query is required unless reviewPublisherSiteFilter is given.",
            errors=[{"field": "query", "message": "required without reviewPublisherSiteFilter"}],
        )
    page = search.search(
        session,
        search.SearchQuery(
            q=query,
            language=language_code,
            publisher=review_publisher_site_filter,
            max_age_days=max_age_days,
            page_size=page_size,
            page_token=page_token,
            offset=offset,
        ),
        tokens,
    )
    claims = []
    for result in page.results:
        claim = result.claim
        claims.append(
            GoogleClaim(
                text=claim.text,
                claimant=claim.claimant.name if claim.claimant else None,
                claim_date=claim.claim_date,
                claim_review=[
                    GoogleClaimReview(
                        publisher=GooglePublisher(
                            name=result.publishers[r.publisher_id].name,
                            site=_site(result.publishers[r.publisher_id].sites, r.url),
                        ),
                        url=r.url,
                        title=r.headline,
                        review_date=r.date_published,
                        textual_rating=r.rating.label,
                        language_code=r.language,
                    )
                    for r in result.reviews
                ],
            )
        )
    return GoogleClaimsResponse(claims=claims, next_page_token=page.next_page_token)
