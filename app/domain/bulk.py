"""New published reviews written many at once, with what `create_review` does for each one.

The importer's fast path: for a group of reviews whose URLs are known to be free, one query per
kind of lookup (claims by wording, claims by appearance), one executemany per table (plain tuples
to the driver on SQLite), the JSON-LD rendered before the insert and the search index written in
one go, a new claim's document assembled from fields a reader process analysed when it could. The
result is the same rows a `create_review` per record, in the same order, would have written.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlmodel import Session

from app.domain.access import AGGREGATED
from app.domain.claims import appearance_fields, claim_fields
from app.domain.indexing import analysed_claim_document, claim_document, refresh_claims
from app.domain.render import build_claimreview, document_etag, render_document
from app.domain.reviews import new_review_fields
from app.domain.schemas import ClaimCreate, ReviewUpdate
from app.domain.urls import normalize_url
from app.search.documents import ClaimTokens, ReviewTokens, SearchDocument
from app.storage import repositories as repo
from app.storage.search import index_for
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


def specific(url_key: str) -> bool:
    """A page, not a site's home: `facebook.com` must not merge every claim seen on Facebook."""
    _, _, rest = url_key.partition("/")
    return bool(rest.strip("/"))


def specific_appearance_keys(data: ClaimCreate, url_keys: Sequence[str] | None = None) -> list[str]:
    """The appearances by which another review's claim is recognised as this one."""
    keys = url_keys if url_keys is not None else [normalize_url(a.url) for a in data.appearances]
    return [k for k in keys if specific(k)]


@dataclass
class _NewClaims:
    """The claims this group creates, findable the way stored claims are."""

    rows: list[_ClaimRow] = field(default_factory=list)
    appearances: list[list[_AppearanceRow]] = field(default_factory=list)
    tokens: list[ClaimTokens | None] = field(default_factory=list)  # as the creating item's
    by_text: dict[tuple[str, str], int] = field(default_factory=dict)
    by_appearance: dict[str, int] = field(default_factory=dict)

    def add(self, row: _ClaimRow, item: NewReview, keys: list[str]) -> int:
        position = len(self.rows)
        self.rows.append(row)
        self.tokens.append(item.claim_tokens)
        self.appearances.append(
            [
                _AppearanceRow(**fields)
                for fields in appearance_fields(0, item.claim.appearances, item.appearance_keys)
            ]
        )
        self.by_text.setdefault((row.language, row.text_key), position)
        for key in keys:
            self.by_appearance.setdefault(key, position)
        return position


def _oldest(claims: dict[str, int], keys: list[str], taken: set[int]) -> int | None:
    """The oldest claim seen at one of `keys` that the page does not review already."""
    return min((claims[k] for k in keys if k in claims and claims[k] not in taken), default=None)


def create_reviews(session: Session, items: Sequence[NewReview]) -> None:
    """Store new published reviews in order; does not commit.

    Each review's claim is found as `Importer._claim_for` finds it: a live claim with the same
    wording in the same language, else one sharing a specific appearance URL (the oldest first,
    stored ones before this group's), else a new claim; claims created earlier in the group count.
    A claim the review's page reviews already is not found by appearance: two ClaimReviews of one
    page with different wordings are two claims, even when both were seen in the same post.
    """
    if not items:
        return
    now = utcnow()
    columns = [claim_fields(item.claim, item.publisher.id, item.text_key) for item in items]
    keys = [specific_appearance_keys(item.claim, item.appearance_keys) for item in items]
    stored_by_text = repo.claim_ids_by_text_keys(session, [c["text_key"] for c in columns])
    stored_by_appearance = repo.claim_ids_by_appearance_keys(
        session, [k for item_keys in keys for k in item_keys]
    )
    new = _NewClaims()
    # Per item: a stored claim's id, or the position of a claim this group creates.
    targets: list[tuple[int | None, int | None]] = []
    # Per page: the stored claims and the positions of new claims its reviews have.
    taken: dict[str, tuple[set[int], set[int]]] = {}
    for item, claim_columns, item_keys in zip(items, columns, keys, strict=True):
        taken_stored, taken_new = taken.setdefault(item.url_key, (set(item.page_claims), set()))
        wording = (claim_columns["language"], claim_columns["text_key"])
        stored = stored_by_text.get(wording)
        created = None if stored is not None else new.by_text.get(wording)
        if stored is None and created is None:
            stored = _oldest(stored_by_appearance, item_keys, taken_stored)
            created = (
                None if stored is not None else _oldest(new.by_appearance, item_keys, taken_new)
            )
        if stored is None and created is None:
            row = _ClaimRow(**claim_columns, created_at=now, updated_at=now)
            created = new.add(row, item, item_keys)
        if stored is not None:
            taken_stored.add(stored)
        else:
            assert created is not None
            taken_new.add(created)
        targets.append((stored, created))

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
        body = render_document(build_claimreview(review, claim, appearances, item.publisher))
        review.jsonld, review.jsonld_etag, review.rendered_at = body, document_etag(body), now
        reviews.append(review)
    review_ids = repo.insert_rows(
        session, Review, _REVIEW_COLUMNS, [_review_values(r) for r in reviews], ids=True
    )
    for review, review_id in zip(reviews, review_ids, strict=True):
        review.id = review_id
    repo.append_changes(session, "review.published", reviews)

    published: dict[int, list[tuple[_ReviewRow, NewReview]]] = {}
    for item, review, (_, created) in zip(items, reviews, targets, strict=True):
        if created is not None:
            published.setdefault(created, []).append((review, item))
    index_for(session.get_bind().dialect.name).put_many(
        session,
        [
            _document(claim_id, row, tokens, published[position])
            for position, (claim_id, row, tokens) in enumerate(
                zip(claim_ids, new.rows, new.tokens, strict=True)
            )
        ],
    )
    # A stored claim gained a review: re-indexed from what is stored, as create_review does.
    refresh_claims(session, stored_ids)


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
