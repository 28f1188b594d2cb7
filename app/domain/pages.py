"""A page: the reviews at one URL, one per claim it checks, written and read as one thing.

The ClaimReview Markup API (`/v1alpha1/pages`) and the web app edit a page at a time. A page is no
separate store: `sync_page` makes the reviews at a URL what is given through the same review use
cases as `POST`/`PATCH /v1/reviews` (rendering, revisions, change log, search index), so the native
API, imports and the page routes see the same rows. A page belongs to one publisher, on its sites.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from app.domain import reviews as review_service
from app.domain.access import Principal, can_see_drafts, others_than, require_editor_of
from app.domain.claims import apply_claim_changes, claim_owners, claim_text_key, load_claim
from app.domain.schemas import ClaimUpdate, ReviewCreate, ReviewPublic, ReviewStatus, ReviewUpdate
from app.domain.urls import InvalidURL, normalize_url
from app.domain.views import review_etag, review_public
from app.errors import Forbidden, NotFound, PreconditionFailed, Unprocessable
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
    wording = (item.claim.language, claim_text_key(item.claim.text))
    for review in stored:
        claim = load_claim(session, review.claim_id)
        if (claim.language, claim.text_key) == wording:
            return review
    return None


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
