"""New published reviews written many at once, with what `create_review` does for each one.

The importer's fast path: for a group of reviews whose URLs are known to be free, one query per
kind of claim lookup (`claim_matching`), one executemany per table (plain tuples to the driver on
SQLite), the JSON-LD rendered before the insert and the change log and search index written in
one go (`publishing`), a new claim's document assembled from fields a reader process analysed
when it could. The result is the same rows a `create_review` per record, in the same order,
would have written.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlmodel import Session

from app.domain import claim_matching, publishing
from app.domain.access import AGGREGATED
from app.domain.claims import appearance_fields, claim_fields
from app.domain.indexing import analysed_claim_document, claim_document
from app.domain.reviews import new_review_fields
from app.domain.schemas import ClaimCreate, ReviewUpdate
from app.search.documents import ClaimTokens, ReviewTokens, SearchDocument
from app.storage import repositories as repo
from app.storage.tables import Appearance, Claim, Publisher, Review
from app.storage.types import utcnow


@dataclass(frozen=True)
class NewReview:
    """A validated record, new at its page (the page may hold reviews of other claims)."""

    publisher: Publisher
    url_key: str
    language: str
    claim: ClaimCreate
    review: ReviewUpdate  # every field given, status published
    # Worked out already (in a worker process), or None.
    text_key: str | None = None
    appearance_keys: tuple[str, ...] | None = None
    claim_tokens: ClaimTokens | None = None  # analyze_claim of the claim
    review_tokens: ReviewTokens | None = None  # analyze_review of the review
    written_by: str = AGGREGATED  # access.written_by of the importing key
    page_claims: frozenset[int] = frozenset()  # claims its page has reviews of already


# Light rows: the attributes the serialiser and the search documents read, and the columns of
# the insert (SQLModel objects cost more to build than everything else here together).


@dataclass(slots=True)
class _ClaimRow:
    text: str
    text_key: str
    language: str
    claimant_name: str | None
    claimant_type: str | None
    claimant_url: str | None
    claim_date: datetime | None
    first_appearance_url: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class _AppearanceRow:
    claim_id: int
    position: int
    url: str
    url_key: str
    archived_url: str | None


@dataclass(slots=True)
class _ReviewRow:
    claim_id: int
    publisher_id: str
    url: str
    url_key: str
    headline: str | None
    language: str
    summary: str | None
    authors: list[dict[str, Any]]
    date_published: datetime | None
    date_modified: datetime | None
    status: str
    rating_label: str
    rating_value: float | None
    rating_best: float | None
    rating_worst: float | None
    rating_explanation: str | None
    verdict: str
    created_at: datetime
    updated_at: datetime
    written_by: str
    jsonld: bytes | None = None
    jsonld_etag: str | None = None
    rendered_at: datetime | None = None
    id: int | None = None


_CLAIM_COLUMNS = tuple(f.name for f in fields(_ClaimRow))
_APPEARANCE_COLUMNS = tuple(f.name for f in fields(_AppearanceRow))
_REVIEW_COLUMNS = tuple(f.name for f in fields(_ReviewRow) if f.name != "id")
# A row's values in the order of its columns, as a tuple.
_claim_values = attrgetter(*_CLAIM_COLUMNS)
_appearance_values = attrgetter(*_APPEARANCE_COLUMNS)
_review_values = attrgetter(*_REVIEW_COLUMNS)


@dataclass
class _NewClaims:
    """The claims this group creates, numbered as `claim_matching.match_claims` numbers them."""

    rows: list[_ClaimRow] = field(default_factory=list)
    appearances: list[list[_AppearanceRow]] = field(default_factory=list)
    tokens: list[ClaimTokens | None] = field(default_factory=list)  # as the creating item's

    def add(self, row: _ClaimRow, item: NewReview) -> int:
        self.rows.append(row)
        self.tokens.append(item.claim_tokens)
        self.appearances.append(
            [
                _AppearanceRow(**fields)
                for fields in appearance_fields(0, item.claim.appearances, item.appearance_keys)
            ]
        )
        return len(self.rows) - 1


def create_reviews(session: Session, items: Sequence[NewReview]) -> None:
    """Store new published reviews in order; does not commit.

    Each review's claim is found by the one rule, `claim_matching.match_claims` (claims created
    earlier in the group count); rendering, change log and search index are
    `publishing.render_new` and `publishing.publish_new`, the batch form of `publishing.publish`.
    """
    if not items:
        return
    now = utcnow()
    columns = [claim_fields(item.claim, item.publisher.id, item.text_key) for item in items]
    found = claim_matching.match_claims(
        session,
        [
            claim_matching.wanted(
                item.url_key,
                item.claim,
                text_key=claim_columns["text_key"],
                appearance_keys=item.appearance_keys,
                page_claims=item.page_claims,
            )
            for item, claim_columns in zip(items, columns, strict=True)
        ],
    )
    new = _NewClaims()
    for item, claim_columns, match in zip(items, columns, found, strict=True):
        if match.creates:
            number = new.add(_ClaimRow(**claim_columns, created_at=now, updated_at=now), item)
            assert number == match.new
    # Per item: a stored claim's id, or the number of a claim this group creates.
    targets = [(match.stored, match.new) for match in found]

    claim_ids = repo.insert_rows(
        session, Claim, _CLAIM_COLUMNS, [_claim_values(r) for r in new.rows], ids=True
    )
    appearance_rows = []
    for new_id, new_appearances in zip(claim_ids, new.appearances, strict=True):
        for appearance_row in new_appearances:
            appearance_row.claim_id = new_id
            appearance_rows.append(_appearance_values(appearance_row))
    repo.insert_rows(session, Appearance, _APPEARANCE_COLUMNS, appearance_rows)

    stored_ids = sorted({s for s, _ in targets if s is not None})
    session.flush()  # rows read below must see what earlier records of the batch changed
    stored_claims = {c.id: c for c in repo.claim_rows(session, stored_ids)}
    stored_appearances: dict[int, list[Any]] = {i: [] for i in stored_ids}
    for appearance in repo.appearance_rows(session, stored_ids):
        stored_appearances[appearance.claim_id].append(appearance)

    reviews: list[_ReviewRow] = []
    for item, (stored, created) in zip(items, targets, strict=True):
        if stored is not None:
            claim_id: int = stored
            claim: Any = stored_claims[stored]
            appearances: Sequence[Any] = stored_appearances[stored]
        else:
            assert created is not None
            claim_id = claim_ids[created]
            claim, appearances = new.rows[created], new.appearances[created]
        review = _ReviewRow(
            **new_review_fields(
                item.review,
                claim_id=claim_id,
                publisher=item.publisher,
                url_key=item.url_key,
                now=now,
                written_by=item.written_by,
            ),
            language=item.language,
        )
        publishing.render_new(review, claim, appearances, item.publisher, now)
        reviews.append(review)
    review_ids = repo.insert_rows(
        session, Review, _REVIEW_COLUMNS, [_review_values(r) for r in reviews], ids=True
    )
    for review, review_id in zip(reviews, review_ids, strict=True):
        review.id = review_id

    published: dict[int, list[tuple[_ReviewRow, NewReview]]] = {}
    for item, review, (_, created) in zip(items, reviews, targets, strict=True):
        if created is not None:
            published.setdefault(created, []).append((review, item))
    publishing.publish_new(
        session,
        reviews,
        [
            _document(claim_id, row, tokens, published[number])
            for number, (claim_id, row, tokens) in enumerate(
                zip(claim_ids, new.rows, new.tokens, strict=True)
            )
        ],
        stored_ids,  # a stored claim gained a review: re-indexed from what is stored
    )


def _document(
    claim_id: int,
    claim: _ClaimRow,
    tokens: ClaimTokens | None,
    published: list[tuple[_ReviewRow, NewReview]],
) -> SearchDocument:
    """A new claim's search document: assembled from the fields analysed in a worker process
    when all of them were, else analysed here."""
    reviews = [review for review, _ in published]
    analysed = [item.review_tokens for _, item in published if item.review_tokens is not None]
    if tokens is None or len(analysed) < len(reviews):
        return claim_document(claim_id, claim, reviews)
    return analysed_claim_document(claim_id, claim, reviews, tokens, analysed)
