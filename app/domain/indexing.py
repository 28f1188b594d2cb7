"""Keeps the search index in step with the tables, inside the transaction that changes them."""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from app.search.documents import (
    ClaimTokens,
    ReviewText,
    ReviewTokens,
    SearchDocument,
    assemble_document,
    build_document,
)
from app.storage import repositories as repo
from app.storage import search as index_tables
from app.storage.database import Database
from app.storage.search import index_for


def refresh_claims(session: Session, claim_ids: Iterable[int]) -> None:
    """Re-index each claim from its stored state: searchable while it has a published review."""
    index = index_for(session.get_bind().dialect.name)
    session.flush()
    for claim_id in sorted(set(claim_ids)):
        claim = repo.get_claim(session, claim_id)
        reviews = repo.live_reviews_of_claim(session, claim_id, published_only=True)
        if claim is None or claim.deleted_at is not None or not reviews:
            index.remove(session, claim_id)
            continue
        index.put(session, claim_document(claim_id, claim, reviews))


class IndexedClaim(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def claimant_name(self) -> str | None: ...
    @property
    def claim_date(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...


class IndexedReview(Protocol):
    @property
    def headline(self) -> str | None: ...
    @property
    def summary(self) -> str | None: ...
    @property
    def language(self) -> str: ...
    @property
    def date_published(self) -> datetime | None: ...


def claim_document(
    claim_id: int, claim: IndexedClaim, published: Sequence[IndexedReview]
) -> SearchDocument:
    """What the index holds for a claim and its live published reviews (in id order)."""
    return build_document(
        claim_id=claim_id,
        text=claim.text,
        language=claim.language,
        claimant=claim.claimant_name,
        claim_date=claim.claim_date,
        created_at=claim.created_at,
        reviews=[
            ReviewText(r.headline, r.summary, r.language, r.date_published) for r in published
        ],
    )


def analysed_claim_document(
    claim_id: int,
    claim: IndexedClaim,
    published: Sequence[IndexedReview],
    claim_tokens: ClaimTokens,
    review_tokens: Sequence[ReviewTokens],
) -> SearchDocument:
    """`claim_document`, with the fields analysed already (`analyze_claim` of the claim's text,
    language and claimant, `analyze_review` of each review in `published`)."""
    return assemble_document(
        claim_id,
        claim.language,
        claim_tokens,
        review_tokens,
        claim.claim_date,
        [r.date_published for r in published],
        claim.created_at,
    )


def reindex_all(db: Database, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index from the tables, in one transaction: readers see the old index
    until the new one is complete."""
    with db.unit_of_work() as session:
        _, _, rebuilt = index_tables.corpus_size(session.connection())
        index_for(db.engine.dialect.name).clear(session)
        ids = repo.searchable_claim_ids(session)
        for start in range(0, len(ids), 500):
            refresh_claims(session, ids[start : start + 500])
            if progress:
                progress(min(start + 500, len(ids)), len(ids))
        session.flush()
        index_tables.count_rebuild(session, rebuilt)  # instances' copies are loaded again
    return len(ids)
