"""Stored rows -> native response models."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row

from app.domain.schemas import (
    AppearancePublic,
    AuthorPublic,
    ClaimantPublic,
    ClaimPublic,
    ClaimWithReviews,
    FirstAppearancePublic,
    PublisherPublic,
    RatingPublic,
    ReviewPublic,
    ReviewStatus,
)
from app.rules.verdicts import Verdict
from app.storage.repositories import PublisherStats
from app.storage.tables import Appearance, Claim, Publisher, Review


def review_etag(review: Review | Row[Any]) -> str:
    return f'"{review.id}.{review.version}"'


def review_public(review: Review | Row[Any]) -> ReviewPublic:
    """From the stored review, or a row of its columns (search results)."""
    assert review.id is not None
    return ReviewPublic(
        id=review.id,
        claim_id=review.claim_id,
        publisher_id=review.publisher_id,
        url=review.url,
        headline=review.headline,
        language=review.language,
        rating=RatingPublic(
            label=review.rating_label,
            value=review.rating_value,
            best=review.rating_best,
            worst=review.rating_worst,
            explanation=review.rating_explanation,
        ),
        verdict=Verdict(review.verdict),
        summary=review.summary,
        authors=[AuthorPublic(name=a["name"], url=a.get("url")) for a in review.authors],
        date_published=review.date_published,
        date_modified=review.date_modified,
        status=ReviewStatus(review.status),
        retraction_reason=review.retraction_reason,
        version=review.version,
        etag=review_etag(review),
        created_at=review.created_at,
        updated_at=review.updated_at,
    )


def claim_public(
    claim: Claim | Row[Any], appearances: Sequence[Appearance | Row[Any]]
) -> ClaimPublic:
    """From the stored claim, or a row of its columns (search results)."""
    assert claim.id is not None
    return ClaimPublic(
        id=claim.id,
        text=claim.text,
        language=claim.language,
        claimant=(
            ClaimantPublic(
                name=claim.claimant_name,
                type=claim.claimant_type or "Person",
                url=claim.claimant_url,
            )
            if claim.claimant_name
            else None
        ),
        claim_date=claim.claim_date,
        appearances=[AppearancePublic(url=a.url, archived_url=a.archived_url) for a in appearances],
        first_appearance=(
            FirstAppearancePublic(url=claim.first_appearance_url)
            if claim.first_appearance_url
            else None
        ),
        created_at=claim.created_at,
        updated_at=claim.updated_at,
    )


def claim_with_reviews(
    claim: Claim, appearances: Sequence[Appearance], reviews: Sequence[Review]
) -> ClaimWithReviews:
    base = claim_public(claim, appearances)
    return ClaimWithReviews(**base.model_dump(), reviews=[review_public(r) for r in reviews])


def publisher_public(publisher: Publisher, stats: PublisherStats | None) -> PublisherPublic:
    return PublisherPublic(
        id=publisher.id,
        name=publisher.name,
        url=publisher.url,
        sites=publisher.sites,
        logo_url=publisher.logo_url,
        languages=publisher.languages,
        verdict_overrides=publisher.verdict_overrides,
        review_count=stats.review_count if stats else 0,
        first_review_at=stats.first_review_at if stats else None,
        last_review_at=stats.last_review_at if stats else None,
        created_at=publisher.created_at,
    )
