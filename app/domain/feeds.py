"""Distribution: the change log, the schema.org DataFeed and the NDJSON export."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import orjson
from sqlmodel import Session

from app.domain.page_tokens import PageTokens, fingerprint
from app.domain.render import iso
from app.domain.schemas import ChangeList, ChangePublic, ChangeType
from app.domain.search import matching_publishers
from app.errors import BadRequest
from app.rules.fields import MAX_ID
from app.storage import repositories as repo


def _cursor(value: str | None) -> int:
    if value is None or value == "":
        return 0
    # Cursors are ids of the change table (a 32-bit integer on PostgreSQL): a larger number
    # is no cursor of ours, and the database would refuse to compare with it.
    if not (value.isascii() and value.isdigit()) or len(value) > 18 or int(value) > MAX_ID:
        raise BadRequest(
            "after must be a cursor this service returned.",
            errors=[{"field": "after", "message": "not a cursor"}],
        )
    return int(value)


def changes(session: Session, after: str | None, limit: int) -> ChangeList:
    start = _cursor(after)
    rows = repo.changes_after(session, start, limit)
    return ChangeList(
        changes=[
            ChangePublic(
                cursor=str(c.cursor), type=ChangeType(c.type), review_id=c.review_id, at=c.at
            )
            for c in rows
        ],
        next_cursor=str(rows[-1].cursor) if rows else str(start),
    )


def _item(row: repo.FeedRow) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": "DataFeedItem", "url": row.url}
    if row.date_published:
        item["dateCreated"] = iso(row.date_published)
    item["dateModified"] = iso(row.updated_at)
    if row.deleted_at is not None or row.status != "published" or row.jsonld is None:
        item["dateDeleted"] = iso(row.deleted_at or row.updated_at)
    else:
        item["item"] = orjson.Fragment(row.jsonld)
    return item


def feed_page(
    session: Session,
    tokens: PageTokens,
    *,
    publisher: str | None,
    language: str | None,
    since: datetime | None,
    page_size: int,
    page_token: str | None,
) -> tuple[bytes, str | None]:
    """The DataFeed body (pre-rendered ClaimReviews spliced in as bytes) and the next token."""
    bound_to = fingerprint("feed", publisher, language, since.isoformat() if since else None)
    after = None
    if page_token:
        state = tokens.decode_bound(page_token, bound_to)
        after = (datetime.fromisoformat(state["a"][0]), int(state["a"][1]))
    rows = repo.feed_rows(
        session,
        publisher_ids=matching_publishers(session, publisher) if publisher else None,
        language=language,
        since=since,
        after=after,
        limit=page_size + 1,
    )
    more, rows = len(rows) > page_size, rows[:page_size]
    body = orjson.dumps(
        {
            "@context": "https://schema.org",
            "@type": "DataFeed",
            "dataFeedElement": [_item(row) for row in rows],
        }
    )
    next_token = None
    if more:
        last = rows[-1]
        next_token = tokens.encode({"f": bound_to, "a": [last.updated_at.isoformat(), last.id]})
    return body, next_token


def export_lines(
    sessions: Callable[[], AbstractContextManager[Session]], batch: int = 1000
) -> Iterator[bytes]:
    """Every published ClaimReview, one JSON-LD document per line, read in keyset batches so
    that memory stays flat whatever the size. A session per batch (`sessions()`), so a slow
    reader of the stream never holds a database connection between batches."""
    after = 0
    while True:
        with sessions() as session:
            rows = repo.published_documents(session, after, batch)
        if not rows:
            return
        yield b"".join(document + b"\n" for _, document in rows)
        after = rows[-1][0]
