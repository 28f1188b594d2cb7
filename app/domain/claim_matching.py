"""Which stored claim a record's claim is: the one rule, for the native API, page sync and import.

A claim is recognised, in this order of precedence:

1. by its wording: a live claim with the same `claim_text_key` in the same language (the oldest);
2. else by a specific appearance: the oldest live claim seen at one of its appearance URLs
   (normalised) that is a page, not a site's home (`specific`), leaving out the claims its page
   reviews already: two ClaimReviews of one page with different wordings are two claims, even
   when both were seen in the same post;
3. else it is a new claim.

`match_claims` applies it to many records in order, with one query per kind of lookup; claims the
earlier records create count, after the stored ones. `match_claim` is the same for one record.
`page_claims_worded` finds, among a page's claims, the one a record words the same way.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from app.domain.claims import claim_text_key
from app.domain.schemas import ClaimCreate
from app.rules.urls import normalize_url
from app.storage import repositories as repo

Wording = tuple[str, str]  # (language, claim_text_key)


def wording(data: ClaimCreate, text_key: str | None = None) -> Wording:
    """What makes two claims the same words (`text_key`: `claim_text_key(data.text)` if known)."""
    return (data.language, text_key or claim_text_key(data.text))


def specific(url_key: str) -> bool:
    """A page, not a site's home: `facebook.com` must not merge every claim seen on Facebook."""
    _, _, rest = url_key.partition("/")
    return bool(rest.strip("/"))


def specific_appearance_keys(data: ClaimCreate, url_keys: Sequence[str] | None = None) -> list[str]:
    """The appearances by which another review's claim is recognised as this one (`url_keys`:
    the appearances' URLs normalised already)."""
    keys = url_keys if url_keys is not None else [normalize_url(a.url) for a in data.appearances]
    return [k for k in keys if specific(k)]


@dataclass(frozen=True)
class Wanted:
    """A record's claim as the rule sees it."""

    page: str  # the review's page URL key
    wording: Wording
    appearance_keys: Sequence[str]  # the specific ones (`specific_appearance_keys`)
    page_claims: frozenset[int] = frozenset()  # stored claims its page reviews already


def wanted(
    page: str,
    data: ClaimCreate,
    *,
    text_key: str | None = None,
    appearance_keys: Sequence[str] | None = None,
    page_claims: Iterable[int] = (),
) -> Wanted:
    return Wanted(
        page,
        wording(data, text_key),
        specific_appearance_keys(data, appearance_keys),
        frozenset(page_claims),
    )


@dataclass(frozen=True)
class Found:
    """A stored claim's id, or the number of a claim the group creates (0, 1, ... in the order
    of the records creating them); `creates` when this record is the one creating it."""

    stored: int | None
    new: int | None
    creates: bool = False


def _oldest(claims: dict[str, int], keys: Sequence[str], taken: set[int]) -> int | None:
    """The oldest claim seen at one of `keys` that the page does not review already."""
    return min((claims[k] for k in keys if k in claims and claims[k] not in taken), default=None)


@dataclass
class _Group:
    """The claims a group of records creates, findable the way stored claims are."""

    count: int = 0
    by_wording: dict[Wording, int] = field(default_factory=dict)
    by_appearance: dict[str, int] = field(default_factory=dict)

    def add(self, record: Wanted) -> int:
        number, self.count = self.count, self.count + 1
        self.by_wording.setdefault(record.wording, number)
        for key in record.appearance_keys:
            self.by_appearance.setdefault(key, number)
        return number


def match_claims(session: Session, records: Sequence[Wanted]) -> list[Found]:
    """Each record's claim, in order: one query for the wordings, one for the appearances."""
    if not records:
        return []
    stored_by_wording = repo.claim_ids_by_text_keys(session, [r.wording[1] for r in records])
    stored_by_appearance = repo.claim_ids_by_appearance_keys(
        session, [k for r in records for k in r.appearance_keys]
    )
    group = _Group()
    # Per page: the stored claims and the numbers of new claims its reviews have.
    taken: dict[str, tuple[set[int], set[int]]] = {}
    found: list[Found] = []
    for record in records:
        taken_stored, taken_new = taken.setdefault(record.page, (set(record.page_claims), set()))
        stored = stored_by_wording.get(record.wording)
        new = None if stored is not None else group.by_wording.get(record.wording)
        if stored is None and new is None:
            stored = _oldest(stored_by_appearance, record.appearance_keys, taken_stored)
            if stored is None:
                new = _oldest(group.by_appearance, record.appearance_keys, taken_new)
        creates = stored is None and new is None
        if creates:
            new = group.add(record)
        if stored is not None:
            taken_stored.add(stored)
        else:
            assert new is not None
            taken_new.add(new)
        found.append(Found(stored, new, creates))
    return found


def match_claim(session: Session, record: Wanted) -> int | None:
    """The stored claim of one record, or None when it is a new claim. (Flushes first, as
    a query of the session would: the record's own unit of work may have changed claims.)"""
    session.flush()
    return match_claims(session, [record])[0].stored


def page_claims_worded(session: Session, claim_ids: Iterable[int], words: Wording) -> set[int]:
    """Of a page's claims, those worded as `words`: the page reviews that claim already."""
    ids = sorted(set(claim_ids))
    rows = repo.claim_rows(session, ids) if ids else []
    return {c.id for c in rows if (c.language, c.text_key) == words}
