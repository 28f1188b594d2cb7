"""Native (`/v1`) request and response models.

Inputs reject unknown fields; every field is described (it becomes the OpenAPI document)."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.messages import Message, at_field
from app.rules.fields import (
    Body,
    Headline,
    Host,
    HttpURL,
    Id,
    Label,
    LanguageTag,
    LongText,
    Name,
    Number,
    Slug,
    When,
    refuse_unstorable,
)
from app.rules.verdicts import Verdict


class Input(BaseModel):
    """Model validators name their field as "field: message"; the error handler moves it into
    the problem's `errors` so that every error names a field."""

    model_config = ConfigDict(extra="forbid")

    # Fields that may be left out of a PATCH but never set to null.
    not_nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _storable_strings(cls, data: Any) -> Any:
        """Every string of every input, whatever its field's type, is one a database can
        hold: a NUL or a lone surrogate is a 422 naming the field, never a driver error."""
        if isinstance(data, dict):
            _check_strings(data, "")
        return data

    @model_validator(mode="after")
    def _no_null_for_required(self) -> Self:
        for name in self.not_nullable & self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(at_field(name, Message("cannot be null")))
        return self


def _check_strings(value: Any, path: str) -> None:
    """Raises "path.to.field: why" (the problem's `errors` name that field)."""
    if isinstance(value, str):
        try:
            refuse_unstorable(value)
        except ValueError as exc:
            raise ValueError(at_field(path or "body", exc.args[0])) from None
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_strings(item, f"{path}.{index}")
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            _check_strings(key, path)
            _check_strings(item, name)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETRACTED = "retracted"


class Role(StrEnum):
    EDITOR = "editor"
    IMPORTER = "importer"
    PARTNER = "partner"
    ADMIN = "admin"


# --- publishers ---------------------------------------------------------------------------------


class PublisherCreate(Input):
    id: Slug = Field(description="Stable identifier (slug): lower-case letters, digits and dashes.")
    name: Name = Field(description="The organisation's name as readers know it.")
    url: HttpURL | None = Field(default=None, description="The organisation's home page.")
    sites: list[Host] = Field(
        default_factory=list,
        max_length=50,
        description="Host names its reviews live on, e.g. `factuel.afp.com`.",
    )
    logo_url: HttpURL | None = Field(default=None, description="URL of its logo.")
    languages: list[LanguageTag] = Field(
        default_factory=list, max_length=50, description="Languages it publishes in (BCP 47)."
    )
    verdict_overrides: dict[Name, Verdict] = Field(
        default_factory=dict,
        max_length=500,
        description="This publisher's own rating labels mapped to normalised verdicts; they win "
        "over the built-in label table.",
    )


class PublisherPublic(Output):
    id: str = Field(description="Stable identifier (slug).")
    name: str = Field(description="The organisation's name.")
    url: str | None = Field(description="Home page.")
    sites: list[str] = Field(description="Host names its reviews live on.")
    logo_url: str | None = Field(description="URL of its logo.")
    languages: list[str] = Field(description="Languages it publishes in (BCP 47).")
    verdict_overrides: dict[str, str] = Field(description="Its own labels mapped to verdicts.")
    review_count: int = Field(default=0, description="Number of published reviews.")
    first_review_at: datetime | None = Field(
        default=None, description="Publication date of its earliest published review."
    )
    last_review_at: datetime | None = Field(
        default=None, description="Publication date of its latest published review."
    )
    created_at: datetime = Field(description="When it was added to this service.")


class PublisherList(Output):
    publishers: list[PublisherPublic] = Field(description="Every publisher, by id.")


# --- claims -------------------------------------------------------------------------------------


class Claimant(Input):
    name: Name = Field(description="Who made the claim.")
    type: Literal["Person", "Organization"] = Field(
        default="Person", description="Whether the claimant is a person or an organisation."
    )
    url: HttpURL | None = Field(default=None, description="A page about the claimant.")


class AppearanceIn(Input):
    url: HttpURL = Field(description="Where the claim appeared (a post, video, article).")
    archived_url: HttpURL | None = Field(default=None, description="An archived copy of that page.")


class FirstAppearance(Input):
    url: HttpURL = Field(description="Where the claim first appeared.")


class ClaimCreate(Input):
    text: LongText = Field(description="What was said, in its own language.")
    language: LanguageTag = Field(description="Language of the text (BCP 47).")
    claimant: Claimant | None = Field(default=None, description="Who said it.")
    claim_date: When | None = Field(default=None, description="When it was said.")
    appearances: list[AppearanceIn] = Field(
        default_factory=list, max_length=200, description="Where it was seen."
    )
    first_appearance: FirstAppearance | None = Field(
        default=None, description="Where it was first seen."
    )


class ClaimUpdate(Input):
    not_nullable = frozenset({"text", "language", "appearances"})

    text: LongText | None = Field(default=None, description="What was said.")
    language: LanguageTag | None = Field(default=None, description="Language of the text.")
    claimant: Claimant | None = Field(default=None, description="Who said it; null clears it.")
    claim_date: When | None = Field(default=None, description="When it was said.")
    appearances: list[AppearanceIn] | None = Field(
        default=None, max_length=200, description="Where it was seen (replaces the list)."
    )
    first_appearance: FirstAppearance | None = Field(
        default=None, description="Where it was first seen."
    )


class ClaimantPublic(Output):
    name: str = Field(description="Who made the claim.")
    type: str = Field(description="Person or Organization.")
    url: str | None = Field(default=None, description="A page about the claimant.")


class AppearancePublic(Output):
    url: str = Field(description="Where the claim appeared.")
    archived_url: str | None = Field(default=None, description="An archived copy.")


class FirstAppearancePublic(Output):
    url: str = Field(description="Where the claim first appeared.")


class ClaimPublic(Output):
    id: int = Field(description="Identifier.")
    text: str = Field(description="What was said.")
    language: str = Field(description="Language of the text (BCP 47).")
    claimant: ClaimantPublic | None = Field(description="Who said it.")
    claim_date: datetime | None = Field(description="When it was said.")
    appearances: list[AppearancePublic] = Field(description="Where it was seen.")
    first_appearance: FirstAppearancePublic | None = Field(description="Where it first appeared.")
    created_at: datetime = Field(description="When it was recorded here.")
    updated_at: datetime = Field(description="When it last changed here.")


# --- reviews ------------------------------------------------------------------------------------


class RatingIn(Input):
    label: Label = Field(
        description="The publisher's own verdict words, verbatim (e.g. `Faux`), whatever their "
        "length."
    )
    value: Number | None = Field(default=None, description="Position on the publisher's scale.")
    best: Number | None = Field(default=None, description="Best value of the scale.")
    worst: Number | None = Field(default=None, description="Worst value of the scale.")
    explanation: LongText | None = Field(default=None, description="Why this rating.")

    @model_validator(mode="after")
    def _scale_is_possible(self) -> Self:
        if self.best is not None and self.worst is not None and self.best <= self.worst:
            raise ValueError(at_field("best", Message("must be greater than worst")))
        if self.value is not None:
            if self.best is not None and self.value > self.best:
                raise ValueError(at_field("value", Message("must not be above best")))
            if self.worst is not None and self.value < self.worst:
                raise ValueError(at_field("value", Message("must not be below worst")))
        return self


class AuthorIn(Input):
    name: Name = Field(description="The journalist's name.")
    url: HttpURL | None = Field(default=None, description="A page about the journalist.")


class ReviewCreate(Input):
    claim_id: Id | None = Field(default=None, description="The claim reviewed (or give `claim`).")
    claim: ClaimCreate | None = Field(
        default=None, description="A new claim to create and review (instead of `claim_id`)."
    )
    publisher_id: Slug | None = Field(
        default=None, description="The reviewing publisher; defaults to an editor key's publisher."
    )
    url: HttpURL = Field(
        description="The fact-check article (its page): a page carries one review per claim it "
        "checks, so the page and the claim are unique together."
    )
    headline: Headline | None = Field(default=None, description="The article's headline.")
    language: LanguageTag | None = Field(
        default=None, description="Language of the review; defaults to the claim's."
    )
    rating: RatingIn = Field(description="The publisher's verdict.")
    summary: Body | None = Field(default=None, description="A short summary of the findings.")
    authors: list[AuthorIn] = Field(
        default_factory=list, max_length=50, description="Journalists who wrote it."
    )
    date_published: When | None = Field(
        default=None, description="Publication date; defaults to when it is published here."
    )
    date_modified: When | None = Field(default=None, description="Date of the last correction.")
    status: ReviewStatus = Field(
        default=ReviewStatus.DRAFT, description="draft (private), published or retracted."
    )

    @model_validator(mode="after")
    def _one_claim(self) -> Self:
        if (self.claim_id is None) == (self.claim is None):
            raise ValueError(
                at_field("claim_id", Message("give exactly one of claim_id and claim"))
            )
        return self


class ReviewUpdate(Input):
    not_nullable = frozenset({"claim_id", "url", "language", "rating", "authors", "status"})

    claim_id: Id | None = Field(default=None, description="Move the review to another claim.")
    url: HttpURL | None = Field(default=None, description="The fact-check article.")
    headline: Headline | None = Field(default=None, description="The article's headline.")
    language: LanguageTag | None = Field(default=None, description="Language of the review.")
    rating: RatingIn | None = Field(default=None, description="The verdict (replaced whole).")
    summary: Body | None = Field(default=None, description="A short summary.")
    authors: list[AuthorIn] | None = Field(
        default=None, max_length=50, description="Journalists (replaces the list)."
    )
    date_published: When | None = Field(default=None, description="Publication date.")
    date_modified: When | None = Field(
        default=None, description="Date of the last correction; set automatically if left out."
    )
    status: ReviewStatus | None = Field(
        default=None, description="draft → published → retracted (and back to published)."
    )
    retraction_reason: Body | None = Field(
        default=None,
        description="Why the review is retracted: with `status` retracted, or on a retracted "
        "review. Publishing it again clears it.",
    )


class RatingPublic(Output):
    label: str = Field(description="The publisher's own words, verbatim.")
    value: float | None = Field(default=None, description="Position on the publisher's scale.")
    best: float | None = Field(default=None, description="Best value of the scale.")
    worst: float | None = Field(default=None, description="Worst value of the scale.")
    explanation: str | None = Field(default=None, description="Why this rating.")


class AuthorPublic(Output):
    name: str = Field(description="The journalist's name.")
    url: str | None = Field(default=None, description="A page about the journalist.")


class ReviewPublic(Output):
    id: int = Field(description="Identifier.")
    claim_id: int = Field(description="The claim reviewed.")
    publisher_id: str = Field(description="The reviewing publisher.")
    url: str = Field(description="The fact-check article.")
    headline: str | None = Field(description="The article's headline.")
    language: str = Field(description="Language of the review (BCP 47).")
    rating: RatingPublic = Field(description="The publisher's verdict, verbatim.")
    verdict: Verdict = Field(description="The verdict normalised to a fixed list.")
    summary: str | None = Field(description="A short summary of the findings.")
    authors: list[AuthorPublic] = Field(description="Journalists who wrote it.")
    date_published: datetime | None = Field(description="Publication date.")
    date_modified: datetime | None = Field(description="Date of the last correction.")
    status: ReviewStatus = Field(description="draft, published or retracted.")
    retraction_reason: str | None = Field(
        default=None, description="Why it was retracted (a retracted review only)."
    )
    version: int = Field(description="Increases by one with every change.")
    etag: str = Field(description="Entity tag of this state; send it in If-Match to update.")
    created_at: datetime = Field(description="When it was recorded here.")
    updated_at: datetime = Field(description="When it last changed here.")


class ClaimWithReviews(ClaimPublic):
    reviews: list[ReviewPublic] = Field(description="The claim's published reviews.")


class ReviewRevisionPublic(Output):
    version: int = Field(description="The review's version in that state.")
    recorded_at: datetime = Field(description="When that state was replaced.")
    review: ReviewPublic = Field(description="The review as it was published then.")


class ReviewRevisionList(Output):
    revisions: list[ReviewRevisionPublic] = Field(
        description="Earlier published states, oldest first."
    )


# --- API keys -----------------------------------------------------------------------------------


class ApiKeyCreate(Input):
    role: Role = Field(description="editor, importer, partner or admin.")
    publisher_id: Slug | None = Field(
        default=None, description="The publisher an editor key writes for (editors only)."
    )
    name: Name | None = Field(default=None, description="A label to recognise the key by.")

    @model_validator(mode="after")
    def _publisher_for_editors(self) -> Self:
        if self.role == Role.EDITOR and self.publisher_id is None:
            raise ValueError(
                at_field("publisher_id", Message("an editor key needs a publisher_id"))
            )
        if self.role != Role.EDITOR and self.publisher_id is not None:
            raise ValueError(
                at_field("publisher_id", Message("only editor keys are bound to a publisher"))
            )
        return self


class ApiKeyPublic(Output):
    id: str = Field(description="Identifier of the key (not the secret).")
    name: str | None = Field(description="Its label.")
    role: Role = Field(description="Its role.")
    publisher_id: str | None = Field(description="The publisher of an editor key.")
    prefix: str = Field(description="The first characters of the secret, to recognise it.")
    created_at: datetime = Field(description="When it was created.")
    revoked_at: datetime | None = Field(description="When it was revoked, if it was.")


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The secret. Shown only once: store it now.")


class ApiKeyList(Output):
    api_keys: list[ApiKeyPublic] = Field(description="Every key, newest first.")


# --- search -------------------------------------------------------------------------------------


class SearchResult(Output):
    claim: ClaimPublic = Field(description="The claim.")
    reviews: list[ReviewPublic] = Field(description="Its published reviews, newest first.")
    score: float = Field(description="Text relevance (BM25); 0 when searching by filters only.")


class SearchResponse(Output):
    results: list[SearchResult] = Field(description="Claims, most relevant first.")
    next_page_token: str | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="Send as page_token for the next page; absent on the last page.",
    )


class MatchRequest(Input):
    texts: list[Annotated[str, Field(max_length=20_000)]] = Field(
        min_length=1,
        max_length=20,
        description="Posts, sentences or paragraphs (at most 20), each matched on its own.",
    )
    language: LanguageTag | None = Field(
        default=None,
        description="The texts' language (BCP 47; region ignored): they are analysed in it and "
        "matched to claims in it. Absent: each text's language is detected.",
    )
    limit: int = Field(default=5, ge=1, le=20, description="Most matches per text.")


class Match(Output):
    claim: ClaimPublic = Field(description="The claim.")
    reviews: list[ReviewPublic] = Field(description="Its published reviews, newest first.")
    score: float = Field(
        ge=0, le=1, description="How surely the claim is what the text says, from 0 to 1."
    )


class MatchResponse(Output):
    matches: list[list[Match]] = Field(
        description="For each text, in the order sent, its matches best first; matches under "
        "the service's threshold are left out, so an empty list means no fact-check concerns "
        "that text."
    )


# --- change log ---------------------------------------------------------------------------------


class ChangeType(StrEnum):
    PUBLISHED = "review.published"
    UPDATED = "review.updated"
    RETRACTED = "review.retracted"
    DELETED = "review.deleted"


class ChangePublic(Output):
    cursor: str = Field(description="Position in the log; pass the last one seen as `after`.")
    type: ChangeType = Field(description="What happened to the review.")
    review_id: int = Field(description="The review concerned.")
    at: datetime = Field(description="When it happened.")


class ChangeList(Output):
    changes: list[ChangePublic] = Field(description="Changes after the given cursor, in order.")
    next_cursor: str = Field(
        description="Pass as `after` to continue; equals `after` when nothing new happened."
    )


# --- lookup -------------------------------------------------------------------------------------


class LookupRequest(Input):
    urls: list[str] = Field(
        min_length=1, max_length=100, description="Web addresses to look up (at most 100)."
    )


class LookupMatch(Output):
    id: int = Field(description="The review.")
    claim_id: int = Field(description="The claim it reviews.")
    publisher_id: str = Field(description="Who reviewed it.")
    url: str = Field(description="The fact-check article.")
    label: str = Field(description="The publisher's verdict, verbatim.")
    verdict: Verdict = Field(description="The verdict normalised.")


class LookupResponse(Output):
    matches: dict[str, list[LookupMatch]] = Field(
        description="For each URL as sent, the published reviews that concern it (may be empty)."
    )


# --- webhooks -----------------------------------------------------------------------------------


class WebhookCreate(Input):
    url: HttpURL = Field(description="Where to POST each change (http or https).")
    publisher: Slug | None = Field(default=None, description="Only this publisher's reviews.")
    language: LanguageTag | None = Field(default=None, description="Only reviews in this language.")
    verdict: Verdict | None = Field(default=None, description="Only reviews with this verdict.")


class WebhookPublic(Output):
    id: str = Field(description="Identifier.")
    url: str = Field(description="Where changes are sent.")
    publisher: str | None = Field(description="Publisher filter.")
    language: str | None = Field(description="Language filter.")
    verdict: str | None = Field(description="Verdict filter.")
    created_at: datetime = Field(description="When it was created.")


class WebhookCreated(WebhookPublic):
    secret: str = Field(
        description="Signs every delivery (HMAC-SHA256 over `timestamp.body`). Shown only once."
    )


class WebhookList(Output):
    webhooks: list[WebhookPublic] = Field(description="Your subscriptions.")


class DeliveryPublic(Output):
    id: int = Field(description="Identifier; also sent as the Webhook-Id header.")
    cursor: str = Field(description="The change-log cursor delivered.")
    status: Literal["pending", "delivered"] = Field(description="pending or delivered.")
    attempts: int = Field(description="Requests made so far.")
    last_status: int | None = Field(description="HTTP status of the last attempt.")
    last_error: str | None = Field(description="Error of the last attempt, if it failed.")
    next_attempt_at: datetime = Field(description="When it will be tried next (if pending).")
    delivered_at: datetime | None = Field(description="When the receiver acknowledged it.")


class DeliveryList(Output):
    deliveries: list[DeliveryPublic] = Field(description="Newest first (at most 100).")
