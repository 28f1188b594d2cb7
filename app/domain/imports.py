"""Import of real-world ClaimReview markup: upsert by normalised review URL, one record at a time.

Each record is applied in a savepoint of its own, and batches of records commit together: a
record is either fully stored or absent whenever the process stops, a bad one is rolled back
alone and reported, and the rest land.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlmodel import Session

from app.claimreview.parse import Extracted, ParsedReview, extract
from app.domain import publishers as publisher_service
from app.domain import reviews as review_service
from app.domain.access import COMMAND_LINE, Principal
from app.domain.claims import apply_claim_changes, claim_text_key, new_claim
from app.domain.indexing import refresh_claims
from app.domain.language import detect_language
from app.domain.schemas import (
    AppearanceIn,
    AuthorIn,
    Claimant,
    ClaimCreate,
    ClaimUpdate,
    FirstAppearance,
    PublisherCreate,
    RatingIn,
    ReviewCreate,
    ReviewStatus,
    ReviewUpdate,
    Role,
)
from app.domain.urls import InvalidURL, normalize_url
from app.domain.views import claim_public, review_public
from app.errors import AppError
from app.storage import repositories as repo
from app.storage.database import Database
from app.storage.tables import Publisher


@dataclass(frozen=True)
class Rejection:
    index: int
    url: str | None
    reason: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)


class RecordRejected(Exception):
    pass


@dataclass(frozen=True)
class Unreadable:
    """An input line that is not JSON, passed along so that it is reported in order."""

    reason: str


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def _validation_reason(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "record"
        parts.append(f"{where}: {str(error['msg']).removeprefix('Value error, ')}")
    return "; ".join(parts)


class Importer:
    """Applies extracted records for one caller; counts outcomes in `result`."""

    def __init__(
        self,
        db: Database,
        principal: Principal,
        *,
        dry_run: bool = False,
        batch_size: int = 200,
        on_record: Callable[[ImportResult], None] | None = None,
    ) -> None:
        self.db = db
        self.principal = principal
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.on_record = on_record
        self.result = ImportResult()
        self._next_index = 0

    # --- entry points ---------------------------------------------------------------------------

    def import_documents(self, documents: Iterable[Any]) -> ImportResult:
        """Parsed JSON documents (one, or one per NDJSON line). Records are numbered across
        calls in the order they are found; an unreadable line is passed as `Unreadable`."""
        self._apply(self._records(documents))
        return self.result

    def _records(self, documents: Iterable[Any]) -> Iterator[Extracted]:
        for document in documents:
            if isinstance(document, Unreadable):
                self.reject(self._next_index, None, document.reason)
                self._next_index += 1
                continue
            found = extract(document)
            if not found:
                self.reject(self._next_index, None, "no ClaimReview found in this document")
                self._next_index += 1
                continue
            for e in found:
                yield Extracted(self._next_index + e.index, e.url, e.review, e.error)
            self._next_index += len(found)

    def reject(self, index: int, url: str | None, reason: str) -> None:
        self.result.rejected.append(Rejection(index, url, reason))
        if self.on_record:
            self.on_record(self.result)

    # --- machinery ------------------------------------------------------------------------------

    def _apply(self, records: Iterator[Extracted]) -> None:
        session = self.db.write_session()
        pending = 0
        try:
            for record in records:
                if record.review is None:
                    self.reject(record.index, record.url, record.error or "not a ClaimReview")
                    continue
                savepoint = session.begin_nested()
                try:
                    outcome = self._upsert(session, record.review)
                    savepoint.commit()
                except (RecordRejected, AppError, ValidationError, InvalidURL, ValueError) as exc:
                    savepoint.rollback()
                    self.reject(record.index, record.url, _reason(exc))
                    continue
                setattr(self.result, outcome, getattr(self.result, outcome) + 1)
                pending += 1
                if self.on_record:
                    self.on_record(self.result)
                if pending >= self.batch_size:
                    self._finish(session)
                    pending = 0
            self._finish(session)
        finally:
            session.close()

    def _finish(self, session: Session) -> None:
        if self.dry_run:
            session.rollback()
        else:
            session.commit()

    # --- one record -----------------------------------------------------------------------------

    def _upsert(self, session: Session, record: ParsedReview) -> str:
        publisher = self._publisher(session, record)
        language = (
            record.language
            or _only(publisher.languages)
            or detect_language(record.claim_text, record.headline, record.summary)
        )
        claim_language = record.claim_language or language
        url_key = normalize_url(record.url)
        existing_id = repo.review_id_by_url_key(session, url_key)
        claim_data = _claim(record, claim_language)
        review_fields = _review_fields(record, language)
        if existing_id is None:
            claim_id, _ = self._claim_for(session, claim_data, publisher.id)
            review_service.create_review(
                session,
                COMMAND_LINE,
                ReviewCreate(claim_id=claim_id, publisher_id=publisher.id, **review_fields),
                commit=False,
            )
            return "created"
        review = review_service.load_review(session, existing_id)
        if review.publisher_id != publisher.id:
            raise RecordRejected(
                f"this URL is already a review of publisher '{review.publisher_id}'"
            )
        if review.status == ReviewStatus.RETRACTED:
            raise RecordRejected("this review was retracted here; it is not imported again")
        current = review_public(review).model_dump()
        wanted = ReviewUpdate(**review_fields)
        changed_review = any(
            current[name] != getattr(wanted, name)
            for name in wanted.model_fields_set - {"rating", "authors"}
        )
        changed_review |= current["rating"] != wanted.rating.model_dump()  # type: ignore[union-attr]
        changed_review |= current["authors"] != [a.model_dump() for a in wanted.authors or []]
        claim = repo.get_claim(session, review.claim_id)
        assert claim is not None
        assert claim.id is not None
        current_claim = claim_public(claim, repo.appearances_of(session, claim.id)).model_dump()
        changed_claim = False
        if any(current_claim[name] != value for name, value in claim_data.model_dump().items()):
            claim_id, changed_claim = self._claim_for(
                session, claim_data, publisher.id, keep=claim.id
            )
            if claim_id != review.claim_id:
                wanted.claim_id = claim_id
                changed_review = True
        if changed_review:
            review_service.update_review(
                session, COMMAND_LINE, existing_id, wanted, None, commit=False
            )
        elif changed_claim:
            refresh_claims(session, [claim.id])
        return "updated" if changed_review or changed_claim else "unchanged"

    def _claim_for(
        self, session: Session, data: ClaimCreate, publisher_id: str, keep: int | None = None
    ) -> tuple[int, bool]:
        """The claim this record reviews, and whether a stored claim was corrected: the same
        wording in the same language, or a claim sharing an appearance URL, else a new one."""
        found = repo.claim_id_by_text_key(session, data.language, claim_text_key(data.text))
        if found is None:
            keys = [k for k in (normalize_url(a.url) for a in data.appearances) if _specific(k)]
            found = repo.claim_id_by_appearance(session, keys) if keys else None
        if found is not None and found != keep:
            return found, False
        if keep is not None:
            if len(repo.live_reviews_of_claim(session, keep)) == 1:
                # This review's alone: correct the claim in place.
                changed = apply_claim_changes(session, keep, ClaimUpdate(**data.model_dump()))
                return keep, changed
            # Shared with other reviews (same wording or appearance): it stays as it is.
            return keep, False
        if found is not None:
            return found, False
        claim = new_claim(session, data, publisher_id)
        assert claim.id is not None
        return claim.id, False

    def _publisher(self, session: Session, record: ParsedReview) -> Publisher:
        host = _host(record.url)
        if self.principal.role == Role.EDITOR:
            return self._editors_publisher(session, host)
        home = _host(record.publisher_url) if record.publisher_url else ""
        site = record.publisher_site or ""
        publisher = (
            _by_site(session, host)
            or (_by_site(session, site) if site else None)
            or (_by_site(session, home) if home else None)
            or _by_name(session, record.publisher_name)
            or self._create_publisher(session, record, host)
        )
        # What the markup ties to this publisher becomes one of its sites, unless another
        # publisher already holds it.
        for known in (host, site, home):
            if known and repo.publisher_owning_site(session, known) is None:
                repo.add_site(session, publisher, known)
        return publisher

    def _editors_publisher(self, session: Session, host: str) -> Publisher:
        """An editor imports its own publisher's reviews: on one of its sites, nothing else."""
        mine = self.principal.publisher_id
        publisher = _by_site(session, host)
        if publisher is None or publisher.id != mine:
            raise RecordRejected(f"the review is on {host}, which is not a site of '{mine}'")
        return publisher

    def _create_publisher(self, session: Session, record: ParsedReview, host: str) -> Publisher:
        base = _slug(record.publisher_name or "") or _slug(host) or "publisher"
        slug, n = base, 1
        while repo.get_publisher(session, slug) is not None:
            n += 1
            slug = f"{base}-{n}"
        publisher_service.create_publisher(
            session,
            COMMAND_LINE,
            PublisherCreate(
                id=slug,
                name=record.publisher_name or host,
                url=record.publisher_url,
                sites=[host] if host else [],
            ),
            commit=False,
        )
        created = repo.get_publisher(session, slug)
        assert created is not None
        return created


def _by_site(session: Session, host: str) -> Publisher | None:
    """The publisher of this host or of a parent domain (factuel.afp.com -> afp.com)."""
    labels = host.split(".")
    for start in range(len(labels) - 1):
        owner = repo.publisher_owning_site(session, ".".join(labels[start:]))
        if owner is not None:
            return repo.get_publisher(session, owner)
    return None


def _by_name(session: Session, name: str | None) -> Publisher | None:
    if not name:
        return None
    return repo.publisher_by_name(session, name)


def _specific(url_key: str) -> bool:
    """A page, not a site's home: `facebook.com` must not merge every claim seen on Facebook."""
    _, _, rest = url_key.partition("/")
    return bool(rest.strip("/"))


def _only(values: list[str]) -> str | None:
    return values[0] if len(values) == 1 else None


def _claim(record: ParsedReview, language: str) -> ClaimCreate:
    return ClaimCreate(
        text=record.claim_text,
        language=language,
        claimant=(
            Claimant(
                name=record.claimant_name,
                type=record.claimant_type or "Person",
                url=record.claimant_url,
            )
            if record.claimant_name
            else None
        ),
        claim_date=record.claim_date,
        appearances=[AppearanceIn(url=u, archived_url=a) for u, a in record.appearances],
        first_appearance=(
            FirstAppearance(url=record.first_appearance) if record.first_appearance else None
        ),
    )


def _review_fields(record: ParsedReview, language: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "url": record.url,
        "headline": record.headline,
        "language": language,
        "rating": RatingIn(
            label=record.rating_label,
            value=record.rating_value,
            best=record.rating_best,
            worst=record.rating_worst,
            explanation=record.rating_explanation,
        ),
        "summary": record.summary,
        "authors": [AuthorIn(name=a.name, url=a.url) for a in record.authors],
        "status": ReviewStatus.PUBLISHED,
    }
    # Dates the markup does not give are left to the service (publication: when first seen).
    if record.date_published is not None:
        fields["date_published"] = record.date_published
    if record.date_modified is not None:
        fields["date_modified"] = record.date_modified
    return fields


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return _validation_reason(exc)
    if isinstance(exc, AppError):
        return exc.detail
    return str(exc)
