"""Many rows handed straight to the DBAPI driver, without SQLAlchemy's per-row handling."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection


def insert_many(
    connection: Connection,
    head: str,
    rows: Sequence[tuple[Any, ...]],
    types: tuple[str, ...],
    tail: str = "",
) -> None:
    """`head` (an INSERT with its columns) for many rows at once, straight to the driver:
    SQLite's executemany loops in C; on PostgreSQL, where the driver would send row after
    row, one statement unnests a column array of each of `types`."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        arrays = ", ".join(f"%s::{name}[]" for name in types)
        columns = tuple(list(column) for column in zip(*rows, strict=True))
        connection.exec_driver_sql(f"{head} SELECT * FROM unnest({arrays}){tail}", columns)
    else:
        marks = ", ".join("?" * len(types))
        connection.exec_driver_sql(f"{head} VALUES ({marks}){tail}", list(rows))
