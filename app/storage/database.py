"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from app.storage.repositories import DOCUMENT_SQL_QMARK, StoredDocument, document_from_row


class SqliteReaders:
    """One autocommit sqlite3 connection per thread for the hottest read (a review's JSON-LD).

    A single SELECT needs no BEGIN/ROLLBACK, no pool checkout and no SQLAlchemy statement
    machinery: about 11 us per lookup instead of 190-240 us through `engine.connect()`.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[sqlite3.Connection] = []

    def document(self, review_id: int) -> StoredDocument | None:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA busy_timeout=30000")
            self._local.connection = connection
            with self._lock:
                self._open.append(connection)
        return document_from_row(connection.execute(DOCUMENT_SQL_QMARK, (review_id,)).fetchone())

    def close(self) -> None:
        with self._lock:
            for connection in self._open:
                connection.close()
            self._open.clear()
        self._local = threading.local()


@dataclass(frozen=True)
class Database:
    """A read engine and a write engine.

    On SQLite a write transaction must take the write lock when it begins (BEGIN IMMEDIATE):
    a deferred one that reads first and writes later can fail at once with "database is locked"
    when another writer got in between. Reads stay deferred so they never wait for writers.
    On PostgreSQL both are the same engine.
    """

    engine: Engine
    write_engine: Engine
    # Set for a SQLite file (not in-memory): the JSON-LD fast path reads through it.
    readers: SqliteReaders | None = field(default=None, compare=False, repr=False)
    committed: list[Callable[[], None]] = field(default_factory=list, compare=False, repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """The one place a write transaction ends: committed when the block completes, rolled
        back when it raises. Use cases only flush. After a commit the `committed` callbacks run
        (the read cache forgets what it served), so this instance never serves its own write
        late."""
        session = Session(self.write_engine, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        for callback in self.committed:
            callback()

    def dispose(self) -> None:
        if self.readers is not None:
            self.readers.close()
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


def _sqlite_engine(url: str, begin: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=8,
        max_overflow=8,
        hide_parameters=True,  # errors and logs never carry the values written (issue 9)
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's "begin" event below instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def make_database(url: str, pool_size: int = 10) -> Database:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        in_memory = path in ("", ":memory:") or parsed.query.get("mode") == "memory"
        return Database(
            _sqlite_engine(url, "BEGIN"),
            _sqlite_engine(url, "BEGIN IMMEDIATE"),
            None if in_memory or parsed.query else SqliteReaders(path),
        )
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,  # errors and logs never carry the values written (issue 9)
    )
    return Database(engine, engine)
