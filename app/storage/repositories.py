"""Every query of the core tables. Repositories add and flush; services commit."""

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Column, Connection, Row, Table, bindparam, exists, func, insert, or_, text
from sqlalchemy import delete as sa_delete
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Dialect
from sqlmodel import Session, SQLModel, col, select

from app.storage.driver import insert_many
from app.storage.tables import (
    ApiKey,
    Appearance,
    Change,
    Claim,
    Publisher,
    PublisherSite,
    Review,
    ReviewRevision,
    WebSession,
)
from app.storage.types import as_utc, utcnow


class ChangedReview(Protocol):
    """What a change-log entry records of a review (a stored `Review` or a row about to be)."""

    @property
    def id(self) -> int | None: ...
    @property
    def publisher_id(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def verdict(self) -> str: ...


# Any fixed number: every transaction that appends to the change log takes this lock, so on
# PostgreSQL cursors become visible in the order they were assigned and a polling reader that
# saw cursor N can never later find a smaller one appear.
CHANGE_LOG_LOCK = 7_271_330
# The lock space of pages (two-key advisory locks: this, and a hash of the page's URL key).
PAGE_LOCKS = 7_271_331


# --- publishers ---------------------------------------------------------------------------------


def get_publisher(session: Session, publisher_id: str) -> Publisher | None:
    return session.get(Publisher, publisher_id)


def list_publishers(session: Session) -> Sequence[Publisher]:
    return session.exec(select(Publisher).order_by(col(Publisher.id))).all()


def add_publisher(session: Session, publisher: Publisher) -> None:
    session.add(publisher)
    session.flush()
    for host in publisher.sites:
        session.merge(PublisherSite(host=host, publisher_id=publisher.id))
    session.flush()


def publisher_sites(session: Session) -> Sequence[tuple[str, str]]:
    rows = session.exec(select(PublisherSite.host, PublisherSite.publisher_id)).all()
    return [(row[0], row[1]) for row in rows]


def publishers_by_ids(session: Session, ids: Iterable[str]) -> Sequence[Publisher]:
    return session.exec(select(Publisher).where(col(Publisher.id).in_(list(ids)))).all()


def publisher_by_name(session: Session, name: str) -> Publisher | None:
    return session.exec(
        select(Publisher).where(func.lower(Publisher.name) == name.strip().lower())
    ).first()


def add_site(session: Session, publisher: Publisher, host: str) -> None:
    session.add(PublisherSite(host=host, publisher_id=publisher.id))
    publisher.sites = [*publisher.sites, host]
    session.add(publisher)
    session.flush()


def publisher_owning_site(session: Session, host: str) -> str | None:
    return session.exec(
        select(PublisherSite.publisher_id).where(PublisherSite.host == host)
    ).first()


@dataclass(frozen=True)
class PublisherStats:
    review_count: int
    first_review_at: datetime | None
    last_review_at: datetime | None


def publisher_stats(session: Session, publisher_ids: Sequence[str]) -> dict[str, PublisherStats]:
    rows = session.exec(
        select(
            Review.publisher_id,
            func.count(),
            func.min(Review.date_published),
            func.max(Review.date_published),
        )
        .where(col(Review.publisher_id).in_(publisher_ids))
        .where(Review.status == "published")
        .where(col(Review.deleted_at).is_(None))
        .group_by(col(Review.publisher_id))
    ).all()
    return {row[0]: PublisherStats(row[1], row[2], row[3]) for row in rows}


# --- claims -------------------------------------------------------------------------------------


def get_claim(session: Session, claim_id: int) -> Claim | None:
    return session.get(Claim, claim_id)


def searchable_claim_ids(session: Session) -> list[int]:
    """Claims with at least one published review."""
    rows = session.exec(
        select(Review.claim_id)
        .where(Review.status == "published")
        .where(col(Review.deleted_at).is_(None))
        .distinct()
        .order_by(col(Review.claim_id))
    ).all()
    return list(rows)


def claim_id_by_text_key(session: Session, language: str, text_key: str) -> int | None:
    return session.exec(
        select(Claim.id)
        .where(Claim.language == language)
        .where(Claim.text_key == text_key)
        .where(col(Claim.deleted_at).is_(None))
        .order_by(col(Claim.id))
    ).first()


def claim_id_by_appearance(session: Session, url_keys: Sequence[str]) -> int | None:
    return session.exec(
        select(Appearance.claim_id)
        .join(Claim, col(Claim.id) == col(Appearance.claim_id))
        .where(col(Appearance.url_key).in_(url_keys))
        .where(col(Claim.deleted_at).is_(None))
        .order_by(col(Appearance.claim_id))
    ).first()


_CLAIMS_BY_TEXT_KEYS = text(
    "SELECT language, text_key, min(id) FROM claim WHERE text_key IN :keys "
    "AND deleted_at IS NULL GROUP BY language, text_key"
).bindparams(bindparam("keys", expanding=True))

_CLAIMS_BY_APPEARANCE_KEYS = text(
    "SELECT a.url_key, min(a.claim_id) FROM appearance a JOIN claim c ON c.id = a.claim_id "
    "WHERE a.url_key IN :keys AND c.deleted_at IS NULL GROUP BY a.url_key"
).bindparams(bindparam("keys", expanding=True))


def claim_ids_by_text_keys(
    session: Session, text_keys: Iterable[str]
) -> dict[tuple[str, str], int]:
    """(language, text_key) -> the oldest live claim with that wording: `claim_id_by_text_key`
    for many keys in one query."""
    keys = sorted(set(text_keys))
    if not keys:
        return {}
    rows = session.connection().execute(_CLAIMS_BY_TEXT_KEYS, {"keys": keys})
    return {(row[0], row[1]): row[2] for row in rows}


def claim_ids_by_appearance_keys(session: Session, url_keys: Iterable[str]) -> dict[str, int]:
    """url_key -> the oldest live claim seen there: `claim_id_by_appearance` for many keys."""
    keys = sorted(set(url_keys))
    if not keys:
        return {}
    rows = session.connection().execute(_CLAIMS_BY_APPEARANCE_KEYS, {"keys": keys})
    return {row[0]: row[1] for row in rows}


def appearances_of(session: Session, claim_id: int) -> Sequence[Appearance]:
    return session.exec(
        select(Appearance).where(Appearance.claim_id == claim_id).order_by(col(Appearance.position))
    ).all()


def replace_appearances(session: Session, claim_id: int, rows: Sequence[Appearance]) -> None:
    for old in appearances_of(session, claim_id):
        session.delete(old)
    session.flush()
    for row in rows:
        session.add(row)
    session.flush()


def live_reviews_of_claim(
    session: Session, claim_id: int, *, published_only: bool = False
) -> Sequence[Review]:
    query = (
        select(Review)
        .where(Review.claim_id == claim_id)
        .where(col(Review.deleted_at).is_(None))
        .order_by(col(Review.id))
    )
    if published_only:
        query = query.where(Review.status == "published")
    return session.exec(query).all()


# --- reviews ------------------------------------------------------------------------------------


def get_review(session: Session, review_id: int, *, for_update: bool = False) -> Review | None:
    if for_update:
        return session.exec(select(Review).where(Review.id == review_id).with_for_update()).first()
    return session.get(Review, review_id)


def review_id_at(session: Session, url_key: str, claim_id: int) -> int | None:
    """The review of this claim at this page, deleted ones included (they keep their place)."""
    return session.exec(
        select(Review.id).where(Review.url_key == url_key, Review.claim_id == claim_id)
    ).first()


def latest_review_id_at(session: Session, url_key: str) -> int | None:
    """Of a page's live reviews, the published one most recently changed, else the newest."""
    return session.exec(
        select(Review.id)
        .where(Review.url_key == url_key, col(Review.deleted_at).is_(None))
        .order_by(
            (col(Review.status) == "published").desc(),
            col(Review.updated_at).desc(),
            col(Review.id).desc(),
        )
    ).first()


@dataclass(frozen=True, slots=True)
class PageReview:
    """What the import needs of a stored review to match a page's markup to it."""

    id: int
    claim_id: int
    publisher_id: str
    status: str
    written_by: str
    deleted: bool


_REVIEWS_AT_PAGES = text(
    "SELECT url_key, id, claim_id, publisher_id, status, written_by, deleted_at IS NOT NULL "
    "FROM review WHERE url_key IN :keys ORDER BY id"
).bindparams(bindparam("keys", expanding=True))


def reviews_at_pages(session: Session, url_keys: Iterable[str]) -> dict[str, list[PageReview]]:
    """url_key -> the reviews stored at that page (deleted ones too), oldest first."""
    keys = sorted(set(url_keys))
    found: dict[str, list[PageReview]] = {}
    for start in range(0, len(keys), 1000):
        rows = session.connection().execute(_REVIEWS_AT_PAGES, {"keys": keys[start : start + 1000]})
        for row in rows:
            found.setdefault(row[0], []).append(
                PageReview(row[1], row[2], row[3], row[4], row[5], bool(row[6]))
            )
    return found


def page_keys_of(
    session: Session,
    publisher_id: str,
    statuses: Sequence[str],
    after: str | None,
    limit: int,
    offset: int,
) -> list[str]:
    """The URL keys of a publisher's pages with a live review in one of `statuses`, in order,
    after `after` (keyset paging), skipping `offset`."""
    query = select(Review.url_key).where(
        Review.publisher_id == publisher_id,
        col(Review.deleted_at).is_(None),
        col(Review.status).in_(list(statuses)),
    )
    if after is not None:
        query = query.where(Review.url_key > after)
    query = query.distinct().order_by(col(Review.url_key)).offset(offset).limit(limit)
    return list(session.exec(query).all())


def insert_rows(
    session: Session,
    model: type[SQLModel],
    columns: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    *,
    ids: bool = False,
) -> list[int]:
    """Many rows of one table (`rows`: values of `columns`, in that order) at once; with `ids`,
    their generated primary keys in the order of `rows`. The tuples go straight to the driver
    (`app.storage.driver`), converted column by column by the columns' own bind processors (what
    SQLAlchemy would send); on PostgreSQL, rows whose ids are wanted go through SQLAlchemy's
    insert with RETURNING in parameter order."""
    if not rows:
        return []
    table: Table = model.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    if not ids:
        _insert_tuples(connection, table, columns, rows)
        return []
    if connection.dialect.name == "sqlite":
        # The ids SQLite would choose (an integer primary key without AUTOINCREMENT takes the
        # largest one + 1), given explicitly: RETURNING in parameter order would cost one
        # statement per row. Safe because a write transaction holds the database's write lock
        # from its BEGIN IMMEDIATE on.
        first = (connection.execute(sa_select(func.max(table.c.id))).scalar() or 0) + 1
        numbered = [(first + n, *row) for n, row in enumerate(rows)]
        _insert_tuples(connection, table, ("id", *columns), numbered)
        return list(range(first, first + len(rows)))
    returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    dicts = [dict(zip(columns, row, strict=True)) for row in rows]
    return [row[0] for row in connection.execute(returning, dicts)]


@dataclass(frozen=True)
class _TupleInsert:
    head: str  # INSERT INTO table (columns)
    types: tuple[str, ...]  # of the columns, in the dialect's words
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor)
    defaults: tuple[Any, ...]  # of the table's other columns with a fixed default, converted


_TUPLE_INSERTS: dict[tuple[str, str, tuple[str, ...]], _TupleInsert] = {}


def _insert_tuples(
    connection: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    dialect = connection.dialect
    key = (dialect.name, table.name, columns)
    plan = _TUPLE_INSERTS.get(key)
    if plan is None:
        plan = _TUPLE_INSERTS[key] = _plan_tuple_insert(dialect, table, columns)
    if plan.converters or plan.defaults:
        values = list(zip(*rows, strict=True))
        for position, convert in plan.converters:
            values[position] = tuple(map(convert, values[position]))
        values += [(default,) * len(rows) for default in plan.defaults]
        rows = list(zip(*values, strict=True))
    insert_many(connection, plan.head, rows, plan.types)


def _plan_tuple_insert(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> _TupleInsert:
    def converter(column: Column[Any]) -> Callable[[Any], Any] | None:
        return column.type.dialect_impl(dialect).bind_processor(dialect)

    given = [table.c[name] for name in columns]
    left_out, defaults = [], []
    for column in table.columns:
        if column.name in columns or column.primary_key or column.default is None:
            continue  # given, generated, or NULL as SQLAlchemy leaves it
        if not getattr(column.default, "is_scalar", False):
            raise ValueError(f"{table.name}.{column.name}: only a fixed default can be left out")
        convert = converter(column)
        value = column.default.arg  # type: ignore[attr-defined]
        left_out.append(column)
        defaults.append(value if convert is None else convert(value))
    converters = []
    for position, column in enumerate(given):
        convert = converter(column)
        if convert is not None:
            converters.append((position, convert))
    quote = dialect.identifier_preparer.quote
    every = given + left_out
    return _TupleInsert(
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(c.name) for c in every)})",
        tuple(c.type.compile(dialect=dialect) for c in every),
        tuple(converters),
        tuple(defaults),
    )


@dataclass(frozen=True)
class StoredDocument:
    status: str
    deleted: bool
    body: bytes | None
    etag: str | None
    rendered_at: datetime | None


_DOCUMENT_COLUMNS = "SELECT status, deleted_at, jsonld, jsonld_etag, rendered_at FROM review"
_DOCUMENT_QUERY = text(_DOCUMENT_COLUMNS + " WHERE id = :id")


def stored_document(connection: Connection, review_id: int) -> StoredDocument | None:
    """One primary-key lookup of pre-rendered bytes, no ORM."""
    return document_from_row(connection.execute(_DOCUMENT_QUERY, {"id": review_id}).first())


def document_from_row(row: Any) -> StoredDocument | None:
    if row is None:
        return None
    rendered_at = as_utc(row[4]) if row[4] is not None else None
    return StoredDocument(row[0], row[1] is not None, row[2], row[3], rendered_at)


def revisions_of(session: Session, review_id: int) -> Sequence[ReviewRevision]:
    return session.exec(
        select(ReviewRevision)
        .where(ReviewRevision.review_id == review_id)
        .order_by(col(ReviewRevision.version))
    ).all()


def add_revision(session: Session, revision: ReviewRevision) -> None:
    session.add(revision)


def _page_lock_id(url_key: str) -> int:
    return int.from_bytes(hashlib.sha256(url_key.encode()).digest()[:4], "big", signed=True)


def lock_page(session: Session, url_key: str) -> None:
    """Until the transaction ends, no other one writes the reviews of this page (PostgreSQL: a
    transaction advisory lock on the page; SQLite has one writer at a time already). Checks
    such as "no review of this claim at this page yet" then hold until the write commits."""
    lock_pages(session, [url_key])


def lock_pages(session: Session, url_keys: Iterable[str]) -> None:
    """`lock_page` for many pages in one statement (an import batch). The locks are taken in
    ascending order, so two transactions locking overlapping sets of pages cannot deadlock;
    `OFFSET 0` keeps the planner from taking them before the sort."""
    if session.get_bind().dialect.name != "postgresql":
        return
    ids = sorted({_page_lock_id(key) for key in url_keys})
    if len(ids) == 1:
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :page)"),
            {"space": PAGE_LOCKS, "page": ids[0]},
        )
    elif ids:
        session.execute(
            text(
                "SELECT pg_advisory_xact_lock(:space, page) FROM"
                " (SELECT page FROM unnest(CAST(:pages AS integer[])) AS page"
                " ORDER BY page OFFSET 0) AS ordered"
            ),
            {"space": PAGE_LOCKS, "pages": ids},
        )


def _lock_change_log(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})


def _change_fields(change_type: str, review: ChangedReview, at: datetime) -> dict[str, Any]:
    assert review.id is not None
    return {
        "type": change_type,
        "review_id": review.id,
        "publisher_id": review.publisher_id,
        "language": review.language,
        "verdict": review.verdict,
        "at": at,
    }


def append_change(session: Session, change_type: str, review: Review) -> Change:
    _lock_change_log(session)
    change = Change(**_change_fields(change_type, review, utcnow()))
    session.add(change)
    return change


def append_changes(session: Session, change_type: str, reviews: Sequence[ChangedReview]) -> None:
    """One entry per review, in the order given, in one executemany."""
    if not reviews:
        return
    _lock_change_log(session)
    at = utcnow()
    entries = [_change_fields(change_type, r, at) for r in reviews]
    insert_rows(session, Change, tuple(entries[0]), [tuple(e.values()) for e in entries])


# --- API keys -----------------------------------------------------------------------------------


def key_by_hash(session: Session, key_hash: str) -> ApiKey | None:
    return session.exec(select(ApiKey).where(ApiKey.key_hash == key_hash)).first()


def list_keys(session: Session) -> Sequence[ApiKey]:
    return session.exec(select(ApiKey).order_by(col(ApiKey.created_at).desc())).all()


def get_key(session: Session, key_id: str) -> ApiKey | None:
    return session.get(ApiKey, key_id)


# --- web app sessions ---------------------------------------------------------------------------


def add_web_session(session: Session, row: WebSession) -> None:
    session.add(row)
    session.flush()


def get_web_session(session: Session, session_id: str) -> WebSession | None:
    return session.get(WebSession, session_id)


def delete_web_session(session: Session, session_id: str) -> None:
    session.execute(sa_delete(WebSession).where(col(WebSession.id) == session_id))
    session.flush()


def delete_key_web_sessions(session: Session, key_id: str) -> None:
    session.execute(sa_delete(WebSession).where(col(WebSession.key_id) == key_id))
    session.flush()


def delete_expired_web_sessions(session: Session, now: datetime) -> None:
    """One statement: app instances pruning at once wait only for each other's row locks."""
    session.execute(sa_delete(WebSession).where(col(WebSession.expires_at) <= now))
    session.flush()


# --- change log and feeds -----------------------------------------------------------------------


def changes_after(session: Session, cursor: int, limit: int) -> Sequence[Change]:
    return session.exec(
        select(Change).where(col(Change.cursor) > cursor).order_by(col(Change.cursor)).limit(limit)
    ).all()


@dataclass(frozen=True)
class FeedRow:
    id: int
    url: str
    date_published: datetime | None
    updated_at: datetime
    deleted_at: datetime | None
    status: str
    jsonld: bytes | None


def feed_rows(
    session: Session,
    *,
    publisher_ids: Sequence[str] | None,
    language: str | None,
    since: datetime | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[FeedRow]:
    """Public reviews and the tombstones of once-public ones, most recently changed first."""
    was_public = select(Change.review_id).where(Change.review_id == Review.id).exists()
    query = sa_select(
        col(Review.id),
        col(Review.url),
        col(Review.date_published),
        col(Review.updated_at),
        col(Review.deleted_at),
        col(Review.status),
        col(Review.jsonld),
    ).where(((col(Review.status) == "published") & col(Review.deleted_at).is_(None)) | was_public)
    if publisher_ids is not None:
        query = query.where(col(Review.publisher_id).in_(publisher_ids))
    if language:
        query = query.where(
            (col(Review.language) == language) | col(Review.language).startswith(language + "-")
        )
    if since:
        query = query.where(col(Review.updated_at) >= since)
    if after:
        query = query.where(
            (col(Review.updated_at) < after[0])
            | ((col(Review.updated_at) == after[0]) & (col(Review.id) < after[1]))
        )
    query = query.order_by(col(Review.updated_at).desc(), col(Review.id).desc()).limit(limit)
    return [FeedRow(*row) for row in session.execute(query).all()]


def published_documents(session: Session, after_id: int, limit: int) -> Sequence[tuple[int, bytes]]:
    rows = session.exec(
        select(Review.id, Review.jsonld)
        .where(Review.status == "published")
        .where(col(Review.deleted_at).is_(None))
        .where(col(Review.id) > after_id)
        .order_by(col(Review.id))
        .limit(limit)
    ).all()
    return [(row[0], row[1]) for row in rows if row[0] is not None and row[1] is not None]


# --- URL lookup ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LookupRow:
    url_key: str
    review_id: int
    claim_id: int
    publisher_id: str
    url: str
    label: str
    verdict: str


_LOOKUP_COLUMNS = "r.id, r.claim_id, r.publisher_id, r.url, r.rating_label, r.verdict"
_PUBLISHED = "r.status = 'published' AND r.deleted_at IS NULL"


# One statement for any batch size: an expanding parameter, compiled once and cached (building
# a fresh text() with 200 named parameters per request cost more than SQLite's own work).
_LOOKUP = text(
    f"SELECT a.url_key, {_LOOKUP_COLUMNS} FROM appearance a "  # noqa: S608 - fixed fragments
    f"JOIN review r ON r.claim_id = a.claim_id WHERE a.url_key IN :keys AND {_PUBLISHED} "
    f"UNION ALL SELECT r.url_key, {_LOOKUP_COLUMNS} FROM review r "
    f"WHERE r.url_key IN :keys AND {_PUBLISHED}"
).bindparams(bindparam("keys", expanding=True))


def lookup_urls(session: Session, url_keys: Sequence[str]) -> list[LookupRow]:
    """Published reviews whose claim appeared at one of these addresses, or whose article is one
    of them: a single query for the whole batch, on the indexed url_key columns."""
    if not url_keys:
        return []
    rows = session.connection().execute(_LOOKUP, {"keys": list(url_keys)}).all()
    return [LookupRow(*row) for row in rows]


# Every address a lookup could match (a superset: drafts and deleted reviews too), and those of
# the reviews changed in a stretch of the change log, with their claims' appearances. Read by
# the poller in the background, whose statements say so (`POLL_MARK`).
POLL_MARK = "/* change-log poll */"
_ALL_URL_KEYS = text(
    f"{POLL_MARK} SELECT url_key FROM review"  # noqa: S608 - fixed fragments
    " UNION SELECT url_key FROM appearance WHERE url_key IS NOT NULL"
)
_CHANGED_URL_KEYS = text(
    f'{POLL_MARK} SELECT r.url_key FROM "change" c JOIN review r ON r.id = c.review_id'  # noqa: S608
    ' WHERE c."cursor" > :after AND c."cursor" <= :upto'
    ' UNION SELECT a.url_key FROM "change" c JOIN review r ON r.id = c.review_id'
    " JOIN appearance a ON a.claim_id = r.claim_id"
    ' WHERE c."cursor" > :after AND c."cursor" <= :upto AND a.url_key IS NOT NULL'
)
_LATEST_CURSOR = text(f'{POLL_MARK} SELECT max("cursor") FROM "change"')  # noqa: S608


def latest_cursor(connection: Connection) -> int | None:
    """The change log's newest cursor (None while it is empty)."""
    cursor: int | None = connection.execute(_LATEST_CURSOR).scalar()
    return cursor


def all_url_keys(connection: Connection) -> Iterator[str]:
    return iter(connection.execute(_ALL_URL_KEYS).scalars())


def url_keys_changed(connection: Connection, after: int, upto: int) -> list[str]:
    return list(connection.execute(_CHANGED_URL_KEYS, {"after": after, "upto": upto}).scalars())


# --- claims read as plain rows, no ORM objects (search pages, a batch import's renders) -------

_claim_table: Table = Claim.__table__  # type: ignore[attr-defined]
_appearance_table: Table = Appearance.__table__  # type: ignore[attr-defined]
_review_table: Table = Review.__table__  # type: ignore[attr-defined]

_CLAIM_ROWS = sa_select(_claim_table).where(_claim_table.c.id.in_(bindparam("ids", expanding=True)))
_APPEARANCE_ROWS = (
    sa_select(_appearance_table)
    .where(_appearance_table.c.claim_id.in_(bindparam("ids", expanding=True)))
    .order_by(_appearance_table.c.claim_id, _appearance_table.c.position)
)
_PUBLISHED_REVIEW_ROWS = (
    sa_select(*(c for c in _review_table.c if c.name != "jsonld"))
    .where(_review_table.c.claim_id.in_(bindparam("ids", expanding=True)))
    .where(_review_table.c.status == "published")
    .where(_review_table.c.deleted_at.is_(None))
    .order_by(_review_table.c.date_published.desc(), _review_table.c.id)
)


def claim_ids_seen_at(
    session: Session,
    url_key: str,
    review_language: str | None,
    before_id: int | None,
    limit: int,
    offset: int,
) -> list[int]:
    """Live claims that appeared at this normalised address and have a published review (in
    `review_language`, a primary subtag, when given), newest claim first, below `before_id`:
    an image search. Reads the indexed appearance.url_key."""
    appearance, claim, review = _appearance_table, _claim_table, _review_table
    reviewed = exists().where(
        review.c.claim_id == appearance.c.claim_id,
        review.c.status == "published",
        review.c.deleted_at.is_(None),
    )
    if review_language:
        reviewed = reviewed.where(
            or_(
                review.c.language == review_language, review.c.language.like(review_language + "-%")
            )
        )
    query = (
        sa_select(appearance.c.claim_id)
        .distinct()
        .join(claim, claim.c.id == appearance.c.claim_id)
        .where(appearance.c.url_key == url_key, claim.c.deleted_at.is_(None), reviewed)
    )
    if before_id is not None:
        query = query.where(appearance.c.claim_id < before_id)
    query = query.order_by(appearance.c.claim_id.desc()).limit(limit).offset(offset)
    return [row[0] for row in session.connection().execute(query)]


def claim_rows(session: Session, ids: Sequence[int]) -> Sequence[Row[Any]]:
    return session.connection().execute(_CLAIM_ROWS, {"ids": list(ids)}).all()


def appearance_rows(session: Session, ids: Sequence[int]) -> Sequence[Row[Any]]:
    return session.connection().execute(_APPEARANCE_ROWS, {"ids": list(ids)}).all()


def published_review_rows(session: Session, ids: Sequence[int]) -> Sequence[Row[Any]]:
    """The published, live reviews of these claims, newest first, without their JSON-LD."""
    return session.connection().execute(_PUBLISHED_REVIEW_ROWS, {"ids": list(ids)}).all()


# --- the newsroom's list of its reviews ---------------------------------------------------------


def newsroom_reviews(
    session: Session,
    publisher_id: str | None,
    *,
    words: str | None,
    status: str | None,
    offset: int,
    limit: int,
) -> Sequence[tuple[Review, Claim]]:
    """One publisher's live reviews (every publisher's when None) with their claims, newest
    change first. `words` narrows to a headline or claim holding them (case-insensitive): a
    newsroom's own list, drafts included, which the public search index does not hold."""
    query = (
        select(Review, Claim)
        .join(Claim, col(Claim.id) == col(Review.claim_id))
        .where(col(Review.deleted_at).is_(None))
    )
    if publisher_id is not None:
        query = query.where(col(Review.publisher_id) == publisher_id)
    if status is not None:
        query = query.where(col(Review.status) == status)
    if words:
        for word in words.lower().split()[:10]:
            query = query.where(
                func.lower(col(Claim.text)).contains(word, autoescape=True)
                | func.lower(func.coalesce(col(Review.headline), "")).contains(
                    word, autoescape=True
                )
            )
    query = query.order_by(col(Review.updated_at).desc(), col(Review.id).desc())
    return [(review, claim) for review, claim in session.exec(query.offset(offset).limit(limit))]
