"""A claim and its published reviews -> the tokens and term weights the search index stores.

Pure: no I/O."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.search.analysis import analyze

# Term-frequency multipliers per field: a word of the claim itself counts more than one of a
# review's summary.
FIELD_WEIGHTS = {"text": 2.0, "headline": 1.5, "summary": 1.0, "claimant": 1.0}


@dataclass(frozen=True)
class ReviewText:
    headline: str | None
    summary: str | None
    language: str
    date_published: datetime | None


@dataclass(frozen=True)
class SearchDocument:
    claim_id: int
    language: str  # primary subtag, lower-case: what the `language` filter compares
    sort_date: datetime  # the newer of the claim date and its latest review date
    length: int  # tokens in all fields
    weights: dict[str, float]  # term -> weighted term frequency
    claimant_terms: tuple[str, ...]

    @property
    def terms(self) -> str:
        return " ".join(sorted(self.weights))

    @property
    def claimant_text(self) -> str:
        return " ".join(self.claimant_terms)


def primary_language(tag: str) -> str:
    return tag.split("-", 1)[0].lower()


@dataclass(frozen=True)
class ClaimTokens:
    """The analysed fields of a claim: what its search document takes from the claim itself."""

    text: tuple[str, ...]
    claimant: tuple[str, ...]  # unstemmed
    claimant_stemmed: tuple[str, ...]  # in the claim's language


@dataclass(frozen=True)
class ReviewTokens:
    """The analysed fields of one published review of the claim."""

    headline: tuple[str, ...]
    summary: tuple[str, ...]


def analyze_claim(text: str, language: str, claimant: str | None) -> ClaimTokens:
    """The expensive, pure part of a claim's document (it can run in another process)."""
    if not claimant:
        return ClaimTokens(tuple(analyze(text, language)), (), ())
    # Names are matched unstemmed (the claimant filter, and queries in any language) and
    # stemmed in the claim's language (queries that give it).
    return ClaimTokens(
        tuple(analyze(text, language)),
        tuple(analyze(claimant, None)),
        tuple(analyze(claimant, language)),
    )


def analyze_review(headline: str | None, summary: str | None, language: str) -> ReviewTokens:
    return ReviewTokens(
        tuple(analyze(headline, language)) if headline else (),
        tuple(analyze(summary, language)) if summary else (),
    )


def assemble_document(
    claim_id: int,
    language: str,
    claim: ClaimTokens,
    reviews: Sequence[ReviewTokens],
    claim_date: datetime | None,
    published: Sequence[datetime | None],
    created_at: datetime,
) -> SearchDocument:
    """A claim's document from its analysed fields: `reviews` and their publication dates
    `published` in the claim's review order. The newest of its dates sorts it, else
    `created_at`."""
    weights: defaultdict[str, float] = defaultdict(float)
    length = 0

    def add(tokens: Sequence[str], field: str) -> None:
        nonlocal length
        length += len(tokens)
        for token in tokens:
            weights[token] += FIELD_WEIGHTS[field]

    add(claim.text, "text")
    add(claim.claimant, "claimant")
    for token in set(claim.claimant_stemmed) - set(claim.claimant):
        weights[token] += FIELD_WEIGHTS["claimant"]
    for review in reviews:
        add(review.headline, "headline")
        add(review.summary, "summary")
    dates = [d for d in [claim_date, *published] if d is not None]
    return SearchDocument(
        claim_id=claim_id,
        language=primary_language(language),
        sort_date=max(dates) if dates else created_at,
        length=max(length, 1),
        weights=dict(weights),
        claimant_terms=tuple(dict.fromkeys(claim.claimant)),
    )


def build_document(
    claim_id: int,
    text: str,
    language: str,
    claimant: str | None,
    claim_date: datetime | None,
    created_at: datetime,
    reviews: Sequence[ReviewText],
) -> SearchDocument:
    """The fields analysed (`analyze_claim`, `analyze_review`: the costly, pure part, which the
    importer runs in its reader processes), then assembled (`assemble_document`)."""
    return assemble_document(
        claim_id,
        language,
        analyze_claim(text, language, claimant),
        [analyze_review(r.headline, r.summary, r.language) for r in reviews],
        claim_date,
        [r.date_published for r in reviews],
        created_at,
    )
