"""The reference apps the service is measured against, served like it (uvicorn, one worker).

* `bare`: GET /fixed returns fixed bytes (BENCH_BODY_FILE, one of the service's documents) with
  no database and no middleware: what FastAPI itself costs on this machine.
* `floor`: GET /floor/{id} runs one primary-key query through psycopg's async pool
  (BENCH_FLOOR_DSN) and returns the stored bytes: what FastAPI plus PostgreSQL cost.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response

_BODY_FILE = os.environ.get("BENCH_BODY_FILE")
BODY = Path(_BODY_FILE).read_bytes() if _BODY_FILE else b'{"@type":"ClaimReview"}'
JSON_LD = "application/ld+json"


def _app(**kwargs: object) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, **kwargs)  # type: ignore[arg-type]

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


bare = _app()


@bare.get("/fixed")
async def fixed() -> Response:
    return Response(content=BODY, media_type=JSON_LD)


@asynccontextmanager
async def _pool(app: FastAPI) -> AsyncIterator[None]:
    from psycopg_pool import AsyncConnectionPool

    async with AsyncConnectionPool(
        os.environ["BENCH_FLOOR_DSN"], min_size=4, max_size=10, open=False
    ) as pool:
        app.state.pool = pool
        yield


floor = _app(lifespan=_pool)


@floor.get("/floor/{review_id}")
async def by_id(review_id: int, request: Request) -> Response:
    async with request.app.state.pool.connection() as conn:
        cursor = await conn.execute("SELECT jsonld FROM review WHERE id = %s", (review_id,))
        row = await cursor.fetchone()
    if row is None or row[0] is None:
        return Response(status_code=404)
    return Response(content=bytes(row[0]), media_type=JSON_LD)
