"""Claim matching: has what this post says been fact-checked? Each text goes through the
search use case as a passage (`search.search` with `passage=True`), and its BM25 scores become
a 0..1 score compared with the service's threshold.

The score is `bm25 / (bm25 + MATCH_SCALE)`: 0.5 at a BM25 of `MATCH_SCALE`, which is the
default threshold. Tuned on the CLEF 2020 CheckThat! Task 2 training tweets against their
10,373 Snopes claims (figures measured with `make bench-match`, bench/README.md): a BM25 of 22
keeps the right claim of most tweets while about nine in ten everyday sentences (weather,
sport, recipes, greetings) find nothing over it. BM25 depends on the corpus (a word's weight
grows with the number of claims), so a much larger or smaller collection may want another
`CLAIMREVIEW_MATCH_THRESHOLD`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlmodel import Session

from app.domain.page_tokens import PageTokens
from app.domain.search import (
    PASSAGE_MIN_DOCS,
    Result,
    SearchQuery,
    load_results,
    passage_query_terms,
    search_hits,
)
from app.search.documents import primary_language
from app.search.embeddings import Embed, cosine
from app.search.ranking import MemoryIndex
from app.storage.search import index_for

MATCH_SCALE: Final = 23.0
# Lexical candidates a re-ranker sees: the right claim of a training tweet is among the first
# 20 in 95% of cases.
RERANK_CANDIDATES: Final = 20


@dataclass(frozen=True)
class Scored:
    result: Result
    score: float


def match_score(bm25: float) -> float:
    return round(bm25 / (bm25 + MATCH_SCALE), 4) if bm25 > 0 else 0.0


def match(
    session: Session,
    texts: Sequence[str],
    language: str | None,
    limit: int,
    threshold: float,
    tokens: PageTokens,
    embed: Embed | None = None,
    memory: MemoryIndex | None = None,
) -> list[list[Scored]]:
    """For each text, its matches best first: at most `limit`, none under `threshold`.

    The texts share one read of the corpus statistics and one read of the matched claims.
    `memory`: the search index in memory, current with the database (`search_hits`).
    With `embed`, the lexical candidates are re-ranked by the mean of their lexical score and
    the cosine similarity of their claim's embedding to the text's."""
    primary = primary_language(language) if language else None
    analysed = [passage_query_terms(t, primary) if t.strip() else () for t in texts]
    alternatives = {a for terms in analysed for t in terms for a in t.alternatives}
    if memory is not None:
        stats = memory.stats(alternatives, PASSAGE_MIN_DOCS)
    else:
        index = index_for(session.get_bind().dialect.name)
        stats = index.stats(session, alternatives, PASSAGE_MIN_DOCS)
    size = RERANK_CANDIDATES if embed else limit
    hits = [
        search_hits(
            session,
            SearchQuery(q=text, language=language, page_size=size, passage=True),
            tokens,
            stats,
            memory,
        ).hits
        if terms
        else []
        for text, terms in zip(texts, analysed, strict=True)
    ]
    loaded = iter(load_results(session, [h for text_hits in hits for h in text_hits]))
    matches: list[list[Scored]] = []
    for text, text_hits in zip(texts, hits, strict=True):
        results = [next(loaded) for _ in text_hits]
        scored = [Scored(r, match_score(r.score)) for r in results]
        if embed is not None and scored:
            scored = _rerank(text, scored, embed)
        matches.append([s for s in scored if s.score >= threshold][:limit])
    return matches


def _rerank(text: str, scored: list[Scored], embed: Embed) -> list[Scored]:
    vectors = embed([text, *(s.result.claim.text for s in scored)])
    query, claims = vectors[0], vectors[1:]
    reranked = [
        Scored(s.result, round((s.score + max(0.0, cosine(query, v))) / 2, 4))
        for s, v in zip(scored, claims, strict=True)
    ]
    return sorted(reranked, key=lambda s: -s.score)
