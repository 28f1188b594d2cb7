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
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session

from app.domain import claim_matching
from app.domain import reviews as review_service
from app.domain.access import Principal, can_see_drafts, others_than, require_editor_of
from app.domain.claims import apply_claim_changes, claim_owners, load_claim
from app.domain.language import detect_language
from app.domain.page_tokens import PageTokens, fingerprint
from app.domain.schemas import ClaimUpdate, ReviewCreate, ReviewPublic, ReviewStatus, ReviewUpdate
from app.domain.views import review_etag, review_public
from app.errors import Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable
from app.rules.urls import InvalidURL, normalize_url
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
    publisher_id: str | None = None,
) -> PageSync:
    """Make the reviews at `url` those of `items`, one per claim; does not commit.

    Each item is matched to the page's stored review of its claim (by claim id, or by the same
    wording in the same language) and updated through `update_review`, else created through
    `create_review`; the page's other reviews are retracted when published (on the record, with
    `review.retracted` in the change log) and deleted when drafts. An item's inline claim also
    corrects the matched claim's details (claimant, date, appearances) when no other publisher
    shares that claim. `if_version`: the `page_version` the caller read; refused (412) when the
    page changed since. `publisher_id`: whose page it is, for a key bound to no publisher (an
    admin's). Every write goes through the ownership rules of the review use cases.
    """
    url_key = page_key(url)
    publisher_id = (
        principal.publisher_id
        or publisher_id
        or next((i.publisher_id for i in items if i.publisher_id), None)
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


def _absent(value: object) -> bool:
    return value is None


def _text(description: str) -> Any:
    return Field(default=None, exclude_if=_absent, description=description)


def _int32(description: str) -> Any:
    return Field(
        default=None, ge=-(2**31), le=2**31 - 1, exclude_if=_absent, description=description
    )


class GoogleRating(BaseModel):
    """`GoogleFactcheckingFactchecktoolsV1alpha1ClaimRating`."""

    textualRating: str | None = _text("The verdict, in words.")
    ratingValue: int | None = _int32("The verdict on the scale of bestRating and worstRating.")
    bestRating: int | None = _int32("The best value of the scale.")
    worstRating: int | None = _int32("The worst value of the scale.")
    ratingExplanation: str | None = _text("Why this verdict.")
    imageUrl: str | None = _text("An image of the verdict.")


class GoogleClaimAuthor(BaseModel):
    """`GoogleFactcheckingFactchecktoolsV1alpha1ClaimAuthor`: who made the claim."""

    name: str | None = _text("The claimant's name.")
    imageUrl: str | None = _text("An image of the claimant.")
    jobTitle: str | None = _text("The claimant's job title.")
    sameAs: str | None = _text("A page identifying the claimant.")


class GoogleMarkup(BaseModel):
    """`GoogleFactcheckingFactchecktoolsV1alpha1ClaimReviewMarkup`: one review on the page."""

    url: str | None = _text("The review's URL: the page's, or a fragment of it.")
    claimReviewed: str | None = _text("The claim's text.")
    claimDate: str | None = _text("When the claim was made (a date).")
    claimFirstAppearance: str | None = _text("Where the claim first appeared.")
    claimAppearances: list[str] = Field(
        default_factory=list, description="Where else the claim appeared."
    )
    claimLocation: str | None = _text("Where the claim was made.")
    claimAuthor: GoogleClaimAuthor | None = _text("Who made the claim.")
    rating: GoogleRating | None = _text("The verdict.")


class GoogleAuthor(BaseModel):
    """`GoogleFactcheckingFactchecktoolsV1alpha1ClaimReviewAuthor`: the page's publisher."""

    name: str | None = _text("The publisher's name.")
    imageUrl: str | None = _text("The publisher's logo.")


class GooglePage(BaseModel):
    """`GoogleFactcheckingFactchecktoolsV1alpha1ClaimReviewMarkupPage`, field for field."""

    name: str | None = _text("`pages/{id}`: the page's name, given by the service.")
    pageUrl: str | None = _text("The page's URL.")
    publishDate: str | None = _text("When the page's reviews were first published (a date).")
    claimReviewAuthor: GoogleAuthor | None = _text("The page's publisher.")
    claimReviewMarkups: list[GoogleMarkup] = Field(
        default_factory=list, description="The page's reviews, one per claim."
    )
    versionId: str | None = _text(
        "The page's version: give the one read with an update; a stale one is refused."
    )


class GooglePageList(BaseModel):
    """`GoogleFactcheckingFactchecktoolsV1alpha1ListClaimReviewMarkupPagesResponse`."""

    claimReviewMarkupPages: list[GooglePage] = Field(description="The pages, by URL.")
    nextPageToken: str | None = _text("Token for the next page; absent on the last page.")


def page_name(url_key: str) -> str:
    return "pages/" + base64.urlsafe_b64encode(url_key.encode()).decode().rstrip("=")


def page_url_key(name: str) -> str:
    """The normalised URL a page name stands for; 404 when it is no page name of ours."""
    token = name.removeprefix("pages/")
    try:
        url_key = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if url_key and normalize_url(url_key) == url_key and page_name(url_key) == name:
            return url_key
    except (ValueError, UnicodeDecodeError, InvalidURL):
        pass
    raise NotFound(f"No page {name}.")


def _whole(number: float | None) -> int | None:
    """Google's rating numbers are int32s; a fractional or larger one is left out, not cut."""
    if number is None or not float(number).is_integer() or abs(number) >= 2**31:
        return None
    return int(number)


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value is not None else None


def google_page(session: Session, url: str, principal: Principal | None) -> GooglePage:
    """The page at `url` (or its normalised key) in Google's shape, retracted reviews left out:
    404 when none is left (a deleted page)."""
    page = read_page(session, url, principal)
    shown = [r for r in page.reviews if r.status != ReviewStatus.RETRACTED]
    if not shown:
        raise NotFound(f"No fact-check at {url}.")
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


def google_page_named(session: Session, name: str, principal: Principal | None) -> GooglePage:
    """`GET /v1alpha1/pages/{id}`: the page of that name, as this key sees it."""
    return google_page(session, page_url_key(name), principal)


def _invalid(field_name: str, message: str) -> Unprocessable:
    return Unprocessable(
        f"{field_name}: {message}", errors=[{"field": field_name, "message": message}]
    )


def _shown(stored: list[Review]) -> list[Review]:
    return [r for r in stored if r.status != ReviewStatus.RETRACTED]


def site_owner(session: Session, url_or_host: str) -> str | None:
    """The publisher whose site holds a URL or host (subdomains too: `factuel.afp.com`)."""
    text = url_or_host.strip()
    try:
        host = urlsplit(text).hostname if "://" in text else text.split("/")[0].split(":")[0]
    except ValueError:  # a malformed address, e.g. an unclosed IPv6 bracket
        return None
    labels = (host or "").lower().rstrip(".").split(".")
    for start in range(len(labels) - 1):
        owner = repo.publisher_owning_site(session, ".".join(labels[start:]))
        if owner is not None:
            return owner
    return None


def save_google_page(
    session: Session,
    principal: Principal,
    page: GooglePage,
    *,
    name: str | None = None,
    create: bool = False,
) -> GooglePage:
    """`POST` (`create`: refused when the URL carries a page already) or `PUT` of a page
    (`name`: the page being replaced, 404 when there is none; its `versionId`, when given, must
    be current). A page carries at least one markup: `DELETE` takes one down. An admin's page
    belongs to the publisher it belongs to already, else to the one whose site holds the URL."""
    url = page.pageUrl
    if not url:
        raise _invalid("pageUrl", "required")
    try:
        url_key = normalize_url(url)
    except InvalidURL as exc:
        raise _invalid("pageUrl", str(exc)) from exc
    if name is not None and page_url_key(name) != url_key:
        raise _invalid("pageUrl", "not the URL of this page")
    if not page.claimReviewMarkups:
        raise _invalid("claimReviewMarkups", "at least one markup; DELETE takes a page down")
    for position, markup in enumerate(page.claimReviewMarkups):
        where = f"claimReviewMarkups[{position}].url"
        try:
            if markup.url and normalize_url(markup.url) != url_key:
                raise _invalid(where, "not this page's URL")
        except InvalidURL as exc:
            raise _invalid(where, str(exc)) from exc
    stored = _live_reviews(session, url_key)
    if create and _shown(stored):
        raise Conflict(f"The page {url} exists already ({page_name(url_key)}); PUT it.")
    if name is not None and not _shown(stored):
        raise NotFound(f"No page {name}.")
    owner = stored[0].publisher_id if stored else site_owner(session, url)
    publisher_id = principal.publisher_id or owner
    publisher = repo.get_publisher(session, publisher_id) if publisher_id else None
    items = _items_from_google(page, url, publisher.languages if publisher else [])
    sync_page(
        session,
        principal,
        url,
        items,
        if_version=None if create else page.versionId,
        publisher_id=owner,
    )
    return google_page(session, url, principal)


def delete_page(session: Session, principal: Principal, name: str) -> None:
    """Takes a page's markup down: its published reviews are retracted (they stay on the record,
    `review.retracted` in the change log, and out of lookups and the page routes), its drafts
    deleted. A page created again at that URL publishes the same reviews again."""
    stored = _live_reviews(session, page_url_key(name))
    if not _shown(stored):
        raise NotFound(f"No page {name}.")
    sync_page(session, principal, stored[0].url, [], publisher_id=stored[0].publisher_id)


def list_google_pages(
    session: Session,
    tokens: PageTokens,
    principal: Principal,
    *,
    url: str | None,
    organization: str | None,
    page_size: int,
    offset: int = 0,
    page_token: str | None = None,
) -> GooglePageList:
    """`GET /v1alpha1/pages`: the page at `url` (at most one), or the pages of the publisher of
    `organization` (a site's host or a URL on it), by URL; published ones, and drafts for that
    publisher's keys. A page token continues after the last page listed; `offset` counts only
    without one."""
    if url:
        try:
            pages = [google_page(session, page_key(url), principal)]
        except NotFound:
            pages = []
        if organization:
            owner = site_owner(session, organization)
            pages = [
                p for p in pages if p.pageUrl and owner and site_owner(session, p.pageUrl) == owner
            ]
        return GooglePageList(claimReviewMarkupPages=pages)
    if not organization:
        raise _invalid("url", "url or organization is required")
    publisher_id = site_owner(session, organization)
    if publisher_id is None:
        return GooglePageList(claimReviewMarkupPages=[])
    statuses = [ReviewStatus.PUBLISHED.value]
    if can_see_drafts(principal, publisher_id):
        statuses.append(ReviewStatus.DRAFT.value)
    bound_to = fingerprint("pages", publisher_id, statuses)
    after = None
    if page_token:
        state = tokens.decode_bound(page_token, bound_to)
        after, offset = str(state["a"]), 0
    keys = repo.page_keys_of(session, publisher_id, statuses, after, page_size + 1, offset)
    more, keys = len(keys) > page_size, keys[:page_size]
    return GooglePageList(
        claimReviewMarkupPages=[google_page(session, key, principal) for key in keys],
        nextPageToken=tokens.encode({"f": bound_to, "a": keys[-1]}) if more else None,
    )
