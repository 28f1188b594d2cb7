"""Operations: liveness, readiness."""

import asyncio

from fastapi import APIRouter, Request
from sqlalchemy import text

from app.api.admission import RETRY_AFTER_SECONDS
from app.api.problems import problems
from app.errors import AppError
from app.storage.database import Database
from app.storage.migrate import current_revision

router = APIRouter(tags=["operations"])

# Readiness answers within this, whatever the database does (a load balancer's probe waits 5 s).
READY_WITHIN_SECONDS = 4.0


class Unavailable(AppError):
    status, code, title = 503, "unavailable", "Service unavailable"


@router.get("/healthz", summary="The process is up (answers at once, whatever the load)")
async def healthz() -> dict[str, str]:
    # async and free of dependencies: it never waits for the thread pool or the database.
    return {"status": "ok"}


def _revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        return current_revision(connection)


@router.get(
    "/readyz",
    summary="The database answers and is migrated to the code's revision",
    responses={503: {**problems(422)[422], "description": "The database is not ready"}},
)
async def readyz(request: Request) -> dict[str, str]:
    db: Database = request.app.state.db
    head: str | None = request.app.state.migration_head
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    try:
        async with asyncio.timeout(READY_WITHIN_SECONDS):
            revision = await asyncio.to_thread(_revision, db)
    except TimeoutError as exc:
        raise Unavailable(
            f"The database did not answer within {READY_WITHIN_SECONDS:g} s.", headers=retry
        ) from exc
    except Exception as exc:  # any driver error means "not ready"
        raise Unavailable(
            f"The database does not answer: {type(exc).__name__}", headers=retry
        ) from exc
    if revision != head:
        raise Unavailable(
            f"The database is at revision {revision or 'none'}, the code needs {head}: "
            "run `claimreview migrate`.",
            headers=retry,
        )
    return {"status": "ok", "database": db.engine.dialect.name, "revision": revision or ""}
