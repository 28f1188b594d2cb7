"""Google's ClaimReview Markup API v1alpha1 (`pages`): a page, the reviews at one URL, created,
read, listed, replaced and taken down with the field names and paths of Google's discovery
document, so a CMS using Google's client pushes its markup here with only the base URL changed.
Every call needs a key; writes go through the review use cases' ownership rules."""

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel

from app.api.deps import KeyDep, SessionDep, WriteSessionDep
from app.api.google import MAX_OFFSET, PAGE_SIZE, PAGE_TOKEN, page_size, partial_fields, respond
from app.api.problems import problems
from app.api.search import TokensDep
from app.claimreview import fieldmask
from app.domain import pages
from app.domain.pages import GooglePage, GooglePageList

router = APIRouter(tags=["google"])


class GoogleEmpty(BaseModel):
    """`GoogleProtobufEmpty`: what a delete answers."""


PAGE_FIELDS = Depends(partial_fields(GooglePage))
LIST_FIELDS = Depends(partial_fields(GooglePageList))
EMPTY_FIELDS = Depends(partial_fields(GoogleEmpty))
PAGE_ID = Path(
    max_length=4000,
    description="The page's id: its name (`pages/{id}`) without `pages/`.",
)


@router.post(
    "/v1alpha1/pages",
    summary="Create a ClaimReview markup page (Google's pages.create)",
    response_model=GooglePage,
    responses=problems(400, 401, 403, 404, 409, 413, 422),
)
def google_pages_create(
    page: GooglePage,
    principal: KeyDep,
    session: WriteSessionDep,
    mask: fieldmask.Mask = PAGE_FIELDS,
) -> Response:
    return respond(pages.save_google_page(session, principal, page, create=True), mask)


@router.get(
    "/v1alpha1/pages/{page_id}",
    summary="A ClaimReview markup page (Google's pages.get)",
    response_model=GooglePage,
    responses=problems(400, 401, 404),
)
def google_pages_get(
    session: SessionDep,
    principal: KeyDep,
    page_id: str = PAGE_ID,
    mask: fieldmask.Mask = PAGE_FIELDS,
) -> Response:
    return respond(pages.google_page_named(session, "pages/" + page_id, principal), mask)


@router.get(
    "/v1alpha1/pages",
    summary="ClaimReview markup pages by URL or organization (Google's pages.list)",
    response_model=GooglePageList,
    responses=problems(400, 401, 422),
)
def google_pages_list(
    session: SessionDep,
    tokens: TokensDep,
    principal: KeyDep,
    url: str | None = Query(
        default=None, max_length=2048, description="The page's URL: at most one result."
    ),
    organization: str | None = Query(
        default=None,
        max_length=2048,
        description="The publisher whose pages to list, by its site (`factuel.afp.com`) or a "
        "URL on it; used when url is not given.",
    ),
    page_size_: int = PAGE_SIZE,
    page_token: str | None = PAGE_TOKEN,
    offset: int = Query(
        default=0, ge=0, le=MAX_OFFSET, description="Pages to skip; used only without pageToken."
    ),
    mask: fieldmask.Mask = LIST_FIELDS,
) -> Response:
    listed = pages.list_google_pages(
        session,
        tokens,
        principal,
        url=url,
        organization=organization,
        page_size=page_size(page_size_),
        offset=offset,
        page_token=page_token,
    )
    return respond(listed, mask)


@router.put(
    "/v1alpha1/pages/{page_id}",
    summary="Replace a ClaimReview markup page (Google's pages.update)",
    response_model=GooglePage,
    responses=problems(400, 401, 403, 404, 412, 413, 422),
)
def google_pages_update(
    page: GooglePage,
    principal: KeyDep,
    session: WriteSessionDep,
    page_id: str = PAGE_ID,
    mask: fieldmask.Mask = PAGE_FIELDS,
) -> Response:
    saved = pages.save_google_page(session, principal, page, name="pages/" + page_id)
    return respond(saved, mask)


@router.delete(
    "/v1alpha1/pages/{page_id}",
    summary="Take a ClaimReview markup page down (Google's pages.delete)",
    response_model=GoogleEmpty,
    responses=problems(400, 401, 403, 404),
)
def google_pages_delete(
    principal: KeyDep,
    session: WriteSessionDep,
    page_id: str = PAGE_ID,
    mask: fieldmask.Mask = EMPTY_FIELDS,
) -> Response:
    pages.delete_page(session, principal, "pages/" + page_id)
    return respond(GoogleEmpty(), mask)
