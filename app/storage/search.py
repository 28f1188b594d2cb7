"""The full-text index: one interface, a backend per engine.

Matching uses the engine's own full-text index (SQLite FTS5, PostgreSQL tsvector + GIN). Ranking is
BM25 computed in SQL from stored term weights, document lengths and document frequencies, the same
formula on both engines, with the corpus statistics passed in as parameters — so both engines rank
alike, and a page token can freeze the statistics to keep the order stable while claims are added.
"""

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlmodel import Session

from app.search.analysis import QueryTerm
from app.search.documents import SearchDocument
from app.search.ranking import (
    K1,
    PASSAGE_CANDIDATES,
    After,
    B,
    CorpusStats,
    DocRow,
    Filters,
    Hit,
    MemoryIndex,
    corpus_stats,
    rare_part,
)
from app.storage.driver import insert_many
from app.storage.types import as_utc

# Fixed statements, compiled once (an expanding IN takes any number of terms).
_CORPUS = text("SELECT docs, length FROM search_stats WHERE id = 1")
_NAMED = re.compile(r":(p\d+)\b")
_DF = text("SELECT term, df FROM search_term WHERE term IN :terms").bindparams(
    bindparam("terms", expanding=True)
)


@dataclass
class _Sql:
    clauses: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"


class SearchIndex:
    """Writes and queries; subclasses say how the engine matches tokens."""

    dialect = ""

    # --- writes (in the caller's transaction) ---------------------------------------------------

    def put(self, session: Session, doc: SearchDocument) -> None:
        old = self._old_terms(session, doc.claim_id)
        if old is not None:
            self.remove(session, doc.claim_id)
        self.put_many(session, [doc])

    def put_many(self, session: Session, docs: Sequence[SearchDocument]) -> None:
        """Add claims that are not in the index (new ones): one executemany per table, each
        term's document frequency raised once by the number of these claims that contain it."""
        if not docs:
            return
        connection = session.connection()
        insert_many(
            connection,
            "INSERT INTO search_doc (claim_id, language, length, sort_date, terms, claimant_terms)",
            [
                (
                    doc.claim_id,
                    doc.language,
                    doc.length,
                    self._when(doc.sort_date),
                    doc.terms,
                    doc.claimant_text,
                )
                for doc in docs
            ],
            ("integer", "text", "integer", "timestamp", "text", "text"),
        )
        self._add_fulltext(connection, docs)
        # In key order (term, claim): the inserts walk the posting index once, page by page.
        postings = sorted((t, doc.claim_id, doc.weights[t]) for doc in docs for t in doc.weights)
        if postings:
            insert_many(
                connection,
                "INSERT INTO search_posting (term, claim_id, weight)",
                postings,
                ("text", "integer", "float8"),
            )
            df = Counter(t for doc in docs for t in doc.weights)
            # Sorted, so concurrent writers lock term rows in one order and never deadlock.
            insert_many(
                connection,
                "INSERT INTO search_term (term, df)",
                [(t, df[t]) for t in sorted(df)],
                ("text", "integer"),
                " ON CONFLICT (term) DO UPDATE SET df = search_term.df + excluded.df",
            )
        self._count(connection, len(docs), sum(doc.length for doc in docs))

    def remove(self, session: Session, claim_id: int) -> None:
        connection = session.connection()
        row = connection.execute(
            text("SELECT length, terms, claimant_terms FROM search_doc WHERE claim_id = :id"),
            {"id": claim_id},
        ).first()
        if row is None:
            return
        terms = sorted(row[1].split())
        self._remove_fulltext(connection, claim_id, row[1], row[2])
        if terms:
            # Sorted, so concurrent writers lock term rows in one order and never deadlock.
            connection.execute(
                text("UPDATE search_term SET df = df - 1 WHERE term = :t"),
                [{"t": t} for t in terms],
            )
            connection.execute(text("DELETE FROM search_term WHERE df <= 0"))
        connection.execute(
            text("DELETE FROM search_posting WHERE claim_id = :id"), {"id": claim_id}
        )
        connection.execute(text("DELETE FROM search_doc WHERE claim_id = :id"), {"id": claim_id})
        self._count(connection, -1, -row[0])

    def clear(self, session: Session) -> None:
        connection = session.connection()
        self._clear_fulltext(connection)
        for table in ("search_posting", "search_term", "search_stats", "search_doc"):
            connection.execute(text(f"DELETE FROM {table}"))

    def _old_terms(self, session: Session, claim_id: int) -> str | None:
        value: str | None = (
            session.connection()
            .execute(text("SELECT terms FROM search_doc WHERE claim_id = :id"), {"id": claim_id})
            .scalar()
        )
        return value

    def _count(self, connection: Connection, docs: int, length: int) -> None:
        connection.execute(
            text(
                "INSERT INTO search_stats (id, docs, length) VALUES (1, :d, :l) "
                "ON CONFLICT (id) DO UPDATE SET docs = search_stats.docs + :d, "
                "length = search_stats.length + :l"
            ),
            {"d": docs, "l": length},
        )

    def _add_fulltext(self, connection: Connection, docs: Sequence[SearchDocument]) -> None:
        raise NotImplementedError

    def _remove_fulltext(
        self, connection: Connection, claim_id: int, terms: str, claimant: str
    ) -> None:
        raise NotImplementedError

    def _clear_fulltext(self, connection: Connection) -> None:
        raise NotImplementedError

    # --- queries --------------------------------------------------------------------------------

    def stats(self, session: Session, terms: Iterable[str], min_docs: int = 0) -> CorpusStats:
        """The corpus size, mean length and the terms' IDF; `min_docs` computes the IDF as if
        the corpus held at least that many claims (see `PASSAGE_MIN_DOCS`)."""
        connection = session.connection()
        row = connection.execute(_CORPUS).first()
        docs, length = (row[0], row[1]) if row else (0, 0)
        wanted = sorted(set(terms))
        df: dict[str, int] = {}
        if wanted:
            df = {r[0]: r[1] for r in connection.execute(_DF, {"terms": wanted})}
        return corpus_stats(docs, length, df, wanted, min_docs)

    def search(
        self,
        session: Session,
        terms: Sequence[QueryTerm],
        filters: Filters,
        stats: CorpusStats | None,
        after: After | None,
        limit: int,
        offset: int = 0,
        every_term: bool = True,
    ) -> list[Hit]:
        """Claims ranked by BM25 over `terms`. With `every_term` a claim must hold every term
        (a query); without, any one (a passage: its postings are the candidates)."""
        sql = _Sql()
        conditions = self._filters(sql, filters)
        match = self._match(sql, terms if every_term else (), filters.claimant)
        if match:
            conditions.append(match)
        where = " AND ".join(conditions) or "1 = 1"
        if terms:
            assert stats is not None
            alternatives = sorted({a for term in terms for a in term.alternatives})
            norm = (
                f"{sql.bind(K1)} * ({sql.bind(1 - B)} + {sql.bind(B)} * "
                f"CAST(d.length AS FLOAT) / {sql.bind(stats.avg_length)})"
            )
            if every_term:
                inner = self._scored(sql, alternatives, stats, norm, where)
            else:
                inner = self._scored_any(
                    sql, alternatives, stats, norm, where, max(PASSAGE_CANDIDATES, limit + offset)
                )
        else:
            inner = (
                "SELECT d.claim_id AS claim_id, 0.0 AS score, d.sort_date AS sort_date "
                f"FROM search_doc d WHERE {where}"
            )
        keyset = ""
        if after is not None:
            s, d, i = (
                sql.bind(after.score),
                sql.bind(self._when(after.sort_date)),
                sql.bind(after.claim_id),
            )
            keyset = (
                f"WHERE (r.score < {s}) OR (r.score = {s} AND r.sort_date < {d}) "
                f"OR (r.score = {s} AND r.sort_date = {d} AND r.claim_id < {i})"
            )
        query = (
            f"SELECT r.claim_id, r.score, r.sort_date FROM ({inner}) r {keyset} "
            f"ORDER BY r.score DESC, r.sort_date DESC, r.claim_id DESC "
            f"LIMIT {sql.bind(limit)} OFFSET {sql.bind(offset)}"
        )
        rows = session.connection().exec_driver_sql(self._driver_sql(query), sql.params).all()
        return [Hit(int(r[0]), float(r[1]), as_utc(r[2])) for r in rows]

    def _scored(
        self, sql: _Sql, alternatives: Sequence[str], stats: CorpusStats, norm: str, where: str
    ) -> str:
        """Matched claims with their BM25 score: the claims joined to their postings of the
        query's tokens, grouped per claim (the engine picks the join order)."""
        names = ", ".join(sql.bind(a) for a in alternatives)
        idf = " ".join(
            f"WHEN {sql.bind(a)} THEN {sql.bind(stats.idf.get(a, 1e-6))}" for a in alternatives
        )
        score = (
            f"SUM((CASE p.term {idf} ELSE 0 END) * p.weight * {sql.bind(K1 + 1)} "
            f"/ (p.weight + {norm}))"
        )
        return (
            f"SELECT d.claim_id AS claim_id, {self._round(score)} AS score, "
            f"d.sort_date AS sort_date FROM search_doc d JOIN search_posting p "
            f"ON p.claim_id = d.claim_id AND p.term IN ({names}) "
            f"WHERE {where} GROUP BY d.claim_id, d.sort_date"
        )

    def _scored_any(
        self,
        sql: _Sql,
        alternatives: Sequence[str],
        stats: CorpusStats,
        norm: str,
        where: str,
        candidates: int,
    ) -> str:
        """Claims holding any of the tokens, with their BM25 score, in two steps:

        1. the `candidates` best claims by the tokens' rarest part alone (`rare_part`): the
           postings of those tokens, each matched claim's length and date by its key;
        2. their whole score: each candidate's postings of every token, by key.

        A passage of 15 tokens over 100,000 claims holds common ones (`trump`, `said`, with
        thousands of postings each): scoring every claim that holds any of them read some
        100,000 postings and took 300 ms a tweet on SQLite. Rare tokens carry most of a
        claim's score, so the claims that rank first are nearly always among their
        candidates.
        """
        rare = rare_part(alternatives, stats)

        def score(tokens: Sequence[str], norm: str) -> str:
            idf = " ".join(
                f"WHEN {sql.bind(a)} THEN {sql.bind(stats.idf.get(a, 1e-6))}" for a in tokens
            )
            return (
                f"SUM((CASE p.term {idf} ELSE 0 END) * p.weight * {sql.bind(K1 + 1)} "
                f"/ (p.weight + {norm}))"
            )

        join = self._postings_first()
        if where == "1 = 1":
            # Without a filter the first step reads the postings alone (their key holds the
            # weight), scored without the length normalisation, which needs each claim's row.
            rare_score = score(rare, f"{sql.bind(K1)}")
            first = (
                f"SELECT p.claim_id AS claim_id FROM search_posting p "
                f"WHERE p.term IN ({', '.join(sql.bind(a) for a in rare)}) "
                f"GROUP BY p.claim_id ORDER BY {rare_score} DESC, p.claim_id DESC "
                f"LIMIT {sql.bind(candidates)}"
            )
        else:
            first = (
                f"SELECT p.claim_id AS claim_id FROM search_posting p {join} "
                f"{self._doc_lengths()} ON d.claim_id = p.claim_id "
                f"WHERE p.term IN ({', '.join(sql.bind(a) for a in rare)}) AND {where} "
                f"GROUP BY p.claim_id ORDER BY {score(rare, norm)} DESC, p.claim_id DESC "
                f"LIMIT {sql.bind(candidates)}"
            )
        return (
            f"SELECT d.claim_id AS claim_id, {self._round(score(alternatives, norm))} AS score, "
            f"d.sort_date AS sort_date FROM ({first}) c {join} {self._doc_lengths()} "
            f"ON d.claim_id = c.claim_id {join} search_posting p ON p.claim_id = c.claim_id "
            f"AND p.term IN ({', '.join(sql.bind(a) for a in alternatives)}) "
            f"GROUP BY d.claim_id, d.sort_date"
        )

    def _postings_first(self) -> str:
        return "JOIN"

    def _doc_lengths(self) -> str:
        return "search_doc d"

    def _filters(self, sql: _Sql, filters: Filters) -> list[str]:
        conditions = []
        if filters.language:
            conditions.append(f"d.language = {sql.bind(filters.language)}")
        if filters.since:
            conditions.append(f"d.sort_date >= {sql.bind(self._when(filters.since))}")
        if filters.until:
            conditions.append(f"d.sort_date <= {sql.bind(self._when(filters.until))}")
        review = []
        if filters.publisher_ids is not None:
            if not filters.publisher_ids:
                return ["1 = 0"]
            names = ", ".join(sql.bind(p) for p in filters.publisher_ids)
            review.append(f"r.publisher_id IN ({names})")
        if filters.verdict:
            review.append(f"r.verdict = {sql.bind(filters.verdict)}")
        if filters.review_language:
            # Stored tags are normalised (`fr`, `fr-CA`): the primary subtag, then any region.
            review.append(
                f"(r.language = {sql.bind(filters.review_language)} "
                f"OR r.language LIKE {sql.bind(filters.review_language + '-%')})"
            )
        if review:
            conditions.append(
                f"EXISTS (SELECT 1 FROM review r {self._published_reviews_index()} "
                "WHERE r.claim_id = d.claim_id "
                "AND r.status = 'published' AND r.deleted_at IS NULL AND "
                + " AND ".join(review)
                + ")"
            )
        return conditions

    def _match(self, sql: _Sql, terms: Sequence[QueryTerm], claimant: Sequence[QueryTerm]) -> str:
        raise NotImplementedError

    def _when(self, value: datetime) -> Any:
        return value.astimezone(UTC).replace(tzinfo=None)

    def _driver_sql(self, query: str) -> str:
        """The statement in the driver's own parameter style. It is sent as it is: each
        search statement is new text (its tokens decide its shape), and having SQLAlchemy
        parse and compile it cost 7 ms a passage, more than the database's work."""
        return query  # sqlite3 takes :name parameters

    def _published_reviews_index(self) -> str:
        return ""

    def _round(self, expression: str) -> str:
        # Rounded so that a score recomputed for the next page compares equal to the one in the
        # page token, whatever order the engine summed the terms in.
        return f"ROUND({expression}, 9)"


class SqliteSearchIndex(SearchIndex):
    dialect = "sqlite"

    def _add_fulltext(self, connection: Connection, docs: Sequence[SearchDocument]) -> None:
        insert_many(
            connection,
            "INSERT INTO search_fts (rowid, terms, claimant_terms)",
            [(doc.claim_id, doc.terms, doc.claimant_text) for doc in docs],
            ("integer", "text", "text"),
        )

    def _remove_fulltext(
        self, connection: Connection, claim_id: int, terms: str, claimant: str
    ) -> None:
        connection.execute(
            text(
                "INSERT INTO search_fts (search_fts, rowid, terms, claimant_terms) "
                "VALUES ('delete', :id, :t, :c)"
            ),
            {"id": claim_id, "t": terms, "c": claimant},
        )

    def _clear_fulltext(self, connection: Connection) -> None:
        connection.execute(text("INSERT INTO search_fts (search_fts) VALUES ('delete-all')"))

    def _match(self, sql: _Sql, terms: Sequence[QueryTerm], claimant: Sequence[QueryTerm]) -> str:
        # Tokens hold only letters, marks and digits, and each is quoted: nothing a user typed
        # can become FTS5 syntax.
        groups = [_fts_group(t) for t in terms]
        groups += [f"claimant_terms : {_fts_group(t)}" for t in claimant]
        if not groups:
            return ""
        return (
            "d.claim_id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH "
            f"{sql.bind(' AND '.join(groups))})"
        )

    def _postings_first(self) -> str:
        # CROSS JOIN keeps the tables in the order written (SQLite's documented way to fix
        # a join order): postings first, never a scan of every document.
        return "CROSS JOIN"

    def _doc_lengths(self) -> str:
        # A claim's length and date from the narrow index, not its row (which holds its tokens).
        return "search_doc d INDEXED BY ix_search_doc_rank"

    def _published_reviews_index(self) -> str:
        # Without statistics SQLite takes ix_review_claim_id for a publisher filter and reads
        # each review row (with its JSON-LD); the partial index answers from its own pages.
        return "INDEXED BY ix_review_published_claim"

    def _when(self, value: datetime) -> Any:
        # The same fixed-width text SQLAlchemy stores, so that comparisons are exact.
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def _scored(
        self, sql: _Sql, alternatives: Sequence[str], stats: CorpusStats, norm: str, where: str
    ) -> str:
        # Driven by the FTS match: for each matched claim, its length and date from the narrow
        # ix_search_doc_rank (not the row, which holds the token text), and one primary-key
        # lookup (term, claim_id) per query token for the weight. No join and no grouping:
        # with common words every matched claim costs only these lookups.
        parts = [
            f"COALESCE((SELECT {sql.bind(stats.idf.get(a, 1e-6))} * p.weight * "
            f"{sql.bind(K1 + 1)} / (p.weight + {norm}) FROM search_posting p "
            f"WHERE p.term = {sql.bind(a)} AND p.claim_id = d.claim_id), 0)"
            for a in alternatives
        ]
        return (
            f"SELECT d.claim_id AS claim_id, {self._round(' + '.join(parts))} AS score, "
            f"d.sort_date AS sort_date FROM search_doc d INDEXED BY ix_search_doc_rank "
            f"WHERE {where}"
        )


class PostgresSearchIndex(SearchIndex):
    dialect = "postgresql"

    def _add_fulltext(self, connection: Connection, docs: Sequence[SearchDocument]) -> None:
        connection.exec_driver_sql(
            "UPDATE search_doc SET tsv = CAST(v.tsv AS tsvector) "
            "FROM unnest(%s::integer[], %s::text[]) AS v (claim_id, tsv) "
            "WHERE search_doc.claim_id = v.claim_id",
            ([doc.claim_id for doc in docs], [tsvector_literal(doc) for doc in docs]),
        )

    def _remove_fulltext(
        self, connection: Connection, claim_id: int, terms: str, claimant: str
    ) -> None:
        pass  # the tsvector goes with its row

    def _clear_fulltext(self, connection: Connection) -> None:
        pass

    def _match(self, sql: _Sql, terms: Sequence[QueryTerm], claimant: Sequence[QueryTerm]) -> str:
        groups = [_tsquery_group(t, "") for t in terms]
        groups += [_tsquery_group(t, ":D") for t in claimant]
        if not groups:
            return ""
        return f"d.tsv @@ CAST({sql.bind(' & '.join(groups))} AS tsquery)"

    def _round(self, expression: str) -> str:
        return f"CAST(ROUND(CAST({expression} AS NUMERIC), 9) AS FLOAT)"

    def _driver_sql(self, query: str) -> str:
        # psycopg takes %(name)s; the statements hold no other % or : of their own.
        return _NAMED.sub(r"%(\1)s", query)


def _fts_group(term: QueryTerm) -> str:
    return "(" + " OR ".join(f'"{a}"' for a in term.alternatives) + ")"


def _tsquery_group(term: QueryTerm, weight: str) -> str:
    return "(" + " | ".join(f"'{a}'{weight}" for a in term.alternatives) + ")"


def tsvector_literal(doc: SearchDocument) -> str:
    """Lexemes given verbatim (tsvector input does not re-parse them); claimant words carry
    weight D so that the claimant filter can ask for them alone."""
    claimant = set(doc.claimant_terms)
    parts = [f"'{t}':1D" if t in claimant else f"'{t}'" for t in sorted(doc.weights)]
    parts += [f"'{t}':1D" for t in sorted(claimant - set(doc.weights))]
    return " ".join(parts)


def index_for(dialect: str) -> SearchIndex:
    return SqliteSearchIndex() if dialect == "sqlite" else PostgresSearchIndex()


# --- the index copied into memory (app.api.search_mirror) -------------------------------------

_MARK = "/* change-log poll */"  # as repositories.POLL_MARK: the statements of the poller
_SOME_DOCS = text(
    f"{_MARK} SELECT claim_id, length, sort_date, language, claimant_terms FROM search_doc"
    " WHERE claim_id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_SOME_POSTINGS = text(
    f"{_MARK} SELECT claim_id, term, weight FROM search_posting WHERE claim_id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_CHANGED_REVIEWS = text(
    f'{_MARK} SELECT DISTINCT c.review_id, r.claim_id FROM "change" c'
    ' JOIN review r ON r.id = c.review_id WHERE c."cursor" > :after AND c."cursor" <= :upto'
)
_REVIEW_CLAIMS = text(f"{_MARK} SELECT id, claim_id FROM review")
_SIZE = text(f"{_MARK} SELECT docs, length, rebuilt FROM search_stats WHERE id = 1")
_REBUILT = text("UPDATE search_stats SET rebuilt = :n WHERE id = 1")


def corpus_size(connection: Connection) -> tuple[int, int, int]:
    """The number of indexed claims, their total length and the index's rebuilds, as
    `search_stats` counts them."""
    row = connection.execute(_SIZE).first()
    return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)


def count_rebuild(session: Session, before: int) -> None:
    """After a rebuild of the index (whose `clear` emptied search_stats): one more than
    `before`, the count read before it."""
    session.connection().execute(_REBUILT, {"n": before + 1})


def changed_reviews(connection: Connection, after: int, upto: int) -> list[tuple[int, int]]:
    """The reviews whose changes are logged after `after`, up to `upto`, with their claims."""
    rows = connection.execute(_CHANGED_REVIEWS, {"after": after, "upto": upto})
    return [(int(review), int(claim)) for review, claim in rows]


def review_claims(connection: Connection) -> dict[int, int]:
    """Every review's claim."""
    return {int(review): int(claim) for review, claim in connection.execute(_REVIEW_CLAIMS)}


_ALL_DOCS = text(
    f"{_MARK} SELECT claim_id, length, sort_date, language, claimant_terms FROM search_doc"
)
# In the order of the key, a chunk at a time: each chunk a statement (and, in the poller's
# autocommit, a transaction) of its own, and never the whole table in the driver's memory.
_POSTINGS_CHUNK = 50_000
_FIRST_POSTINGS = text(
    f"{_MARK} SELECT term, claim_id, weight FROM search_posting ORDER BY term, claim_id LIMIT :n"
)
_NEXT_POSTINGS = text(
    f"{_MARK} SELECT term, claim_id, weight FROM search_posting"
    " WHERE term > :t OR (term = :t AND claim_id > :c) ORDER BY term, claim_id LIMIT :n"
)


def _all_postings(connection: Connection) -> Iterator[tuple[str, int, float]]:
    rows = connection.execute(_FIRST_POSTINGS, {"n": _POSTINGS_CHUNK}).all()
    while rows:
        for term, claim_id, weight in rows:
            yield term, claim_id, float(weight)
        term, claim_id, _ = rows[-1]
        params = {"t": term, "c": claim_id, "n": _POSTINGS_CHUNK}
        rows = connection.execute(_NEXT_POSTINGS, params).all()


def copy_all(connection: Connection, index: MemoryIndex) -> None:
    """Every search document into `index`, an empty one."""

    def docs() -> Iterator[tuple[int, int, datetime, str, list[str]]]:
        for claim_id, length, sort_date, language, claimant in connection.execute(_ALL_DOCS):
            yield claim_id, length, as_utc(sort_date), language, claimant.split()

    index.load(_all_postings(connection), docs)


def copy_into(connection: Connection, index: MemoryIndex, claim_ids: Sequence[int]) -> None:
    """The search documents of `claim_ids` put into `index`, those no longer indexed removed
    from it."""
    if not claim_ids:
        return
    ids = {"ids": sorted(set(claim_ids))}
    weights: dict[int, dict[str, float]] = {}
    for claim_id, term, weight in connection.execute(_SOME_POSTINGS, ids):
        weights.setdefault(claim_id, {})[term] = float(weight)
    rows = [
        DocRow(
            claim_id,
            length,
            as_utc(sort_date),
            language,
            weights.get(claim_id, {}),
            tuple(claimant.split()),
        )
        for claim_id, length, sort_date, language, claimant in connection.execute(_SOME_DOCS, ids)
    ]
    index.replace(claim_ids, rows)
