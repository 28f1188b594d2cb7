"""Search use case: full-text and filters over claims with published reviews, keyset-paginated."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlmodel import Session

from app.domain.language import detect_language
from app.domain.page_tokens import PageTokens, fingerprint
from app.domain.schemas import ClaimPublic, ReviewPublic
from app.domain.views import claim_public, review_public
from app.errors import Unprocessable
from app.search.analysis import QueryTerm, analyze, analyze_query
from app.search.documents import primary_language
from app.search.passages import clean_post, is_passage, passage_terms
from app.search.ranking import After, CorpusStats, Filters, Hit, MemoryIndex
from app.storage import repositories as repo
from app.storage.search import index_for
from app.storage.tables import Publisher


@dataclass(frozen=True)
class SearchQuery:
    q: str | None = None
    language: str | None = None
    publisher: str | None = None
    verdict: str | None = None
    claimant: str | None = None
    max_age_days: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    page_size: int = 10
    page_token: str | None = None
    offset: int = 0
    passage: bool = False  # rank `q` as a passage whatever its length (claim matching)
    # Only claims with a published review in this language (primary subtag), whatever the
    # claim's own language: Google's `languageCode` (an English fact-check of a Hindi post).
    review_language: str | None = None
    # List only the reviews that the publisher and review-language filters select, and drop
    # claims left with none (Google lists a site's reviews, not every review of its claims).
    only_matching_reviews: bool = False

    def has_filter(self) -> bool:
        return any(
            v is not None
            for v in (
                self.language,
                self.review_language,
                self.publisher,
                self.verdict,
                self.claimant,
                self.max_age_days,
                self.since,
                self.until,
            )
        )


@dataclass(frozen=True)
class Result:
    claim: ClaimPublic
    reviews: list[ReviewPublic]
    score: float
    publishers: dict[str, Publisher]


@dataclass(frozen=True)
class SearchPage:
    results: list[Result]
    next_page_token: str | None


@dataclass(frozen=True)
class HitPage:
    hits: list[Hit]
    next_page_token: str | None


def matching_publishers(session: Session, value: str) -> tuple[str, ...]:
    """A publisher id, or a site host: `afp.com` matches `factuel.afp.com` and the reverse."""
    value = value.strip().lower().removeprefix("www.")
    if repo.get_publisher(session, value) is not None:
        return (value,)
    found = {
        publisher_id
        for host, publisher_id in repo.publisher_sites(session)
        if host == value or host.endswith("." + value) or value.endswith("." + host)
    }
    return tuple(sorted(found))


def _frozen_stats(payload: dict[str, Any]) -> CorpusStats:
    return CorpusStats(
        docs=int(payload["n"]),
        avg_length=float(payload["avg"]),
        idf=dict(payload["idf"]),
        df=dict(payload.get("df", {})),
    )


def known_terms(terms: Sequence[QueryTerm], stats: CorpusStats) -> list[QueryTerm]:
    """The query's words with only the tokens some claim holds; none when a word matches
    nothing (every word must match). A word without `language` becomes its stem in every
    language; most of those stems occur nowhere, and leaving them out spares the engine their
    lookups."""
    known = [QueryTerm(tuple(a for a in t.alternatives if a in stats.idf)) for t in terms]
    return known if all(t.alternatives for t in known) else []


# A passage's words are weighed as in a collection of at least this many claims. In a small one
# every word is common (two claims: a word of one has an IDF of 0), and the BM25 scores that
# claim matching compares with a threshold would say nothing. 10,000 is the size of the
# collection the threshold was tuned on (CLEF 2020 CheckThat! Task 2, 10,375 claims), so its
# figures are those of plain BM25; larger collections are unchanged.
PASSAGE_MIN_DOCS = 10_000


@lru_cache(maxsize=1024)
def passage_query_terms(text: str, language: str | None) -> tuple[QueryTerm, ...]:
    """A passage's terms, analysed in `language` or else in the language it is written in
    (stemming and stop words need one; a claim's tokens are those of its own language)."""
    if language is None:
        detected = detect_language(clean_post(text))
        language = None if detected == "und" else detected
    return tuple(QueryTerm((t,)) for t in passage_terms(text, language))


def known_passage_terms(terms: Sequence[QueryTerm], stats: CorpusStats) -> list[QueryTerm]:
    """A passage's terms that some claim holds: any of them may match."""
    return [t for t in terms if all(a in stats.idf for a in t.alternatives)]


def search(
    session: Session, query: SearchQuery, tokens: PageTokens, memory: MemoryIndex | None = None
) -> SearchPage:
    """Claims for a query or a passage, and filters: `search_hits`, then the claims read."""
    page = search_hits(session, query, tokens, memory=memory)
    results = load_results(session, page.hits)
    if query.only_matching_reviews:
        results = matching_reviews(session, results, query.publisher, query.review_language)
    return SearchPage(results, page.next_page_token)


def matching_reviews(
    session: Session,
    results: list[Result],
    publisher: str | None,
    review_language: str | None,
) -> list[Result]:
    """Each result with only the reviews by `publisher` (id or site) and in `review_language`;
    results left without a review are dropped (a review unpublished since the search ran)."""
    publishers = set(matching_publishers(session, publisher)) if publisher else None
    language = primary_language(review_language) if review_language else None
    kept = []
    for result in results:
        reviews = [
            r
            for r in result.reviews
            if (publishers is None or r.publisher_id in publishers)
            and (language is None or primary_language(r.language) == language)
        ]
        if reviews:
            kept.append(replace(result, reviews=reviews))
    return kept


def in_memory(query: SearchQuery, has_terms: bool) -> bool:
    """Whether the index in memory answers this search: words to rank by, and no filter on
    the claims' reviews (the memory holds the claims' own search documents)."""
    return (
        has_terms
        and query.publisher is None
        and query.verdict is None
        and not query.claimant
        and query.review_language is None
    )


def search_hits(
    session: Session | None,
    query: SearchQuery,
    tokens: PageTokens,
    passage_stats: CorpusStats | None = None,
    memory: MemoryIndex | None = None,
) -> HitPage:
    """The ranked claim ids for a query or a passage, and filters. A short query needs every
    word in a claim; a passage (`is_passage`, or `query.passage`) ranks claims holding any of
    its words by BM25: `/v1/search`, `claims:search` and `/v1/match` all come here.
    `passage_stats`: statistics already read for this passage's terms (and maybe others).
    `memory`: the index in memory, current with the database, which ranks as the database
    does; used for what `in_memory` says it answers. `session` may be None only then."""
    q = (query.q or "").strip()
    if not q and not query.has_filter():
        raise Unprocessable(
            "Give a query (q) or at least one filter.",
            errors=[{"field": "q", "message": "required when no filter is given"}],
        )
    language = primary_language(query.language) if query.language else None
    passage = bool(q) and (query.passage or is_passage(q))
    terms: Sequence[QueryTerm] = []
    if passage:
        terms = passage_query_terms(q, language)
    elif q:
        terms = analyze_query(q, language)
    if q and not terms:
        return HitPage([], None)
    claimant = tuple(
        QueryTerm(alternatives=(t,)) for t in dict.fromkeys(analyze(query.claimant or "", None))
    )
    bound_to = fingerprint(
        q,
        passage,
        language,
        query.publisher,
        query.verdict,
        query.claimant,
        query.max_age_days,
        query.since.isoformat() if query.since else None,
        query.until.isoformat() if query.until else None,
        query.review_language,
    )
    after: After | None = None
    stats: CorpusStats | None = None
    since = query.since
    offset = query.offset
    if query.page_token:
        state = tokens.decode_bound(query.page_token, bound_to)
        score, sort_date, claim_id = state["a"]
        after = After(float(score), datetime.fromisoformat(sort_date), int(claim_id))
        stats = _frozen_stats(state["s"]) if state.get("s") else None
        since = datetime.fromisoformat(state["since"]) if state.get("since") else None
        offset = 0
    else:
        stats = passage_stats if passage else None
        if query.max_age_days is not None:
            cutoff = datetime.now(UTC) - timedelta(days=query.max_age_days)
            since = max(since, cutoff) if since else cutoff
    if memory is not None and not in_memory(query, bool(terms)):
        memory = None
    if memory is None and session is None:
        raise ValueError("a session is needed for what the index in memory does not answer")
    if terms and stats is None:
        alternatives = (a for t in terms for a in t.alternatives)
        min_docs = PASSAGE_MIN_DOCS if passage else 0
        if memory is not None:
            stats = memory.stats(alternatives, min_docs)
        else:
            assert session is not None
            stats = index_for(session.get_bind().dialect.name).stats(
                session, alternatives, min_docs
            )
    if terms and stats is not None:
        terms = known_passage_terms(terms, stats) if passage else known_terms(terms, stats)
        if not terms:
            return HitPage([], None)
    filters = Filters(
        language=language,
        publisher_ids=(
            matching_publishers(session, query.publisher)
            if query.publisher and session is not None
            else None
        ),
        review_language=primary_language(query.review_language) if query.review_language else None,
        verdict=query.verdict,
        claimant=claimant,
        since=since,
        until=query.until,
    )
    if memory is not None:
        assert stats is not None
        hits = memory.search(
            terms, filters, stats, after, query.page_size + 1, offset, every_term=not passage
        )
    else:
        assert session is not None
        hits = index_for(session.get_bind().dialect.name).search(
            session,
            terms,
            filters,
            stats,
            after,
            query.page_size + 1,
            offset,
            every_term=not passage,
        )
    more, hits = len(hits) > query.page_size, hits[: query.page_size]
    next_token = None
    if more:
        last = hits[-1]
        state = {
            "f": bound_to,
            "a": [last.score, last.sort_date.isoformat(), last.claim_id],
            "since": since.isoformat() if since else None,
        }
        if stats is not None:
            state["s"] = {"n": stats.docs, "avg": stats.avg_length, "idf": stats.idf}
            if passage:  # the counts choose a passage's candidates: the same on every page
                state["s"]["df"] = stats.df
        next_token = tokens.encode(state)
    return HitPage(hits, next_token)


def load_results(session: Session, hits: Sequence[Hit]) -> list[Result]:
    """The claims of `hits`, in their order, with their published reviews (four queries
    whatever the number of hits)."""
    ids = [h.claim_id for h in hits]
    if not ids:
        return []
    # Rows, not ORM objects: a page is read and turned into views, never changed.
    claims = {c.id: c for c in repo.claim_rows(session, ids)}
    appearances = defaultdict(list)
    for a in repo.appearance_rows(session, ids):
        appearances[a.claim_id].append(a)
    reviews = defaultdict(list)
    for r in repo.published_review_rows(session, ids):
        reviews[r.claim_id].append(r)
    publisher_ids = {r.publisher_id for rows in reviews.values() for r in rows}
    publishers = {p.id: p for p in repo.publishers_by_ids(session, publisher_ids)}
    return [
        Result(
            claim=claim_public(claims[h.claim_id], appearances[h.claim_id]),
            reviews=[review_public(r) for r in reviews[h.claim_id]],
            score=h.score,
            publishers=publishers,
        )
        for h in hits
        if h.claim_id in claims
    ]


_load = load_results  # the name bench/search.py imports
