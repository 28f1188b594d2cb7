"""Stored objects -> schema.org ClaimReview JSON-LD (rendered once per change, served as bytes)."""

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from app.claimreview import jsonld

# What the serialiser reads: the stored rows (`app.storage.tables`) have these attributes, and so
# do the light rows the importer renders before it inserts them.


class ReviewFields(Protocol):
    @property
    def url(self) -> str: ...
    @property
    def headline(self) -> str | None: ...
    @property
    def language(self) -> str: ...
    @property
    def summary(self) -> str | None: ...
    @property
    def authors(self) -> list[dict[str, Any]]: ...
    @property
    def date_published(self) -> datetime | None: ...
    @property
    def date_modified(self) -> datetime | None: ...
    @property
    def rating_label(self) -> str: ...
    @property
    def rating_value(self) -> float | None: ...
    @property
    def rating_best(self) -> float | None: ...
    @property
    def rating_worst(self) -> float | None: ...
    @property
    def rating_explanation(self) -> str | None: ...


class ClaimFields(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def claimant_name(self) -> str | None: ...
    @property
    def claimant_type(self) -> str | None: ...
    @property
    def claimant_url(self) -> str | None: ...
    @property
    def claim_date(self) -> datetime | None: ...
    @property
    def first_appearance_url(self) -> str | None: ...


class AppearanceFields(Protocol):
    @property
    def position(self) -> int: ...
    @property
    def url(self) -> str: ...
    @property
    def archived_url(self) -> str | None: ...


class PublisherFields(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def logo_url(self) -> str | None: ...


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _scale(review: ReviewFields) -> tuple[int | float, int | float, int | float] | None:
    """Google's rule: ratingValue, bestRating and worstRating all three, or none."""
    value, best, worst = review.rating_value, review.rating_best, review.rating_worst
    if value is None or best is None or worst is None:
        return None
    if not (best > worst >= 1 and worst <= value <= best):
        return None
    return _number(value), _number(best), _number(worst)


def build_claimreview(
    review: ReviewFields,
    claim: ClaimFields,
    appearances: Sequence[AppearanceFields],
    publisher: PublisherFields,
) -> jsonld.ClaimReview:
    if review.date_published is None:
        raise ValueError("a published review has a publication date")
    scale = _scale(review)
    claimant = (
        jsonld.Claimant(
            type="Organization" if claim.claimant_type == "Organization" else "Person",
            name=claim.claimant_name,
            url=claim.claimant_url,
        )
        if claim.claimant_name
        else None
    )
    item = jsonld.Claim(
        author=claimant,
        date_published=iso(claim.claim_date) if claim.claim_date else None,
        appearance=[
            jsonld.CreativeWork(url=a.url, archived_at=a.archived_url)
            for a in sorted(appearances, key=lambda a: a.position)
        ]
        or None,
        first_appearance=(
            jsonld.CreativeWork(url=claim.first_appearance_url)
            if claim.first_appearance_url
            else None
        ),
        in_language=claim.language,
    )
    return jsonld.ClaimReview(
        url=review.url,
        name=review.headline,
        claim_reviewed=claim.text,
        date_published=iso(review.date_published),
        date_modified=iso(review.date_modified) if review.date_modified else None,
        in_language=review.language,
        author=jsonld.Organization(name=publisher.name, url=publisher.url, logo=publisher.logo_url),
        creator=[jsonld.Person(name=a["name"], url=a.get("url")) for a in review.authors] or None,
        review_rating=jsonld.Rating(
            alternate_name=review.rating_label,
            rating_value=scale[0] if scale else None,
            best_rating=scale[1] if scale else None,
            worst_rating=scale[2] if scale else None,
            rating_explanation=review.rating_explanation,
        ),
        review_body=review.summary,
        item_reviewed=item,
    )


def render_document(document: jsonld.ClaimReview) -> bytes:
    return orjson.dumps(document.model_dump(mode="json", by_alias=True, exclude_none=True))


def document_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
