"""Google Fact Check Tools API v1alpha1, claims side: `claims:search` and `claims:imageSearch`
with the parameters, field names and semantics of Google's discovery document, so Google's own
client libraries work with only the base URL changed. Errors under /v1alpha1 are rendered in
Google's shape by `app.errors.error_response`; `fields=` partial responses by `respond`.

The helpers here (`partial_fields`, `respond`) are what any /v1alpha1 route uses."""

from collections.abc import Callable
from urllib.parse import urlsplit

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app.api.deps import SessionDep
from app.api.problems import problems
from app.api.read_cache import keep_briefly
from app.api.search import TokensDep
from app.api.search_mirror import SearchMirror
from app.claimreview import fieldmask
from app.claimreview.google import (
    GoogleClaim,
    GoogleClaimReview,
    GoogleClaimsResponse,
    GoogleImageSearchResponse,
    GoogleImageSearchResult,
    GooglePublisher,
)
from app.domain import image_search, search
from app.errors import BadRequest, Unprocessable
from app.rules.fields import LanguageTag

router = APIRouter(tags=["google"])

INT32_MAX = 2**31 - 1
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000
# maxAgeDays beyond a century reaches before any fact-check: no limit (and no date overflow).
MAX_AGE_DAYS = 36_500


def partial_fields(model: type[BaseModel]) -> Callable[[str | None], fieldmask.Mask]:
    """A dependency reading Google's `fields=` selector for a route answering `model`: parsed
    and checked against the model's fields before the route runs, so a bad selector is a 400
    INVALID_ARGUMENT naming `fields` and costs no query."""
    schema = model.model_json_schema(by_alias=True, mode="serialization")

    def fields_mask(
        fields: str | None = Query(
            default=None,
            max_length=fieldmask.MAX_LENGTH,
            description="Partial response: the fields to return, in Google's syntax, e.g. "
            "`claims(text,claimReview(url,textualRating)),nextPageToken` or `claims.text`.",
        ),
    ) -> fieldmask.Mask:
        try:
            mask = fieldmask.parse(fields or "")
            fieldmask.check(mask, schema)
        except fieldmask.FieldMaskError as exc:
            raise BadRequest(
                f"fields: {exc}", errors=[{"field": "fields", "message": str(exc)}]
            ) from exc
        return mask

    return fields_mask


def respond(body: BaseModel, mask: fieldmask.Mask) -> Response:
    """The response as Google's JSON, cut down to what `fields=` selected."""
    document = fieldmask.apply(mask, body.model_dump(mode="json"))
    return Response(orjson.dumps(document), media_type="application/json")


def page_size(value: int) -> int:
    """Google's pageSize: 0 (proto3's unset) is the default of 10; more than 100 is 100."""
    return min(value or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def _site(url: str) -> str:
    # The discovery document: "based purely on the claim review URL", without "www".
    return (urlsplit(url).hostname or "").removeprefix("www.")


def google_claim(result: search.Result) -> GoogleClaim:
    claim = result.claim
    return GoogleClaim(
        text=claim.text,
        claimant=claim.claimant.name if claim.claimant else None,
        claim_date=claim.claim_date,
        claim_review=[
            GoogleClaimReview(
                publisher=GooglePublisher(
                    name=result.publishers[r.publisher_id].name, site=_site(r.url)
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


LANGUAGE_CODE = Query(
    default=None,
    alias="languageCode",
    description="BCP 47 language, region ignored: only claims with a review in that language, "
    "listing those reviews.",
)
PAGE_SIZE = Query(
    default=DEFAULT_PAGE_SIZE,
    alias="pageSize",
    ge=0,
    le=INT32_MAX,
    description="Results per page: 10 when 0 or absent, at most 100.",
)
PAGE_TOKEN = Query(
    default=None, alias="pageToken", max_length=4000, description="From the previous page."
)
OFFSET = Query(
    default=0,
    ge=0,
    le=MAX_OFFSET,
    description="Results to skip; used only without pageToken.",
)
SEARCH_FIELDS = Depends(partial_fields(GoogleClaimsResponse))
IMAGE_FIELDS = Depends(partial_fields(GoogleImageSearchResponse))


@router.get(
    "/v1alpha1/claims:search",
    summary="Google Fact Check Tools compatible search",
    response_model=GoogleClaimsResponse,
    responses=problems(400, 422),
)
def google_claims_search(
    request: Request,
    session: SessionDep,
    tokens: TokensDep,
    query: str | None = Query(
        default=None,
        max_length=20_000,
        description="Textual query; required unless reviewPublisherSiteFilter is given.",
    ),
    language_code: LanguageTag | None = LANGUAGE_CODE,
    review_publisher_site_filter: str | None = Query(
        default=None,
        alias="reviewPublisherSiteFilter",
        max_length=253,
        description="Only the reviews of the publisher of this site, e.g. `factuel.afp.com`; "
        "claims without one are left out.",
    ),
    max_age_days: int | None = Query(
        default=None,
        alias="maxAgeDays",
        ge=0,
        le=INT32_MAX,
        description="Maximum age in days of the claim or review date, whichever is newer "
        "(0: no limit).",
    ),
    page_size_: int = PAGE_SIZE,
    page_token: str | None = PAGE_TOKEN,
    offset: int = OFFSET,
    mask: fieldmask.Mask = SEARCH_FIELDS,
) -> Response:
    if not (query or "").strip() and not review_publisher_site_filter:
        raise Unprocessable(
            "query is required unless reviewPublisherSiteFilter is given.",
            errors=[{"field": "query", "message": "required without reviewPublisherSiteFilter"}],
        )
    if max_age_days is not None or review_publisher_site_filter is not None:
        keep_briefly(request.scope)  # the clock, or a publisher's sites, may change the answer
    mirror: SearchMirror = request.app.state.search_mirror
    page = search.search(
        session,
        search.SearchQuery(
            q=query,
            review_language=language_code,
            publisher=review_publisher_site_filter,
            max_age_days=max_age_days if max_age_days and max_age_days <= MAX_AGE_DAYS else None,
            page_size=page_size(page_size_),
            page_token=page_token,
            offset=offset,
            only_matching_reviews=True,
        ),
        tokens,
        memory=mirror.index if mirror.usable() else None,
    )
    body = GoogleClaimsResponse(
        claims=[google_claim(r) for r in page.results], next_page_token=page.next_page_token
    )
    return respond(body, mask)


@router.get(
    "/v1alpha1/claims:imageSearch",
    summary="Google Fact Check Tools compatible image search",
    response_model=GoogleImageSearchResponse,
    responses=problems(400, 422),
)
def google_claims_image_search(
    session: SessionDep,
    tokens: TokensDep,
    image_uri: str = Query(
        alias="imageUri",
        max_length=2048,
        description="The image's http(s) URL: claims that circulated as it (normalised match).",
    ),
    language_code: LanguageTag | None = LANGUAGE_CODE,
    page_size_: int = PAGE_SIZE,
    page_token: str | None = PAGE_TOKEN,
    offset: int = OFFSET,
    mask: fieldmask.Mask = IMAGE_FIELDS,
) -> Response:
    page = image_search.image_search(
        session,
        tokens,
        image_uri,
        review_language=language_code,
        page_size=page_size(page_size_),
        offset=offset,
        page_token=page_token,
    )
    body = GoogleImageSearchResponse(
        results=[GoogleImageSearchResult(claim=google_claim(r)) for r in page.results],
        next_page_token=page.next_page_token,
    )
    return respond(body, mask)
