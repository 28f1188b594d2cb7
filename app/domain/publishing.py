"""What happens whenever a review's public state changes, stated once: re-render the stored
JSON-LD, append to the change log (keeping the earlier published state as a revision), and
re-index the claims concerned — all in the caller's transaction.

Two entry points share these steps: `publish` for one review changed through the review use cases
(native API, page sync, an import's updates and retractions), `publish_new` for a group of new
published reviews the importer writes at once (`app.domain.bulk`). The group does them set at a
time (one executemany for the change log, one for the index) but builds each document with
`document`, decides the entry with `change_type`, and the index documents with the functions of
`app.domain.indexing`, as `publish` does. Nothing else renders a review or appends to the log.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from app.domain.indexing import IndexedReview, refresh_claims
from app.domain.render import (
    AppearanceFields,
    ClaimFields,
    PublisherFields,
    ReviewFields,
    build_claimreview,
    document_etag,
    render_document,
)
from app.domain.views import review_public
from app.search.documents import SearchDocument
from app.storage import repositories as repo
from app.storage.repositories import ChangedReview
from app.storage.search import index_for
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


def document(
    review: ReviewFields,
    claim: ClaimFields,
    appearances: Sequence[AppearanceFields],
    publisher: PublisherFields,
) -> bytes:
    """A published review's ClaimReview JSON-LD, as stored and served."""
    return render_document(build_claimreview(review, claim, appearances, publisher))


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
    body = document(review, claim, repo.appearances_of(session, claim.id), publisher)
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


def publish(
    session: Session,
    review: Review,
    old_status: str | None,
    revision: ReviewRevision | None = None,
    *,
    deleted: bool = False,
    claim_ids: Iterable[int] = (),
) -> None:
    """After one review was written (and flushed): `old_status`, its status before the change
    (None when new); `revision`, `revision_of` it taken before the change; `claim_ids`, the
    claims it was and is of, re-indexed when it was or is published (or it was deleted)."""
    render(session, review)
    kind = change_type(old_status, review.status, deleted)
    if kind is not None:
        keep_revision(session, revision)
        session.flush()
        repo.append_change(session, kind, review)
    if deleted or PUBLISHED in (old_status, review.status):
        refresh_claims(session, claim_ids)


class NewReviewRow(ReviewFields, ChangedReview, IndexedReview, Protocol):
    """A new review's light row, as the importer inserts it."""

    jsonld: bytes | None
    jsonld_etag: str | None
    rendered_at: datetime | None


def render_new(
    review: NewReviewRow,
    claim: ClaimFields,
    appearances: Sequence[AppearanceFields],
    publisher: PublisherFields,
    now: datetime,
) -> None:
    """Before the insert: a new published review's stored JSON-LD (as `render` stores it)."""
    body = document(review, claim, appearances, publisher)
    review.jsonld, review.jsonld_etag, review.rendered_at = body, document_etag(body), now


def publish_new(
    session: Session,
    reviews: Sequence[NewReviewRow],
    new_claims: Sequence[SearchDocument],
    stored_claim_ids: Iterable[int],
) -> None:
    """After a group of new published reviews (rendered by `render_new`) was inserted: their
    change-log entries in one go, in order; the claims they created indexed in one go (`new_claims`:
    their documents, built by `indexing.claim_document` or, from fields analysed in a worker
    process, `indexing.analysed_claim_document`); the stored claims they are of re-indexed from
    what is stored, as `publish` does."""
    kind = change_type(None, PUBLISHED)
    assert kind is not None
    repo.append_changes(session, kind, reviews)
    index_for(session.get_bind().dialect.name).put_many(session, new_claims)
    refresh_claims(session, stored_claim_ids)


def claim_changed(session: Session, claim: Claim) -> None:
    """A claim changed (and was flushed): every published review of it now shows a new
    document, on the change log as an update of that review; the claim is re-indexed."""
    assert claim.id is not None
    kind = change_type(PUBLISHED, PUBLISHED)
    assert kind is not None
    for review in repo.live_reviews_of_claim(session, claim.id, published_only=True):
        revision, before = revision_of(review), review.jsonld
        render(session, review, claim)
        if review.jsonld != before:
            keep_revision(session, revision)
            review.version += 1
            review.updated_at = utcnow()
            session.add(review)
            repo.append_change(session, kind, review)
    session.flush()
    refresh_claims(session, [claim.id])
