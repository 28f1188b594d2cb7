"""A page: the reviews at one URL, one per claim it checks, written and read as one thing.

The ClaimReview Markup API (`/v1alpha1/pages`) and the web app edit a page at a time. A page is no
separate store: `sync_page` makes the reviews at a URL what is given through the same review use
cases as `POST`/`PATCH /v1/reviews` (rendering, revisions, change log, search index), so the native
API, imports and the page routes see the same rows. A page belongs to one publisher, on its sites.
"""

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session

from app.domain import claim_matching
from app.domain import reviews as review_service
from app.domain.access import Principal, can_see_drafts, others_than, require_editor_of
from app.domain.claims import apply_claim_changes, claim_owners, load_claim
from app.domain.language import detect_language
from app.domain.schemas import ClaimUpdate, ReviewCreate, ReviewPublic, ReviewStatus, ReviewUpdate
from app.domain.urls import InvalidURL, normalize_url
from app.domain.views import review_etag, review_public
from app.errors import Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable
from app.storage import repositories as repo
from app.storage.tables import Review

# The review fields a page's markup gives; what it leaves out is cleared, as a PUT would. (Dates
# left out keep what the service set: publication when first published, correction when changed.)
_REVIEW_FIELDS = ("headline", "rating", "summary", "authors")
_DATES = ("date_published", "date_modified")


@dataclass
class Page:
    """The live reviews at one page URL (drafts only for their publisher's keys), oldest first."""

    url: str
    url_key: str
    publisher_id: str | None
    reviews: list[ReviewPublic]
    version: str  # `page_version` of the reviews

    @property
    def published(self) -> list[ReviewPublic]:
        return [r for r in self.reviews if r.status == ReviewStatus.PUBLISHED]


@dataclass
class PageSync:
    """What `sync_page` did, by review id, and the page as it now is."""

    page: Page
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    retracted: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)  # drafts the page no longer carries


def page_version(reviews: Sequence[ReviewPublic]) -> str:
    """A digest of the page's reviews' etags: any change to any of them, or a review added or
    taken away, gives a new version (Google's `versionId`)."""
    etags = ",".join(sorted(r.etag for r in reviews))
    return hashlib.sha256(etags.encode()).hexdigest()[:32]


def page_key(url: str) -> str:
    try:
        return normalize_url(url)
    except InvalidURL as exc:
        raise Unprocessable(f"url: {exc}", errors=[{"field": "url", "message": str(exc)}]) from exc


def _live_reviews(session: Session, url_key: str) -> list[Review]:
    at_page = repo.reviews_at_pages(session, [url_key]).get(url_key, [])
    return [review_service.load_review(session, r.id) for r in at_page if not r.deleted]


def read_page(session: Session, url: str, principal: Principal | None) -> Page:
    """The page at `url` (compared normalised); 404 when it carries no review this key sees."""
    url_key = page_key(url)
    reviews = [
        review_public(r)
        for r in _live_reviews(session, url_key)
        if r.status != ReviewStatus.DRAFT or can_see_drafts(principal, r.publisher_id)
    ]
    if not reviews:
        raise NotFound(f"No fact-check at {url}.")
    return Page(reviews[0].url, url_key, reviews[0].publisher_id, reviews, page_version(reviews))


def _update_from(item: ReviewCreate) -> ReviewUpdate:
    fields = {name: getattr(item, name) for name in _REVIEW_FIELDS}
    fields.update({name: getattr(item, name) for name in _DATES if getattr(item, name)})
    fields["status"] = item.status
    if item.language is not None:
        fields["language"] = item.language
    return ReviewUpdate(**fields)


def _matching(session: Session, stored: list[Review], item: ReviewCreate) -> Review | None:
    """The page's stored review of the item's claim: the same claim id, or the same wording in
    the same language."""
    if item.claim_id is not None:
        return next((r for r in stored if r.claim_id == item.claim_id), None)
    assert item.claim is not None
    worded = claim_matching.page_claims_worded(
        session, (r.claim_id for r in stored), claim_matching.wording(item.claim)
    )
    return next((r for r in stored if r.claim_id in worded), None)


def sync_page(
    session: Session,
    principal: Principal,
    url: str,
    items: Sequence[ReviewCreate],
    *,
    if_version: str | None = None,
) -> PageSync:
    """Make the reviews at `url` those of `items`, one per claim; does not commit.

    Each item is matched to the page's stored review of its claim (by claim id, or by the same
    wording in the same language) and updated through `update_review`, else created through
    `create_review`; the page's other reviews are retracted when published (on the record, with
    `review.retracted` in the change log) and deleted when drafts. An item's inline claim also
    corrects the matched claim's details (claimant, date, appearances) when no other publisher
    shares that claim. `if_version`: the `page_version` the caller read; refused (412) when the
    page changed since. Every write goes through the ownership rules of the review use cases.
    """
    url_key = page_key(url)
    publisher_id = principal.publisher_id or next(
        (i.publisher_id for i in items if i.publisher_id), None
    )
    if publisher_id is None:
        raise Unprocessable(
            "publisher_id: required with a key that is not bound to a publisher",
            errors=[{"field": "publisher_id", "message": "required"}],
        )
    require_editor_of(principal, publisher_id)
    repo.lock_page(session, url_key)
    stored = _live_reviews(session, url_key)
    others = sorted({r.publisher_id for r in stored} - {publisher_id})
    if others:
        raise Forbidden(f"url: this page holds reviews of publisher '{others[0]}'.")
    if if_version is not None:
        current = page_version([review_public(r) for r in stored])
        if if_version != current:
            raise PreconditionFailed(f"The page changed since you read it (now {current}).")

    result = PageSync(page=Page(url, url_key, publisher_id, [], ""))
    taken: set[int] = set()
    for position, item in enumerate(items):
        where = f"reviews[{position}]"
        if page_key(item.url) != url_key:
            raise Unprocessable(
                f"{where}.url: not this page's URL",
                errors=[{"field": f"{where}.url", "message": "not this page's URL"}],
            )
        if item.publisher_id not in (None, publisher_id):
            raise Unprocessable(
                f"{where}.publisher_id: a page is one publisher's",
                errors=[{"field": f"{where}.publisher_id", "message": "not the page's publisher"}],
            )
        existing = _matching(session, stored, item)
        if existing is None:
            data = item.model_copy(update={"publisher_id": publisher_id})
            created = review_service.create_review(session, principal, data)
            result.created.append(created.id)
            taken.add(created.id)
            continue
        assert existing.id is not None
        if existing.id in taken:
            raise Unprocessable(
                f"{where}: another review of this page has the same claim",
                errors=[{"field": where, "message": "the same claim twice on one page"}],
            )
        taken.add(existing.id)
        before = review_etag(existing)
        changed_claim = False
        if item.claim is not None:
            claim = load_claim(session, existing.claim_id)
            if not others_than(publisher_id, claim_owners(session, claim)):
                changed_claim = apply_claim_changes(
                    session, existing.claim_id, ClaimUpdate(**item.claim.model_dump())
                )
        after = review_service.update_review(
            session, principal, existing.id, _update_from(item), None
        )
        changed = changed_claim or after.etag != before
        (result.updated if changed else result.unchanged).append(existing.id)

    for review in stored:
        assert review.id is not None
        if review.id in taken:
            continue
        if review.status == ReviewStatus.PUBLISHED:
            review_service.update_review(
                session, principal, review.id, ReviewUpdate(status=ReviewStatus.RETRACTED), None
            )
            result.retracted.append(review.id)
        elif review.status == ReviewStatus.DRAFT:
            review_service.delete_review(session, principal, review.id, None)
            result.deleted.append(review.id)

    reviews = [review_public(r) for r in _live_reviews(session, url_key)]
    result.page = Page(url, url_key, publisher_id, reviews, page_version(reviews))
    return result


# --- Google's ClaimReview Markup API shape (`/v1alpha1/pages`) -----------------------------------
# A page's name is "pages/" + its normalised URL in unpadded base64url: stable, and needing no
# table of its own (a page is the reviews at its URL).


class GoogleRating(BaseModel):
    textualRating: str | None = None
    ratingValue: int | None = None
    bestRating: int | None = None
    worstRating: int | None = None
    ratingExplanation: str | None = None
    imageUrl: str | None = None


class GoogleClaimAuthor(BaseModel):
    name: str | None = None
    imageUrl: str | None = None
    jobTitle: str | None = None
    sameAs: str | None = None


class GoogleMarkup(BaseModel):
    url: str | None = None
    claimReviewed: str | None = None
    claimDate: str | None = None
    claimFirstAppearance: str | None = None
    claimAppearances: list[str] = Field(default_factory=list)
    claimLocation: str | None = None
    claimAuthor: GoogleClaimAuthor | None = None
    rating: GoogleRating | None = None


class GoogleAuthor(BaseModel):
    name: str | None = None
    imageUrl: str | None = None


class GooglePage(BaseModel):
    """`GoogleFactcheckingFactchecktoolsV1alpha1ClaimReviewMarkupPage`, field for field."""

    name: str | None = None
    pageUrl: str | None = None
    publishDate: str | None = None
    claimReviewAuthor: GoogleAuthor | None = None
    claimReviewMarkups: list[GoogleMarkup] = Field(default_factory=list)
    versionId: str | None = None


def page_name(url_key: str) -> str:
    return "pages/" + base64.urlsafe_b64encode(url_key.encode()).decode().rstrip("=")


def page_url_key(name: str) -> str:
    """The normalised URL a page name stands for; 404 when it is no page name of ours."""
    token = name.removeprefix("pages/")
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotFound(f"No page {name}.") from exc


def _whole(number: float | None) -> int | None:
    """Google's rating numbers are integers; a fractional one is left out rather than cut."""
    return int(number) if number is not None and float(number).is_integer() else None


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value is not None else None


def google_page(session: Session, url: str, principal: Principal | None) -> GooglePage:
    """The page at `url` (or its normalised key) in Google's shape, retracted reviews left out."""
    page = read_page(session, url, principal)
    shown = [r for r in page.reviews if r.status != ReviewStatus.RETRACTED]
    publisher = repo.get_publisher(session, page.publisher_id) if page.publisher_id else None
    markups = []
    for review in shown:
        claim = load_claim(session, review.claim_id)
        assert claim.id is not None
        appearances = repo.appearances_of(session, claim.id)
        markups.append(
            GoogleMarkup(
                url=review.url,
                claimReviewed=claim.text,
                claimDate=_date(claim.claim_date),
                claimFirstAppearance=claim.first_appearance_url,
                claimAppearances=[a.url for a in appearances],
                claimAuthor=GoogleClaimAuthor(name=claim.claimant_name)
                if claim.claimant_name
                else None,
                rating=GoogleRating(
                    textualRating=review.rating.label,
                    ratingValue=_whole(review.rating.value),
                    bestRating=_whole(review.rating.best),
                    worstRating=_whole(review.rating.worst),
                    ratingExplanation=review.rating.explanation,
                ),
            )
        )
    dates = [r.date_published for r in shown if r.date_published is not None]
    return GooglePage(
        name=page_name(page.url_key),
        pageUrl=page.url,
        publishDate=_date(min(dates)) if dates else None,
        claimReviewAuthor=GoogleAuthor(
            name=publisher.name if publisher else None,
            imageUrl=publisher.logo_url if publisher else None,
        ),
        claimReviewMarkups=markups,
        versionId=page.version,
    )


def _items_from_google(page: GooglePage, url: str, languages: list[str]) -> list[ReviewCreate]:
    """Google's markups as review inputs: the claim's language is the publisher's when it has
    one, else detected from the claim and the rating (Google's markup does not say)."""
    items = []
    for position, markup in enumerate(page.claimReviewMarkups):
        rating = markup.rating or GoogleRating()
        language = (
            languages[0]
            if len(languages) == 1
            else detect_language(markup.claimReviewed, rating.textualRating)
        )
        author = markup.claimAuthor
        try:
            items.append(
                ReviewCreate.model_validate(
                    {
                        "url": markup.url or url,
                        "claim": {
                            "text": markup.claimReviewed,
                            "language": language,
                            "claimant": {"name": author.name} if author and author.name else None,
                            "claim_date": markup.claimDate,
                            "appearances": [{"url": u} for u in markup.claimAppearances],
                            "first_appearance": {"url": markup.claimFirstAppearance}
                            if markup.claimFirstAppearance
                            else None,
                        },
                        "rating": {
                            "label": rating.textualRating,
                            "value": rating.ratingValue,
                            "best": rating.bestRating,
                            "worst": rating.worstRating,
                            "explanation": rating.ratingExplanation,
                        },
                        "date_published": page.publishDate,
                        "language": language,
                        "status": "published",
                    }
                )
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"])
            field_name = f"claimReviewMarkups[{position}].{where}"
            raise Unprocessable(
                f"{field_name}: {error['msg']}",
                errors=[{"field": field_name, "message": str(error["msg"])}],
            ) from exc
    return items


def save_google_page(
    session: Session,
    principal: Principal,
    page: GooglePage,
    *,
    name: str | None = None,
    create: bool = False,
) -> GooglePage:
    """`POST` (`create`: refused when the URL carries reviews already) or `PUT` of a page
    (`name`: the page being replaced; its `versionId`, when given, must be current)."""
    url = page.pageUrl
    if not url:
        raise Unprocessable(
            "pageUrl: required", errors=[{"field": "pageUrl", "message": "required"}]
        )
    url_key = page_key(url)
    if name is not None and page_url_key(name) != url_key:
        raise Unprocessable(
            "pageUrl: not the URL of this page",
            errors=[{"field": "pageUrl", "message": "not the URL of this page"}],
        )
    if create and repo.reviews_at_pages(session, [url_key]):
        raise Conflict(f"The page {url} exists already ({page_name(url_key)}); PUT it.")
    publisher = (
        repo.get_publisher(session, principal.publisher_id) if principal.publisher_id else None
    )
    items = _items_from_google(page, url, publisher.languages if publisher else [])
    sync_page(session, principal, url, items, if_version=None if create else page.versionId)
    return google_page(session, url, principal)


def delete_page(session: Session, principal: Principal, name: str) -> None:
    """Takes a page's markup down: its published reviews are retracted (on the record), its
    drafts deleted."""
    stored = _live_reviews(session, page_url_key(name))
    if not stored:
        raise NotFound(f"No page {name}.")
    sync_page(session, principal, stored[0].url, [])
