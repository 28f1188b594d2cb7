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


def build_document(
    claim_id: int,
    text: str,
    language: str,
    claimant: str | None,
    claim_date: datetime | None,
    created_at: datetime,
    reviews: Sequence[ReviewText],
) -> SearchDocument:
    weights: defaultdict[str, float] = defaultdict(float)
    length = 0

    def add(tokens: list[str], field: str) -> None:
        nonlocal length
        length += len(tokens)
        for token in tokens:
            weights[token] += FIELD_WEIGHTS[field]

    add(analyze(text, language), "text")
    claimant_terms: list[str] = []
    if claimant:
        # Names are matched unstemmed (the claimant filter, and queries in any language) and
        # stemmed in the claim's language (queries that give it).
        claimant_terms = analyze(claimant, None)
        stemmed = analyze(claimant, language)
        add(claimant_terms, "claimant")
        for token in set(stemmed) - set(claimant_terms):
            weights[token] += FIELD_WEIGHTS["claimant"]
    for review in reviews:
        if review.headline:
            add(analyze(review.headline, review.language), "headline")
        if review.summary:
            add(analyze(review.summary, review.language), "summary")
    dates = [d for d in [claim_date, *(r.date_published for r in reviews)] if d is not None]
    return SearchDocument(
        claim_id=claim_id,
        language=primary_language(language),
        sort_date=max(dates) if dates else created_at,
        length=max(length, 1),
        weights=dict(weights),
        claimant_terms=tuple(dict.fromkeys(claimant_terms)),
    )
