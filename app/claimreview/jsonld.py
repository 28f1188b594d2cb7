"""The schema.org ClaimReview JSON-LD we publish: schema.org terms only, Google's rules applied.

Pure models, no I/O. `schemas/claimreview.schema.json` is generated from `ClaimReview`.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Node(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class Organization(_Node):
    type: Literal["Organization"] = Field(default="Organization", alias="@type")
    name: str = Field(description="The fact-checking organisation.")
    url: str | None = Field(default=None, description="Its home page.")
    logo: str | None = Field(default=None, description="URL of its logo.")


class Person(_Node):
    type: Literal["Person"] = Field(default="Person", alias="@type")
    name: str = Field(description="The person's name.")
    url: str | None = Field(default=None, description="A page about the person.")


class Claimant(_Node):
    type: Literal["Person", "Organization"] = Field(alias="@type")
    name: str = Field(description="Who made the claim.")
    url: str | None = Field(default=None, description="A page about the claimant.")


class CreativeWork(_Node):
    type: Literal["CreativeWork"] = Field(default="CreativeWork", alias="@type")
    url: str = Field(description="Where the claim appeared.")
    archived_at: str | None = Field(
        default=None, alias="archivedAt", description="An archived copy of that page."
    )


class Claim(_Node):
    type: Literal["Claim"] = Field(default="Claim", alias="@type")
    author: Claimant | None = Field(default=None, description="Who made the claim.")
    date_published: str | None = Field(
        default=None, alias="datePublished", description="When the claim was made (ISO 8601)."
    )
    appearance: list[CreativeWork] | None = Field(
        default=None, description="Where the claim was seen."
    )
    first_appearance: CreativeWork | None = Field(
        default=None, alias="firstAppearance", description="Where the claim first appeared."
    )
    in_language: str | None = Field(
        default=None, alias="inLanguage", description="Language of the claim (BCP 47)."
    )


class Rating(_Node):
    type: Literal["Rating"] = Field(default="Rating", alias="@type")
    alternate_name: str = Field(
        alias="alternateName", min_length=1, description="The verdict in the publisher's words."
    )
    rating_value: int | float | None = Field(
        default=None, alias="ratingValue", description="Position on the scale (with both bounds)."
    )
    best_rating: int | float | None = Field(
        default=None, alias="bestRating", description="Best value of the scale."
    )
    worst_rating: int | float | None = Field(
        default=None, alias="worstRating", description="Worst value of the scale."
    )
    rating_explanation: str | None = Field(
        default=None, alias="ratingExplanation", description="Why this rating."
    )


class ClaimReview(_Node):
    """A publisher's ClaimReview as search engines and partners read it."""

    context: Literal["https://schema.org"] = Field(default="https://schema.org", alias="@context")
    type: Literal["ClaimReview"] = Field(default="ClaimReview", alias="@type")
    url: str = Field(description="The fact-check article.")
    name: str | None = Field(default=None, description="The article's headline.")
    claim_reviewed: str = Field(
        alias="claimReviewed", min_length=1, description="The claim, in a short sentence."
    )
    date_published: str = Field(alias="datePublished", description="Publication date (ISO 8601).")
    date_modified: str | None = Field(
        default=None, alias="dateModified", description="Date of the last correction."
    )
    in_language: str = Field(alias="inLanguage", description="Language of the review (BCP 47).")
    author: Organization = Field(description="The fact-checking organisation.")
    creator: list[Person] | None = Field(default=None, description="Journalists who wrote it.")
    review_rating: Rating = Field(alias="reviewRating", description="The verdict.")
    review_body: str | None = Field(
        default=None, alias="reviewBody", description="A summary of the findings."
    )
    item_reviewed: Claim = Field(alias="itemReviewed", description="The claim reviewed.")
