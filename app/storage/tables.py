"""The database tables. Every schema change goes through an Alembic migration."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from app.storage.types import UTCDateTime, utcnow


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


class Publisher(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=300)
    url: str | None = Field(default=None, max_length=2048)
    logo_url: str | None = Field(default=None, max_length=2048)
    sites: list[str] = _json()
    languages: list[str] = _json()
    verdict_overrides: dict[str, str] = _json()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PublisherSite(SQLModel, table=True):
    """One host name a publisher's reviews live on; looked up by host on import and search."""

    __tablename__ = "publisher_site"
    host: str = Field(primary_key=True, max_length=253)
    publisher_id: str = Field(
        sa_column=Column(
            String(64), ForeignKey("publisher.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


class Claim(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    # Hash of the folded text: claims with the same key and language are the same claim.
    text_key: str = Field(max_length=64)
    language: str = Field(max_length=35)
    claimant_name: str | None = Field(default=None, max_length=500)
    claimant_type: str | None = Field(default=None, max_length=20)
    claimant_url: str | None = Field(default=None, max_length=2048)
    claim_date: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_appearance_url: str | None = Field(default=None, max_length=2048)
    created_by: str | None = Field(
        default=None, sa_column=Column(String(64), ForeignKey("publisher.id"), nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (Index("ix_claim_text_key", "language", "text_key"),)


class Appearance(SQLModel, table=True):
    """A place the claim was seen; url_key is the normalised URL that lookups compare."""

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("claim.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int = 0
    url: str = Field(max_length=2048)
    url_key: str = Field(max_length=2048, index=True)
    archived_url: str | None = Field(default=None, max_length=2048)


class Review(SQLModel, table=True):
    """One publisher's verdict on one claim, at a page (`url`). A page may carry several reviews,
    one per claim it checks: the page (its normalised `url_key`) and the claim identify a review."""

    __table_args__ = (UniqueConstraint("url_key", "claim_id", name="uq_review_page_claim"),)
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id"), nullable=False, index=True)
    )
    publisher_id: str = Field(
        sa_column=Column(String(64), ForeignKey("publisher.id"), nullable=False, index=True)
    )
    url: str = Field(max_length=2048)
    url_key: str = Field(max_length=2048, index=True)
    headline: str | None = Field(default=None, sa_column=Column(Text))
    language: str = Field(max_length=35)
    rating_label: str = Field(sa_column=Column(Text, nullable=False))
    rating_value: float | None = None
    rating_best: float | None = None
    rating_worst: float | None = None
    rating_explanation: str | None = Field(default=None, sa_column=Column(Text))
    verdict: str = Field(max_length=20, index=True)
    summary: str | None = Field(default=None, sa_column=Column(Text))
    authors: list[dict[str, Any]] = _json()
    date_published: datetime | None = Field(default=None, sa_type=UTCDateTime)
    date_modified: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(max_length=20)
    # "editor" (first-party: the API, or an editor importing its own markup) or "import"
    # (aggregated markup): an import never overwrites a first-party review.
    written_by: str = Field(
        default="editor", sa_column=Column(String(10), nullable=False, server_default="editor")
    )
    retraction_reason: str | None = Field(default=None, sa_column=Column(Text))
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The ClaimReview JSON-LD, rendered once per change so that a read is one lookup.
    jsonld: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    jsonld_etag: str | None = Field(default=None, max_length=64)
    rendered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReviewRevision(SQLModel, table=True):
    """An earlier published state of a review, kept when it is corrected or retracted."""

    __tablename__ = "review_revision"
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(
        sa_column=Column(Integer, ForeignKey("review.id"), nullable=False, index=True)
    )
    version: int
    snapshot: dict[str, Any] = _json()
    jsonld: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"
    id: str = Field(primary_key=True, max_length=32)
    name: str | None = Field(default=None, max_length=200)
    role: str = Field(max_length=20)
    publisher_id: str | None = Field(
        default=None, sa_column=Column(String(64), ForeignKey("publisher.id"), nullable=True)
    )
    # SHA-256 of the whole key: keys are 256-bit random, so a fast hash is safe and O(1) to find.
    key_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A signed-in session of the web app. The cookie's signature proves who issued it; this row
    proves it is still open, so signing out ends it on every app instance sharing the database.
    Stored under the SHA-256 of the cookie's nonce: a copy of this table opens no session."""

    __tablename__ = "web_session"
    id: str = Field(primary_key=True, max_length=64)
    key_id: str = Field(
        sa_column=Column(String(32), ForeignKey("api_key.id"), nullable=False, index=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class Change(SQLModel, table=True):
    """The ordered change log, written in the same transaction as the review change it records."""

    cursor: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=32)
    review_id: int = Field(
        sa_column=Column(Integer, ForeignKey("review.id"), nullable=False, index=True)
    )
    publisher_id: str = Field(max_length=64)
    language: str = Field(max_length=35)
    verdict: str = Field(max_length=20)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SearchDoc(SQLModel, table=True):
    """A claim as the search index sees it: one row per claim with at least one published review.

    `terms` and `claimant_terms` are the analysed tokens, space-separated: the SQLite FTS5 table
    `search_fts` indexes them as external content, and on PostgreSQL the `tsv` column (added by the
    migration, GIN-indexed) holds them as a tsvector.
    """

    __tablename__ = "search_doc"
    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True)
    )
    language: str = Field(max_length=35, index=True)
    length: int
    sort_date: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    terms: str = Field(sa_column=Column(Text, nullable=False))
    claimant_terms: str = Field(sa_column=Column(Text, nullable=False))


class SearchPosting(SQLModel, table=True):
    """Weighted term frequency of a term in a claim: what the BM25 score is computed from."""

    __tablename__ = "search_posting"
    __table_args__ = {"sqlite_with_rowid": False}
    term: str = Field(primary_key=True, max_length=64)
    claim_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("search_doc.claim_id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        )
    )
    weight: float


class SearchTerm(SQLModel, table=True):
    """How many indexed claims contain a term (BM25's document frequency)."""

    __tablename__ = "search_term"
    __table_args__ = {"sqlite_with_rowid": False}
    term: str = Field(primary_key=True, max_length=64)
    df: int


class SearchStats(SQLModel, table=True):
    """One row: the number of indexed claims and their total length in tokens, and how many
    times `claimreview reindex` rebuilt the index (instances holding a copy load it again)."""

    __tablename__ = "search_stats"
    id: int = Field(primary_key=True)
    docs: int
    length: int
    rebuilt: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Webhook(SQLModel, table=True):
    """A partner's subscription to the change log, with optional filters."""

    id: str = Field(primary_key=True, max_length=32)
    owner_key_id: str = Field(max_length=32, index=True)
    url: str = Field(max_length=2048)
    publisher_id: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=35)
    verdict: str | None = Field(default=None, max_length=20)
    # Kept (not hashed) because every delivery is signed with it; shown to its owner once.
    secret: str = Field(max_length=64)
    # The change-log cursor up to which deliveries have been queued.
    queued_through: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One change to send to one subscription; retried until the receiver answers 2xx."""

    __tablename__ = "webhook_delivery"
    id: int | None = Field(default=None, primary_key=True)
    webhook_id: str = Field(
        sa_column=Column(String(32), ForeignKey("webhook.id"), nullable=False, index=True)
    )
    cursor: int
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(max_length=20)  # pending | delivered
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
