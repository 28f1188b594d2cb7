"""The fact-check form <-> the domain's input models, and error paths -> form fields."""

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from pydantic import ValidationError

from app.domain.schemas import (
    ClaimPublic,
    ClaimUpdate,
    ReviewCreate,
    ReviewPublic,
    ReviewStatus,
    ReviewUpdate,
)
from app.errors import validator_error
from app.messages import N_

# Where each input path of the native API is shown on the form (longest prefix wins).
_FIELD_OF_PATH = {
    "claim": "claim",
    "claim.text": "claim",
    "text": "claim",
    "claim.language": "claim_language",
    "language": "claim_language",
    "claim.claimant": "claimant",
    "claimant": "claimant",
    "claim.claim_date": "claim_date",
    "claim_date": "claim_date",
    "claim.appearances": "appearances",
    "appearances": "appearances",
    "claim_id": "claim",
    "url": "url",
    "headline": "headline",
    "rating": "verdict",
    "rating.label": "verdict",
    "rating.value": "rating_value",
    "rating.best": "rating_best",
    "rating.worst": "rating_worst",
    "summary": "summary",
    "publisher_id": "publisher",
}
# Where each path of Google's rules (app.claimreview.validate) points on the form.
_FIELD_OF_MARKUP = {
    "claimReviewed": "claim",
    "url": "url",
    "name": "headline",
    "reviewBody": "summary",
    "reviewRating": "verdict",
    "reviewRating.alternateName": "verdict",
    "reviewRating.ratingValue": "rating_value",
    "reviewRating.bestRating": "rating_best",
    "reviewRating.worstRating": "rating_worst",
    "itemReviewed.author": "claimant",
    "itemReviewed.datePublished": "claim_date",
    "itemReviewed.appearance": "appearances",
    "itemReviewed.firstAppearance": "appearances",
    "itemReviewed.inLanguage": "claim_language",
}
_INDEX = re.compile(r"\[\d+\]|\.\d+(?=\.|$)")

FieldErrors = dict[str, list[str]]


def field_for(path: str, table: Mapping[str, str] = _FIELD_OF_PATH) -> str:
    """The form field an error path belongs to ("" for the form as a whole)."""
    parts = _INDEX.sub("", path).strip(".").split(".")
    while parts:
        name = table.get(".".join(parts))
        if name is not None:
            return name
        parts.pop()
    return ""


def add_error(
    errors: FieldErrors, path: str, message: str, table: Mapping[str, str] | None = None
) -> None:
    errors.setdefault(field_for(path, table or _FIELD_OF_PATH), []).append(message)


def markup_field(path: str) -> str:
    return field_for(path, _FIELD_OF_MARKUP)


@dataclass
class ReviewForm:
    """The form's fields as typed (strings), so that a refused form comes back as it was."""

    claim: str = ""
    claim_language: str = ""
    claimant: str = ""
    claim_date: str = ""
    appearances: str = ""
    url: str = ""
    headline: str = ""
    verdict: str = ""
    rating_value: str = ""
    rating_best: str = ""
    rating_worst: str = ""
    summary: str = ""
    publisher: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> "ReviewForm":
        return cls(**{f.name: str(form.get(f.name) or "").strip() for f in fields(cls)})

    @classmethod
    def from_stored(cls, review: ReviewPublic, claim: ClaimPublic) -> "ReviewForm":
        def number(value: float | None) -> str:
            return "" if value is None else f"{value:g}"

        return cls(
            claim=claim.text,
            claim_language=claim.language,
            claimant=claim.claimant.name if claim.claimant else "",
            claim_date=claim.claim_date.date().isoformat() if claim.claim_date else "",
            appearances="\n".join(a.url for a in claim.appearances),
            url=review.url,
            headline=review.headline or "",
            verdict=review.rating.label,
            rating_value=number(review.rating.value),
            rating_best=number(review.rating.best),
            rating_worst=number(review.rating.worst),
            summary=review.summary or "",
            publisher=review.publisher_id,
        )

    def values(self) -> dict[str, str]:
        return asdict(self)

    def to_create(self, status: ReviewStatus) -> tuple[ReviewCreate | None, FieldErrors]:
        """The native API's input for this form, or the errors at their fields."""
        errors: FieldErrors = {}
        rating: dict[str, Any] = {"label": self.verdict}
        for name, field in (
            ("value", "rating_value"),
            ("best", "rating_best"),
            ("worst", "rating_worst"),
        ):
            text = getattr(self, field).replace(",", ".")
            if not text:
                continue
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                errors.setdefault(field, []).append(N_("Enter a number."))
            else:
                rating[name] = number
        claim: dict[str, Any] = {
            "text": self.claim,
            "language": self.claim_language,
            "appearances": [
                {"url": line.strip()} for line in self.appearances.splitlines() if line.strip()
            ],
        }
        if self.claimant:
            claim["claimant"] = {"name": self.claimant}
        if self.claim_date:
            claim["claim_date"] = self.claim_date
        body: dict[str, Any] = {
            "claim": claim,
            "url": self.url,
            "rating": rating,
            "status": status.value,
            "headline": self.headline or None,
            "summary": self.summary or None,
        }
        if self.publisher:
            body["publisher_id"] = self.publisher
        try:
            data = ReviewCreate.model_validate(body)
        except ValidationError as exc:
            for error in exc.errors():
                path, message = error_path(error)
                add_error(errors, path, message)
            return None, errors
        return (None, errors) if errors else (data, errors)


def error_path(error: Any) -> tuple[str, str]:
    """A pydantic error's input path (where a model validator named a field, that field's)
    and its message, as app.errors.validator_error reads them for the API too."""
    path = ".".join(str(part) for part in error["loc"])
    inner, message = validator_error(error)
    if inner is not None:
        path = inner if not path else f"{path}.{inner}"
    return path, message


def claim_update(data: ReviewCreate, stored: ClaimPublic) -> ClaimUpdate:
    """The claim's new fields; what the form does not show (the claimant's type and page, the
    first appearance) stays as stored."""
    assert data.claim is not None
    fields = data.claim.model_dump(exclude={"first_appearance"})
    new, old = data.claim.claimant, stored.claimant
    if new is not None and old is not None and new.name == old.name:
        fields["claimant"] = old.model_dump()
    return ClaimUpdate.model_validate(fields)


def claim_changed(data: ReviewCreate, stored: ClaimPublic) -> bool:
    assert data.claim is not None
    new = data.claim
    return (
        new.text != stored.text
        or new.language != stored.language
        or (new.claimant.name if new.claimant else None)
        != (stored.claimant.name if stored.claimant else None)
        or new.claim_date != stored.claim_date
        or [a.url for a in new.appearances] != [a.url for a in stored.appearances]
    )


def review_update(data: ReviewCreate) -> ReviewUpdate:
    return ReviewUpdate(
        url=data.url,
        headline=data.headline,
        rating=data.rating,
        summary=data.summary,
        status=data.status,
    )
