"""What happens whenever a review's public state changes: keep the earlier published state as a
revision, re-render the stored JSON-LD, and append to the change log — all in the caller's
transaction."""

from sqlmodel import Session

from app.domain.render import build_claimreview, document_etag, render_document
from app.domain.views import review_public
from app.storage import repositories as repo
from app.storage.tables import Claim, Review, ReviewRevision
from app.storage.types import utcnow

PUBLISHED = "published"


def revision_of(review: Review) -> ReviewRevision | None:
    """Take before changing a review: its current published state, to keep if it changes."""
    if review.status != PUBLISHED or review.deleted_at is not None:
        return None
    assert review.id is not None
    return ReviewRevision(
        review_id=review.id,
        version=review.version,
        snapshot=review_public(review).model_dump(mode="json"),
        jsonld=review.jsonld,
        recorded_at=utcnow(),
    )


def keep_revision(session: Session, revision: ReviewRevision | None) -> None:
    if revision is not None:
        repo.add_revision(session, revision)


def render(session: Session, review: Review, claim: Claim | None = None) -> None:
    """Store the review's ClaimReview bytes, or none when it is not public."""
    if review.status != PUBLISHED or review.deleted_at is not None:
        review.jsonld = review.jsonld_etag = review.rendered_at = None
        return
    claim = claim or repo.get_claim(session, review.claim_id)
    publisher = repo.get_publisher(session, review.publisher_id)
    assert claim is not None
    assert claim.id is not None
    assert publisher is not None
    body = render_document(
        build_claimreview(review, claim, repo.appearances_of(session, claim.id), publisher)
    )
    if body != review.jsonld:
        review.jsonld, review.jsonld_etag, review.rendered_at = body, document_etag(body), utcnow()


def change_type(old_status: str | None, new_status: str, deleted: bool = False) -> str | None:
    """The change-log entry for a transition, or None when the public saw nothing change."""
    was_public = old_status in (PUBLISHED, "retracted")
    if deleted:
        return "review.deleted" if was_public else None
    if new_status == PUBLISHED:
        return "review.updated" if old_status == PUBLISHED else "review.published"
    if new_status == "retracted" and old_status == PUBLISHED:
        return "review.retracted"
    return None


def rerender_claim(session: Session, claim: Claim) -> None:
    """A claim changed: every published review of it now shows a new document."""
    assert claim.id is not None
    for review in repo.live_reviews_of_claim(session, claim.id, published_only=True):
        revision, before = revision_of(review), review.jsonld
        render(session, review, claim)
        if review.jsonld != before:
            keep_revision(session, revision)
            review.version += 1
            review.updated_at = utcnow()
            session.add(review)
            repo.append_change(session, "review.updated", review)
    session.flush()
