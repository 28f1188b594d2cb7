"""Google Fact Check Tools API v1alpha1 responses and errors, with its exact field names (as the
discovery document shipped in google-api-python-client declares them)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


def _absent(value: object) -> bool:
    return value is None


class _Google(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class GooglePublisher(_Google):
    name: str | None = Field(default=None, exclude_if=_absent, description="Publisher's name.")
    site: str | None = Field(default=None, exclude_if=_absent, description="Its site's host.")


class GoogleClaimReview(_Google):
    publisher: GooglePublisher = Field(description="The publisher of this review.")
    url: str = Field(description="The URL of this review.")
    title: str | None = Field(default=None, exclude_if=_absent, description="Its title.")
    review_date: datetime | None = Field(
        default=None, alias="reviewDate", exclude_if=_absent, description="When it was published."
    )
    textual_rating: str = Field(alias="textualRating", description="The verdict, in words.")
    language_code: str = Field(alias="languageCode", description="Language of the review.")


class GoogleClaim(_Google):
    text: str = Field(description="The claim's text.")
    claimant: str | None = Field(default=None, exclude_if=_absent, description="Who made it.")
    claim_date: datetime | None = Field(
        default=None, alias="claimDate", exclude_if=_absent, description="When it was made."
    )
    claim_review: list[GoogleClaimReview] = Field(alias="claimReview", description="Its reviews.")


class GoogleClaimsResponse(_Google):
    claims: list[GoogleClaim] = Field(description="Matching claims.")
    next_page_token: str | None = Field(
        default=None,
        alias="nextPageToken",
        exclude_if=_absent,
        description="Token for the next page; absent on the last page.",
    )


class GoogleImageSearchResult(_Google):
    claim: GoogleClaim = Field(description="A claim that circulated as the image.")


class GoogleImageSearchResponse(_Google):
    results: list[GoogleImageSearchResult] = Field(description="Matching claims.")
    next_page_token: str | None = Field(
        default=None,
        alias="nextPageToken",
        exclude_if=_absent,
        description="Token for the next page; absent on the last page.",
    )


class GoogleFieldViolation(_Google):
    field: str = Field(description="The refused parameter, as Google spells it (`pageSize`).")
    description: str = Field(description="What is wrong with it.")


class GoogleErrorDetail(_Google):
    type: str = Field(
        alias="@type", description="`type.googleapis.com/google.rpc.BadRequest`, the only kind."
    )
    field_violations: list[GoogleFieldViolation] = Field(
        alias="fieldViolations", description="Each refused parameter."
    )


class GoogleStatus(_Google):
    code: int = Field(description="The HTTP status of the response.")
    message: str = Field(description="What went wrong; names each refused parameter.")
    status: str = Field(
        description="google.rpc.Code name: `INVALID_ARGUMENT`, `NOT_FOUND`, `UNAUTHENTICATED`, "
        "`PERMISSION_DENIED`, `ALREADY_EXISTS`, `ABORTED`, `RESOURCE_EXHAUSTED`, `UNAVAILABLE`..."
    )
    details: list[GoogleErrorDetail] | None = Field(
        default=None, exclude_if=_absent, description="With INVALID_ARGUMENT: the parameters."
    )


class GoogleError(_Google):
    """Google's error body (google.rpc.Status as JSON), the only error shape its client
    libraries read: every error under /v1alpha1 has it."""

    error: GoogleStatus = Field(description="The error.")
