"""BM25 ranking: the rule both engines' SQL follows (`app.storage.search`), and the same rule over
the index held in memory (`MemoryIndex`), which answers most searches without the database.

Pure: no I/O. The memory index is a copy of the tables `search_doc` and `search_posting` (a
claim's length, date, language and claimant tokens; each term's weight in each claim); the
corpus statistics follow from it as `search_stats` and `search_term` hold them. Kept current by
`app.api.search_mirror`.

Why in memory: a three-word search over 5,000 claims cost 2.1 ms of the service's time on
SQLite and 9 ms on PostgreSQL (statistics, the ranked statement, then four reads of the claims:
six round trips); analysing, matching and scoring it here took 0.3 ms in-process.
Memory: postings in arrays, 16 bytes each. 100,000 claims (2.3 million postings) took about
140 MB and 7-11 s to load on SQLite; dicts of Python ints and floats had taken 520 MB.
"""

import math
import sys
import threading
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.search.analysis import QueryTerm

K1 = 1.2
B = 0.75

# Passages: the claims whose whole score is computed (at least; a page reaching further asks
# for more), and how many postings the first step reads at most. Measured on the CLEF 2020
# tweets (MAP@5 train / dev) and a 20-tweet /v1/match over 100,000 claims (SQLite, in
# process, a loaded machine): 1,000 postings and 50 claims 0.850 / 0.804, 570-770 ms;
# 400 and 20: 0.846 / 0.801, 330-350 ms; 300 and 20: 0.841 / 0.792.
PASSAGE_CANDIDATES = 20
RARE_POSTINGS = 400


@dataclass(frozen=True)
class CorpusStats:
    docs: int
    avg_length: float
    idf: dict[str, float]  # only terms that occur in at least one indexed claim
    df: dict[str, int] = field(default_factory=dict)  # claims holding each of those terms


@dataclass(frozen=True)
class Filters:
    language: str | None = None  # primary subtag
    publisher_ids: tuple[str, ...] | None = None  # None: any publisher; (): none matches
    review_language: str | None = None  # primary subtag of a published review's language
    verdict: str | None = None
    claimant: tuple[QueryTerm, ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    def of_claims_alone(self) -> bool:
        """Whether the claim's own search document answers the filters (no review read)."""
        return (
            self.publisher_ids is None
            and self.review_language is None
            and self.verdict is None
            and not self.claimant
        )


@dataclass(frozen=True)
class After:
    """Keyset: the last row of the previous page."""

    score: float
    sort_date: datetime
    claim_id: int


@dataclass(frozen=True)
class Hit:
    claim_id: int
    score: float
    sort_date: datetime


def idf(docs: int, df: int) -> float:
    value = math.log((docs - df + 0.5) / (df + 0.5))
    return value if value > 0 else 1e-6  # as FTS5 does: a very common term still counts a little


def corpus_stats(
    docs: int, length: int, df: dict[str, int], terms: Iterable[str], min_docs: int = 0
) -> CorpusStats:
    """The statistics of `terms`, from the corpus size, its total length and the terms'
    document frequencies (terms with none are left out); `min_docs` computes the IDF as if the
    corpus held at least that many claims (see `app.domain.search.PASSAGE_MIN_DOCS`)."""
    wanted = sorted(set(terms))
    return CorpusStats(
        docs=docs,
        avg_length=(length / docs) if docs else 1.0,
        idf={t: idf(max(docs, min_docs), df[t]) for t in wanted if df.get(t, 0) > 0},
        df={t: df[t] for t in wanted if df.get(t, 0) > 0},
    )


def rare_part(alternatives: Sequence[str], stats: CorpusStats) -> list[str]:
    """The rarest tokens whose postings add up to at most `RARE_POSTINGS` (the rarest one
    whatever its count); all of them when the statistics carry no counts."""
    if not stats.df:
        return list(alternatives)
    rare: list[str] = []
    total = 0
    for token in sorted(alternatives, key=lambda a: (stats.df.get(a, 0), a)):
        total += stats.df.get(token, 0)
        if rare and total > RARE_POSTINGS:
            break
        rare.append(token)
    return rare


@dataclass(slots=True)
class MemoryDoc:
    length: int
    sort_date: datetime  # aware, UTC
    language: str
    terms: tuple[str, ...]  # the weighted terms, for removal
    claimant: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DocRow:
    """A claim's search document as the tables hold it."""

    claim_id: int
    length: int
    sort_date: datetime  # aware, UTC
    language: str
    weights: dict[str, float]
    claimant: tuple[str, ...]


class Postings:
    """A term's postings: claim ids in ascending order and their weights, in two arrays
    (16 bytes a posting; a dict of Python ints and floats took about 200 with the index
    around it: 520 MB for 100,000 claims)."""

    __slots__ = ("ids", "weights")

    def __init__(self, pairs: Iterable[tuple[int, float]] = ()) -> None:
        ordered = sorted(pairs)
        self.ids = array("q", (i for i, _ in ordered))
        self.weights = array("d", (w for _, w in ordered))

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, claim_id: object) -> bool:
        assert isinstance(claim_id, int)
        at = bisect_left(self.ids, claim_id)
        return at < len(self.ids) and self.ids[at] == claim_id

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    def get(self, claim_id: int) -> float | None:
        at = bisect_left(self.ids, claim_id)
        if at < len(self.ids) and self.ids[at] == claim_id:
            return self.weights[at]
        return None

    def items(self) -> Iterator[tuple[int, float]]:
        return zip(self.ids, self.weights, strict=True)

    def put(self, claim_id: int, weight: float) -> None:
        at = bisect_left(self.ids, claim_id)
        if at < len(self.ids) and self.ids[at] == claim_id:
            self.weights[at] = weight
        else:
            self.ids.insert(at, claim_id)
            self.weights.insert(at, weight)

    def discard(self, claim_id: int) -> None:
        at = bisect_left(self.ids, claim_id)
        if at < len(self.ids) and self.ids[at] == claim_id:
            del self.ids[at]
            del self.weights[at]


class MemoryIndex:
    """The search index's tables in memory, and the ranked search over them. Changes come from
    the poller's thread while searches run in others: each holds the lock for its duration
    (a search over 5,000 claims, about 0.05 ms; a poll's changes, as long)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.docs: dict[int, MemoryDoc] = {}
        self.length = 0
        self.postings: dict[str, Postings] = {}
        self.claimants: dict[str, set[int]] = {}  # claimant token -> claims

    def __len__(self) -> int:
        return len(self.docs)

    def replace(self, claim_ids: Iterable[int], rows: Iterable[DocRow]) -> None:
        """Remove `claim_ids`, then put `rows` (the documents those claims have now)."""
        with self._lock:
            for claim_id in claim_ids:
                self.remove(claim_id)
            for row in rows:
                self.put(row)

    def load(
        self,
        postings: Iterable[tuple[str, int, float]],
        docs: Callable[[], Iterable[tuple[int, int, datetime, str, Sequence[str]]]],
    ) -> None:
        """Fill an empty index, before it is shared: `postings` as (term, claim, weight) in the
        order of the terms then the claims, as the table's key holds them, streamed into the
        arrays; then `docs()` as (claim, length, date, language, claimant tokens). A claim's
        terms are those its postings were read under (so that removing it later removes what
        was read), and postings of a claim with no document left (deleted between the two
        reads) are dropped. 100,000 claims and their 2.3 million postings: about 100 MB."""
        assert not self.docs
        assert not self.postings
        terms_of: dict[int, list[str]] = {}
        current = Postings()
        current_term = ""
        for term, claim_id, weight in postings:
            if term != current_term:
                current_term = sys.intern(term)
                current = self.postings[current_term] = Postings()
            current.ids.append(claim_id)
            current.weights.append(weight)
            terms_of.setdefault(claim_id, []).append(current_term)
        for claim_id, length, sort_date, language, claimant in docs():
            held = tuple(terms_of.pop(claim_id, ()))
            self._put_doc(claim_id, length, sort_date, language, held, claimant)
        for claim_id, orphaned in terms_of.items():
            for term in orphaned:
                self.postings[term].discard(claim_id)
                if not self.postings[term]:
                    del self.postings[term]

    def _put_doc(
        self,
        claim_id: int,
        length: int,
        sort_date: datetime,
        language: str,
        terms: tuple[str, ...],
        claimant: Sequence[str],
    ) -> None:
        tokens = tuple(dict.fromkeys(claimant))
        self.docs[claim_id] = MemoryDoc(length, sort_date, language, terms, tokens)
        self.length += length
        for token in tokens:
            self.claimants.setdefault(token, set()).add(claim_id)

    def put(self, row: DocRow) -> None:  # under the lock
        self.remove(row.claim_id)
        self._put_doc(
            row.claim_id, row.length, row.sort_date, row.language, tuple(row.weights), row.claimant
        )
        for term, weight in row.weights.items():
            self.postings.setdefault(term, Postings()).put(row.claim_id, weight)

    def remove(self, claim_id: int) -> None:
        doc = self.docs.pop(claim_id, None)
        if doc is None:
            return
        self.length -= doc.length
        for term in doc.terms:
            claims = self.postings[term]
            claims.discard(claim_id)
            if not claims:
                del self.postings[term]
        for token in doc.claimant:
            holders = self.claimants[token]
            holders.discard(claim_id)
            if not holders:
                del self.claimants[token]

    def stats(self, terms: Iterable[str], min_docs: int = 0) -> CorpusStats:
        wanted = set(terms)
        with self._lock:
            df = {t: len(self.postings[t]) for t in wanted if t in self.postings}
            return corpus_stats(len(self.docs), self.length, df, wanted, min_docs)

    def search(
        self,
        terms: Sequence[QueryTerm],
        filters: Filters,
        stats: CorpusStats,
        after: After | None,
        limit: int,
        offset: int = 0,
        every_term: bool = True,
    ) -> list[Hit]:
        """As `app.storage.search.SearchIndex.search`, for terms and filters of the claims
        alone (`Filters.of_claims_alone`)."""
        assert terms
        assert filters.of_claims_alone()
        with self._lock:
            alternatives = sorted({a for term in terms for a in term.alternatives})
            # (token, its IDF, its postings): the tokens no claim holds add nothing.
            present = [
                (a, stats.idf.get(a, 1e-6), self.postings[a])
                for a in alternatives
                if a in self.postings
            ]
            if every_term:
                rows = self._holding_every(terms, present, filters, stats.avg_length)
            else:
                rows = []
                best = self._best_by_rare_part(
                    alternatives, filters, stats, max(PASSAGE_CANDIDATES, limit + offset)
                )
                for claim_id in best:
                    doc = self.docs[claim_id]
                    score = _scored(claim_id, doc.length / stats.avg_length, present)
                    rows.append(Hit(claim_id, score, doc.sort_date))
            if after is not None:
                rows = [h for h in rows if _below(h.score, h.sort_date, h.claim_id, after)]
            rows.sort(key=lambda h: (h.score, h.sort_date, h.claim_id), reverse=True)
            return rows[offset : offset + limit]

    def _holding_every(
        self,
        terms: Sequence[QueryTerm],
        present: list[tuple[str, float, Postings]],
        filters: Filters,
        avg_length: float,
    ) -> list[Hit]:
        """The claims holding at least one alternative of every term, in their weighted terms
        or their claimant's tokens (as the engines' full-text match), scored. The term with the
        fewest holders gives the candidates, which the others keep or leave one by one (a
        common word's thousands of holders are never gathered)."""
        groups = []
        for term in terms:
            # A word's stems in other languages are mostly nowhere: left out.
            postings = [self.postings[a] for a in term.alternatives if a in self.postings]
            claimants = [self.claimants[a] for a in term.alternatives if a in self.claimants]
            size = sum(map(len, postings)) + sum(map(len, claimants))
            if not size:
                return []
            groups.append((size, postings, claimants))
        groups.sort(key=lambda group: group[0])
        candidates: set[int] = set()
        for postings_of_term in groups[0][1]:
            candidates.update(postings_of_term.ids)
        for claimants_of_term in groups[0][2]:
            candidates.update(claimants_of_term)
        # The other terms, fewest holders first, each leaving only the candidates it holds.
        for _, postings, claimants in groups[1:]:
            candidates = {
                claim_id
                for claim_id in candidates
                if any(_holds(p.ids, claim_id) for p in postings)
                or any(claim_id in c for c in claimants)
            }
            if not candidates:
                return []
        rows = []
        for claim_id in candidates:
            doc = self.docs[claim_id]
            if self._kept_doc(doc, filters):
                score = _scored(claim_id, doc.length / avg_length, present)
                rows.append(Hit(claim_id, score, doc.sort_date))
        return rows

    @staticmethod
    def _kept_doc(doc: MemoryDoc, filters: Filters) -> bool:
        return (
            (filters.language is None or doc.language == filters.language)
            and (filters.since is None or doc.sort_date >= filters.since)
            and (filters.until is None or doc.sort_date <= filters.until)
        )

    def _best_by_rare_part(
        self, alternatives: Sequence[str], filters: Filters, stats: CorpusStats, candidates: int
    ) -> list[int]:
        """A passage's first step (`SearchIndex._scored_any`): the claims holding its rarest
        tokens, best first by those alone; without a filter, unnormalised by length."""
        rare = rare_part(alternatives, stats)
        filtered = filters != Filters()
        scores: dict[int, float] = {}
        for a in rare:
            if a not in self.postings:
                continue
            for claim_id, weight in self.postings[a].items():
                if filtered and not self._kept_doc(self.docs[claim_id], filters):
                    continue
                norm = (
                    K1 * ((1 - B) + B * self.docs[claim_id].length / stats.avg_length)
                    if filtered
                    else K1
                )
                value = stats.idf.get(a, 1e-6) * weight * (K1 + 1) / (weight + norm)
                scores[claim_id] = scores.get(claim_id, 0.0) + value
        best = sorted(scores.items(), key=lambda item: (item[1], item[0]), reverse=True)
        return [claim_id for claim_id, _ in best[:candidates]]


def _holds(ids: "array[int]", claim_id: int) -> bool:
    at = bisect_left(ids, claim_id)
    return at < len(ids) and ids[at] == claim_id


def _scored(
    claim_id: int, relative_length: float, present: list[tuple[str, float, Postings]]
) -> float:
    """A claim's BM25 over the tokens `present` (in their order, as the engines sum them),
    rounded as they round it."""
    norm = K1 * ((1 - B) + B * relative_length)
    total = 0.0
    for _, idf_of_token, postings in present:
        ids = postings.ids
        at = bisect_left(ids, claim_id)
        if at < len(ids) and ids[at] == claim_id:
            weight = postings.weights[at]
            total += idf_of_token * weight * (K1 + 1) / (weight + norm)
    return round(total, 9)


def _below(score: float, sort_date: datetime, claim_id: int, after: After) -> bool:
    return (score, sort_date, claim_id) < (after.score, after.sort_date, after.claim_id)
