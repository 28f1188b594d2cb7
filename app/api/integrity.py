"""A unique key taken by a concurrent write becomes a 409, in one place for every route.

Use cases check for duplicates first (and answer 409 with the field named), but two requests can
both pass that check before either commits: on PostgreSQL the second insert then fails with a
unique violation at flush or at commit, on SQLite the second writer waits for the lock and sees
the row. The database's answer is the truth; this handler turns it into the same 409 problem the
check gives, keyed on the constraint, and logs no SQL parameters.
"""

import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError

from app.errors import error_response

log = logging.getLogger("claimreview")

# (table, column) as SQLite names them; constraint names as PostgreSQL names them.
_FIELDS: dict[str, tuple[str, str]] = {
    "review.url_key": ("url", "a review of this claim already has this URL"),
    "uq_review_page_claim": ("url", "a review of this claim already has this URL"),
    "publisher.id": ("id", "a publisher already has this id"),
    "publisher_pkey": ("id", "a publisher already has this id"),
    "publisher_site.host": ("sites", "a site already belongs to a publisher"),
    "publisher_site_pkey": ("sites", "a site already belongs to a publisher"),
}
_UNIQUE_VIOLATION = "23505"


def _constraint(orig: Any) -> tuple[bool, str]:
    """Whether the database refused a duplicate key, and which key (as _FIELDS names it)."""
    if isinstance(orig, sqlite3.IntegrityError):
        message = str(orig)
        unique = message.startswith(("UNIQUE constraint failed", "PRIMARY KEY must be unique"))
        return unique, message.rpartition(": ")[2].split(",")[0].strip()
    diag = getattr(orig, "diag", None)
    unique = getattr(orig, "sqlstate", None) == _UNIQUE_VIOLATION
    return unique, (getattr(diag, "constraint_name", None) or "")


async def _integrity_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IntegrityError)
    unique, constraint = _constraint(exc.orig)
    field, message = _FIELDS.get(constraint, ("body", "conflicts with a concurrent change"))
    if not unique:
        # A row this write refers to went away meanwhile (a foreign key): also a conflict.
        field, message = "body", "refers to something changed or removed meanwhile"
    log.info("write refused by the database: %s (%s)", type(exc.orig).__name__, constraint)
    status, body, media_type = error_response(
        request.scope["path"],
        409,
        "conflict",
        "Conflict",
        f"{field}: {message}; it was written by a concurrent request.",
        errors=[{"field": field, "message": message}],
    )
    return Response(body, status_code=status, media_type=media_type)


def install(app: FastAPI) -> None:
    app.add_exception_handler(IntegrityError, _integrity_error)
