"""What the newsroom web app reads: a publisher's list of fact-checks, and one fact-check with
its claim and history, for editing. Writes go through the reviews, claims and imports use cases."""

from dataclasses import dataclass

from sqlmodel import Session

from app.domain.access import Principal, require_editor_of, require_writer
from app.domain.claims import load_claim
from app.domain.reviews import get_revisions, load_review
from app.domain.schemas import ClaimPublic, ReviewPublic, ReviewRevisionList, ReviewStatus
from app.domain.views import claim_public, review_public
from app.storage import repositories as repo


@dataclass(frozen=True)
class ListedReview:
    review: ReviewPublic
    claim_text: str


@dataclass(frozen=True)
class ReviewPage:
    reviews: list[ListedReview]
    page: int
    has_next: bool


@dataclass(frozen=True)
class EditableReview:
    review: ReviewPublic
    claim: ClaimPublic
    history: ReviewRevisionList


def list_reviews(
    session: Session,
    principal: Principal,
    *,
    words: str | None = None,
    status: ReviewStatus | None = None,
    page: int = 1,
    page_size: int = 20,
) -> ReviewPage:
    """The key's publisher's drafts, published and retracted reviews (an admin's: everyone's)."""
    require_writer(principal)
    page = max(page, 1)
    rows = repo.newsroom_reviews(
        session,
        None if principal.is_admin else principal.publisher_id,
        words=words,
        status=status.value if status else None,
        offset=(page - 1) * page_size,
        limit=page_size + 1,
    )
    return ReviewPage(
        reviews=[ListedReview(review_public(r), c.text) for r, c in rows[:page_size]],
        page=page,
        has_next=len(rows) > page_size,
    )


def editable_review(session: Session, principal: Principal, review_id: int) -> EditableReview:
    """A review this key may change, with its claim and its earlier published states."""
    review = load_review(session, review_id)
    require_editor_of(principal, review.publisher_id)
    claim = load_claim(session, review.claim_id)
    assert claim.id is not None
    return EditableReview(
        review=review_public(review),
        claim=claim_public(claim, repo.appearances_of(session, claim.id)),
        history=get_revisions(session, review_id, principal),
    )


def rendered_document(session: Session, review_id: int) -> bytes | None:
    """The ClaimReview bytes stored for a review (None unless it is published)."""
    return load_review(session, review_id).jsonld


def publisher_name(session: Session, publisher_id: str) -> str:
    publisher = repo.get_publisher(session, publisher_id)
    return publisher.name if publisher else publisher_id
