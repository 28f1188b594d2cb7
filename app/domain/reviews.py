"""Review use cases: one publisher's verdict on one claim, from draft to published to retracted."""

from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from app.domain import claim_matching, publishing
from app.domain.access import (
    FIRST_PARTY,
    Principal,
    can_see_drafts,
    require_editor_of,
    require_site_of,
)
from app.domain.claims import load_claim, new_claim, visible_claim
from app.domain.schemas import (
    AuthorIn,
    ClaimCreate,
    RatingIn,
    ReviewCreate,
    ReviewPublic,
    ReviewRevisionList,
    ReviewRevisionPublic,
    ReviewStatus,
    ReviewUpdate,
)
from app.domain.views import review_etag, review_public
from app.errors import Conflict, Gone, NotFound, PreconditionFailed, Unprocessable
from app.messages import Message, at_field
from app.rules.urls import normalize_url
from app.rules.verdicts import normalize_verdict
from app.storage import repositories as repo
from app.storage.tables import Publisher, Review
from app.storage.types import utcnow

# Once public, a review stays on the record: it can be corrected or retracted, not un-published.
_ALLOWED = {
    "draft": {"draft", "published"},
    "published": {"published", "retracted"},
    "retracted": {"retracted", "published"},
}


def _invalid(field: str, message: str) -> Unprocessable:
    return Unprocessable(at_field(field, message), errors=[{"field": field, "message": message}])


def _publisher(session: Session, publisher_id: str) -> Publisher:
    publisher = repo.get_publisher(session, publisher_id)
    if publisher is None:
        raise _invalid("publisher_id", Message("no publisher '{id}'", id=publisher_id))
    return publisher


def _claim_id(session: Session, claim_id: int, principal: Principal) -> int:
    """A claim this key may review: live, and visible to it (another publisher's draft-only
    claim is not, or reviewing it would publish it)."""
    try:
        visible_claim(session, claim_id, principal)
    except (NotFound, Gone) as exc:
        raise _invalid("claim_id", exc.detail) from exc
    return claim_id


def _check_place_free(
    session: Session, url_key: str, claim_id: int, review_id: int | None = None
) -> None:
    """A page carries several reviews, one per claim: the (page, claim) pair is the review's."""
    with session.no_autoflush:  # before the changed review itself is written
        existing = repo.review_id_at(session, url_key, claim_id)
    if existing is not None and existing != review_id:
        raise Conflict(
            Message(
                "Review {review} already reviews claim {claim} at this URL.",
                review=existing,
                claim=claim_id,
            ),
            errors=[
                {
                    "field": "url",
                    "message": Message(
                        "review {review} reviews this claim at this URL", review=existing
                    ),
                }
            ],
        )


def _check_wording_free(session: Session, url_key: str, claim: ClaimCreate) -> None:
    """A new claim worded as one this page reviews already is that claim, reviewed twice."""
    at_page = repo.reviews_at_pages(session, [url_key]).get(url_key, [])
    worded = claim_matching.page_claims_worded(
        session, (r.claim_id for r in at_page), claim_matching.wording(claim)
    )
    for claim_id in sorted(worded):
        _check_place_free(session, url_key, claim_id)


def _rating_fields(rating: RatingIn, publisher: Publisher) -> dict[str, Any]:
    return {
        "rating_label": rating.label,
        "rating_value": rating.value,
        "rating_best": rating.best,
        "rating_worst": rating.worst,
        "rating_explanation": rating.explanation,
        "verdict": normalize_verdict(
            rating.label, rating.value, rating.best, rating.worst, publisher.verdict_overrides
        ).value,
    }


def _set_rating(review: Review, rating: RatingIn, publisher: Publisher) -> None:
    for name, value in _rating_fields(rating, publisher).items():
        setattr(review, name, value)


class NewReviewData(Protocol):
    """What a new review is made of: a `ReviewCreate`, or an import's validated `ReviewUpdate`
    with every field given."""

    @property
    def url(self) -> str | None: ...
    @property
    def headline(self) -> str | None: ...
    @property
    def summary(self) -> str | None: ...
    @property
    def authors(self) -> list[AuthorIn] | None: ...
    @property
    def date_published(self) -> datetime | None: ...
    @property
    def date_modified(self) -> datetime | None: ...
    @property
    def status(self) -> ReviewStatus | None: ...
    @property
    def rating(self) -> RatingIn | None: ...


def new_review_fields(
    data: NewReviewData,
    *,
    claim_id: int,
    publisher: Publisher,
    url_key: str,
    now: datetime,
    written_by: str = FIRST_PARTY,
) -> dict[str, Any]:
    """The columns of a new review but its language (and its id and JSON-LD)."""
    assert data.url is not None
    assert data.rating is not None
    assert data.status is not None
    return {
        "claim_id": claim_id,
        "publisher_id": publisher.id,
        "url": data.url,
        "url_key": url_key,
        "headline": data.headline,
        "summary": data.summary,
        "authors": [a.model_dump() for a in data.authors or []],
        # A review is published on a date: when it was first seen here unless the data says.
        "date_published": (
            now
            if data.date_published is None and data.status != ReviewStatus.DRAFT
            else data.date_published
        ),
        "date_modified": data.date_modified,
        "status": data.status.value,
        **_rating_fields(data.rating, publisher),
        "created_at": now,
        "updated_at": now,
        "written_by": written_by,
    }


def load_review(session: Session, review_id: int, *, for_update: bool = False) -> Review:
    review = repo.get_review(session, review_id, for_update=for_update)
    if review is None:
        raise NotFound(Message("No review {id}.", id=review_id))
    if review.deleted_at is not None:
        raise Gone(Message("Review {id} was deleted.", id=review_id))
    return review


def visible_review(session: Session, review_id: int, principal: Principal | None) -> Review:
    review = load_review(session, review_id)
    if review.status == ReviewStatus.DRAFT and not can_see_drafts(principal, review.publisher_id):
        raise NotFound(Message("No review {id}.", id=review_id))
    return review


def create_review(session: Session, principal: Principal, data: ReviewCreate) -> ReviewPublic:
    publisher_id = data.publisher_id or principal.publisher_id
    if publisher_id is None:
        raise _invalid(
            "publisher_id", Message("required with a key that is not bound to a publisher")
        )
    require_editor_of(principal, publisher_id)
    publisher = _publisher(session, publisher_id)
    require_site_of(principal, publisher.id, publisher.sites, data.url)
    url_key = normalize_url(data.url)
    repo.lock_page(session, url_key)
    if data.claim is not None:
        _check_wording_free(session, url_key, data.claim)
        claim = new_claim(session, data.claim, publisher_id)
    else:
        assert data.claim_id is not None
        claim = load_claim(session, _claim_id(session, data.claim_id, principal))
    assert claim.id is not None
    _check_place_free(session, url_key, claim.id)
    review = Review(
        **new_review_fields(
            data, claim_id=claim.id, publisher=publisher, url_key=url_key, now=utcnow()
        ),
        language=data.language or claim.language,
    )
    session.add(review)
    session.flush()
    publishing.publish(session, review, None, claim_ids=[claim.id])
    session.flush()
    return review_public(review)


def update_review(
    session: Session,
    principal: Principal,
    review_id: int,
    data: ReviewUpdate,
    if_match: str | None,
    *,
    written_by: str = FIRST_PARTY,
) -> ReviewPublic:
    """`written_by`: who this change makes the review's author (an editor's change makes it
    first-party; see `access.may_import_over`)."""
    review = load_review(session, review_id, for_update=True)
    require_editor_of(principal, review.publisher_id)
    if if_match is not None and if_match.strip() not in ("*", review_etag(review)):
        raise PreconditionFailed(
            Message(
                "Review {id} changed since you read it (now {etag}).",
                id=review_id,
                etag=review_etag(review),
            ),
            headers={"ETag": review_etag(review)},
        )
    before = review_public(review).model_dump()
    revision = publishing.revision_of(review)
    old_status, old_claim_id, before_key = review.status, review.claim_id, review.url_key
    fields = data.model_dump(exclude_unset=True)

    if data.status is not None and data.status.value not in _ALLOWED[old_status]:
        raise _invalid(
            "status",
            Message(
                "a {old} review cannot become {new}; retract it",
                old=old_status,
                new=data.status.value,
            ),
        )
    if "url" in fields and data.url is not None and data.url != review.url:
        publisher = _publisher(session, review.publisher_id)
        require_site_of(principal, publisher.id, publisher.sites, data.url)
        review.url, review.url_key = data.url, normalize_url(data.url)
    if "claim_id" in fields and data.claim_id is not None:
        review.claim_id = _claim_id(session, data.claim_id, principal)
    if (review.url_key, review.claim_id) != (before_key, old_claim_id):
        with session.no_autoflush:
            repo.lock_page(session, review.url_key)
        _check_place_free(session, review.url_key, review.claim_id, review_id)
    if data.rating is not None:
        _set_rating(review, data.rating, _publisher(session, review.publisher_id))
    if data.authors is not None:
        review.authors = [a.model_dump() for a in data.authors]
    for name in ("headline", "language", "summary", "date_published", "date_modified"):
        if name in fields:
            setattr(review, name, getattr(data, name))
    if data.status is not None:
        review.status = data.status.value
    if review.status != ReviewStatus.RETRACTED:
        if fields.get("retraction_reason") is not None:
            raise _invalid("retraction_reason", Message("only a retracted review has a reason"))
        review.retraction_reason = None  # published again: the retraction is over
    elif "retraction_reason" in fields:
        review.retraction_reason = data.retraction_reason

    if review_public(review).model_dump() == before:
        session.expire(review)  # nothing to write: drop the unflushed assignments
        return review_public(load_review(session, review_id))

    now = utcnow()
    if review.status == ReviewStatus.PUBLISHED:
        if review.date_published is None:
            review.date_published = now
        if old_status == ReviewStatus.PUBLISHED and "date_modified" not in fields:
            review.date_modified = now
    review.version += 1
    review.updated_at = now
    review.written_by = written_by
    session.add(review)
    session.flush()
    publishing.publish(
        session, review, old_status, revision, claim_ids=[old_claim_id, review.claim_id]
    )
    session.flush()
    return review_public(review)


def delete_review(
    session: Session, principal: Principal, review_id: int, if_match: str | None
) -> None:
    review = load_review(session, review_id, for_update=True)
    require_editor_of(principal, review.publisher_id)
    if if_match is not None and if_match.strip() not in ("*", review_etag(review)):
        raise PreconditionFailed(Message("Review {id} changed since you read it.", id=review_id))
    revision = publishing.revision_of(review)
    review.deleted_at = review.updated_at = utcnow()
    review.version += 1
    session.add(review)
    session.flush()
    publishing.publish(
        session, review, review.status, revision, deleted=True, claim_ids=[review.claim_id]
    )


def get_revisions(
    session: Session, review_id: int, principal: Principal | None
) -> ReviewRevisionList:
    visible_review(session, review_id, principal)
    return ReviewRevisionList(
        revisions=[
            ReviewRevisionPublic(
                version=r.version,
                recorded_at=r.recorded_at,
                review=ReviewPublic.model_validate(r.snapshot),
            )
            for r in repo.revisions_of(session, review_id)
        ]
    )
