from typing import Any, Literal

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

import app.storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.storage.types import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


# Engine-specific parts, created by hand-written migration steps: SQLite's FTS5 table (and the
# shadow tables FTS5 makes for it), PostgreSQL's tsvector column and its GIN index, and the
# covering and partial indexes of the ranking query.
_HAND_WRITTEN = (
    "search_fts",
    "tsv",
    "ix_search_doc_tsv",
    "ix_search_posting_term_covering",
    "ix_search_doc_rank",
    "ix_review_published_claim",
)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (name is not None and name.startswith(_HAND_WRITTEN))


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
