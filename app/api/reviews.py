from fastapi import APIRouter, Header, Path, Response
from fastapi.concurrency import run_in_threadpool

from app.api.deps import (
    DatabaseDep,
    IfMatch,
    KeyDep,
    MaybeKeyDep,
    SessionDep,
    SettingsDep,
    WriteSessionDep,
)
from app.api.middleware import document_headers
from app.api.problems import WRITE, problems
from app.domain import reviews
from app.domain.schemas import ReviewCreate, ReviewPublic, ReviewRevisionList, ReviewUpdate
from app.domain.views import review_public
from app.errors import Gone, NotFound
from app.rules.fields import MAX_ID
from app.storage.database import Database
from app.storage.repositories import StoredDocument, stored_document

router = APIRouter(prefix="/v1/reviews", tags=["reviews"])
ReviewId = Path(description="The review's id.", ge=1, le=MAX_ID)
JSONLD = "application/ld+json"


@router.post(
    "",
    status_code=201,
    summary="Record a verdict (with claim_id, or a claim object to create one)",
    responses=problems(*WRITE, 409),
)
def create_review(
    data: ReviewCreate, principal: KeyDep, session: WriteSessionDep, response: Response
) -> ReviewPublic:
    review = reviews.create_review(session, principal, data)
    response.headers["ETag"] = review.etag
    response.headers["Location"] = f"/v1/reviews/{review.id}"
    return review


@router.get(
    "/{review_id}",
    summary="A review (drafts only with a key of its publisher)",
    responses=problems(404, 410),
)
def get_review(
    session: SessionDep, principal: MaybeKeyDep, response: Response, review_id: int = ReviewId
) -> ReviewPublic:
    review = review_public(reviews.visible_review(session, review_id, principal))
    response.headers["ETag"] = review.etag
    return review


@router.patch(
    "/{review_id}",
    summary="Change a review; send If-Match to be sure nobody changed it meanwhile",
    responses=problems(*WRITE, 404, 409, 410, 412),
)
def update_review(
    data: ReviewUpdate,
    principal: KeyDep,
    session: WriteSessionDep,
    response: Response,
    if_match: IfMatch = None,
    review_id: int = ReviewId,
) -> ReviewPublic:
    review = reviews.update_review(session, principal, review_id, data, if_match)
    response.headers["ETag"] = review.etag
    return review


@router.delete(
    "/{review_id}",
    status_code=204,
    summary="Delete a review (a tombstone stays for feeds)",
    responses=problems(401, 403, 404, 410, 412),
)
def delete_review(
    principal: KeyDep, session: WriteSessionDep, if_match: IfMatch = None, review_id: int = ReviewId
) -> Response:
    reviews.delete_review(session, principal, review_id, if_match)
    return Response(status_code=204)


@router.get(
    "/{review_id}/revisions",
    summary="Every earlier published state of a review",
    responses=problems(404, 410),
)
def get_revisions(
    session: SessionDep, principal: MaybeKeyDep, review_id: int = ReviewId
) -> ReviewRevisionList:
    return reviews.get_revisions(session, review_id, principal)


def _stored_document(db: Database, review_id: int) -> StoredDocument | None:
    with db.engine.connect() as connection:
        return stored_document(connection, review_id)


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


@router.get(
    "/{review_id}/claimreview",
    summary="The schema.org ClaimReview JSON-LD of a published review",
    response_class=Response,
    responses={
        200: {"content": {JSONLD: {"schema": {"$ref": "#/components/schemas/ClaimReview"}}}},
        304: {"description": "Not modified since the ETag sent in If-None-Match"},
        **problems(404, 410),
    },
)
async def get_claimreview(
    db: DatabaseDep,
    settings: SettingsDep,
    review_id: int = ReviewId,
    if_none_match: str | None = Header(default=None, description="An ETag you hold."),
) -> Response:
    document = await run_in_threadpool(_stored_document, db, review_id)
    if document is None or document.status == "draft":
        raise NotFound(f"No published review {review_id}.")
    if document.deleted or document.body is None:
        raise Gone(f"Review {review_id} was {'deleted' if document.deleted else 'retracted'}.")
    headers = document_headers(document, f"public, max-age={settings.cache_max_age}")
    if if_none_match is not None and _matches(if_none_match, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(content=document.body, media_type=JSONLD, headers=headers)
