"""Claim use cases. A claim is shared by every publisher that reviews it."""

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from app.domain import publishing
from app.domain.access import Principal, can_see_claim, require_claim_writer, require_writer
from app.domain.schemas import AppearanceIn, ClaimCreate, ClaimPublic, ClaimUpdate, ClaimWithReviews
from app.domain.views import claim_public, claim_with_reviews
from app.errors import Conflict, Gone, NotFound
from app.messages import Message
from app.rules.urls import normalize_url
from app.storage import repositories as repo
from app.storage.tables import Appearance, Claim, Review
from app.storage.types import utcnow

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def claim_text_key(text: str) -> str:
    """Identity of a claim's wording: case, accents, punctuation and spacing do not count."""
    folded = text.casefold()
    if not folded.isascii():  # ASCII has nothing to decompose and no accents to drop
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = _NOT_WORD.sub(" ", folded).strip()
    return hashlib.sha256(folded.encode()).hexdigest()


def appearance_fields(
    claim_id: int, items: Sequence[AppearanceIn], url_keys: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The appearance rows of a claim, in order (`url_keys`: their URLs normalised already)."""
    keys = url_keys if url_keys is not None else [normalize_url(a.url) for a in items]
    return [
        {
            "claim_id": claim_id,
            "position": position,
            "url": a.url,
            "url_key": key,
            "archived_url": a.archived_url,
        }
        for position, (a, key) in enumerate(zip(items, keys, strict=True))
    ]


def _appearance_rows(claim_id: int, items: Sequence[AppearanceIn]) -> list[Appearance]:
    return [Appearance(**fields) for fields in appearance_fields(claim_id, items)]


def claim_fields(
    data: ClaimCreate, created_by: str | None, text_key: str | None = None
) -> dict[str, Any]:
    """The columns of a new claim (its id and timestamps aside; `text_key` when known)."""
    return {
        "text": data.text,
        "text_key": text_key or claim_text_key(data.text),
        "language": data.language,
        "claimant_name": data.claimant.name if data.claimant else None,
        "claimant_type": data.claimant.type if data.claimant else None,
        "claimant_url": data.claimant.url if data.claimant else None,
        "claim_date": data.claim_date,
        "first_appearance_url": data.first_appearance.url if data.first_appearance else None,
        "created_by": created_by,
    }


def new_claim(session: Session, data: ClaimCreate, created_by: str | None) -> Claim:
    claim = Claim(**claim_fields(data, created_by))
    session.add(claim)
    session.flush()
    assert claim.id is not None
    repo.replace_appearances(session, claim.id, _appearance_rows(claim.id, data.appearances))
    return claim


def load_claim(session: Session, claim_id: int) -> Claim:
    claim = repo.get_claim(session, claim_id)
    if claim is None:
        raise NotFound(Message("No claim {id}.", id=claim_id))
    if claim.deleted_at is not None:
        raise Gone(Message("Claim {id} was deleted.", id=claim_id))
    return claim


def create_claim(session: Session, principal: Principal, data: ClaimCreate) -> ClaimPublic:
    require_writer(principal)
    claim = new_claim(session, data, principal.publisher_id)
    assert claim.id is not None
    return claim_public(claim, repo.appearances_of(session, claim.id))


def visible_claim(session: Session, claim_id: int, principal: Principal | None) -> Claim:
    """A claim as this caller may see it: one that only drafts refer to is its publishers' own
    (404 to everyone else, as if it did not exist)."""
    claim = load_claim(session, claim_id)
    reviews = repo.live_reviews_of_claim(session, claim_id)
    published = any(r.status != "draft" for r in reviews)
    if not can_see_claim(principal, claim_owners(session, claim, reviews), published):
        raise NotFound(Message("No claim {id}.", id=claim_id))
    return claim


def get_claim(session: Session, claim_id: int, principal: Principal | None) -> ClaimWithReviews:
    claim = visible_claim(session, claim_id, principal)
    return claim_with_reviews(
        claim,
        repo.appearances_of(session, claim_id),
        repo.live_reviews_of_claim(session, claim_id, published_only=True),
    )


def claim_owners(
    session: Session, claim: Claim, reviews: Sequence[Review] | None = None
) -> set[str]:
    """The publishers a claim belongs to: its creator and every publisher reviewing it."""
    assert claim.id is not None
    if reviews is None:
        reviews = repo.live_reviews_of_claim(session, claim.id)
    owners = {r.publisher_id for r in reviews}
    if claim.created_by:
        owners.add(claim.created_by)
    return owners


def apply_claim_changes(session: Session, claim_id: int, data: ClaimUpdate) -> bool:
    """Apply the fields given; when anything changed, re-render and re-index the claim's
    published reviews. Returns whether it changed. Does not commit."""
    claim = load_claim(session, claim_id)
    changes = data.model_dump(exclude_unset=True)
    changed = False
    if "text" in changes and data.text != claim.text:
        assert data.text is not None
        claim.text, claim.text_key = data.text, claim_text_key(data.text)
        changed = True
    if "language" in changes and data.language != claim.language:
        assert data.language is not None
        claim.language = data.language
        changed = True
    if "claimant" in changes:
        new = (
            (data.claimant.name, data.claimant.type, data.claimant.url)
            if data.claimant
            else (None, None, None)
        )
        if new != (claim.claimant_name, claim.claimant_type, claim.claimant_url):
            claim.claimant_name, claim.claimant_type, claim.claimant_url = new
            changed = True
    if "claim_date" in changes and data.claim_date != claim.claim_date:
        claim.claim_date = data.claim_date
        changed = True
    if "first_appearance" in changes:
        url = data.first_appearance.url if data.first_appearance else None
        if url != claim.first_appearance_url:
            claim.first_appearance_url = url
            changed = True
    if data.appearances is not None:
        old = [(a.url, a.archived_url) for a in repo.appearances_of(session, claim_id)]
        new_rows = [(a.url, a.archived_url) for a in data.appearances]
        if old != new_rows:
            repo.replace_appearances(
                session, claim_id, _appearance_rows(claim_id, data.appearances)
            )
            changed = True
    if changed:
        claim.updated_at = utcnow()
        session.add(claim)
        session.flush()
        publishing.claim_changed(session, claim)
    return changed


def update_claim(
    session: Session, principal: Principal, claim_id: int, data: ClaimUpdate
) -> ClaimPublic:
    claim = load_claim(session, claim_id)
    require_claim_writer(principal, claim_owners(session, claim))
    apply_claim_changes(session, claim_id, data)
    return claim_public(claim, repo.appearances_of(session, claim_id))


def delete_claim(session: Session, principal: Principal, claim_id: int) -> None:
    claim = load_claim(session, claim_id)
    require_claim_writer(principal, claim_owners(session, claim))
    if repo.live_reviews_of_claim(session, claim_id):
        raise Conflict(Message("This claim still has reviews; delete or move them first."))
    claim.deleted_at = utcnow()
    session.add(claim)
    session.flush()
