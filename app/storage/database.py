"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine


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

    def connections_in_use(self) -> int:
        engines = {id(e): e for e in (self.engine, self.write_engine)}.values()
        return sum(getattr(e.pool, "checkedout", lambda: 0)() for e in engines)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


def _sqlite_engine(url: str, begin: str, timeout: float) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": timeout},
        pool_size=8,
        max_overflow=8,
        pool_timeout=timeout,
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
        cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # SQLAlchemy fires "begin" in AUTOCOMMIT too: a BEGIN there would hold one snapshot
        # over every later statement (the change-log poller counts on each seeing the newest).
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql(begin)

    return engine


def _postgres_connect_args(timeout: float | None, options: Any = None) -> dict[str, Any]:
    """Time-outs on every connection, so that an unreachable server, dropped packets or a
    saturated server end in an error (answered 503) instead of a request that hangs: connect
    time-out, TCP keepalives and a TCP user time-out for a peer that stopped answering, and a
    statement time-out on the server."""
    if timeout is None:
        return {}
    millis = int(timeout * 1000)
    own = [options] if isinstance(options, str) else list(options or [])
    return {
        "connect_timeout": max(1, int(timeout)),
        "keepalives": 1,
        "keepalives_idle": max(1, int(timeout)),
        "keepalives_interval": 1,
        "keepalives_count": 3,
        "tcp_user_timeout": millis,
        # Added to the URL's own `options` (a search_path, say), which this would replace.
        "options": " ".join([*own, f"-c statement_timeout={millis}"]),
    }


def make_database(url: str, pool_size: int = 10, timeout: float | None = None) -> Database:
    """`timeout` bounds connecting, waiting for the pool and each statement (the service sets
    it; command-line tools that run long statements, such as a reindex, leave it unset)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        busy = timeout if timeout is not None else 30.0
        return Database(
            _sqlite_engine(url, "BEGIN", busy),
            _sqlite_engine(url, "BEGIN IMMEDIATE", busy),
        )
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=timeout if timeout is not None else 30.0,
        # No pre-ping (a round trip per checkout): a connection found dead fails its request
        # with a 503 and SQLAlchemy then replaces the whole pool.
        connect_args=_postgres_connect_args(timeout, parsed.query.get("options")),
        hide_parameters=True,  # errors and logs never carry the values written (issue 9)
    )
    return Database(engine, engine)
