"""The baseline: a FastAPI app whose one route returns fixed bytes, no database, no middleware.

Run by bench.claimreview_read under the same uvicorn flags as the service. The body is one
of the documents the service stores (read from the file named by BENCH_FIXED_BODY_FILE), so
both targets send a response of about the same size.
"""

import os
from pathlib import Path

from fastapi import FastAPI, Response

_BODY_FILE = os.environ.get("BENCH_FIXED_BODY_FILE")
FIXED_BYTES = Path(_BODY_FILE).read_bytes() if _BODY_FILE else b'{"@type":"ClaimReview"}'
FIXED_PATH = "/fixed"

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get(FIXED_PATH)
async def fixed() -> Response:
    return Response(content=FIXED_BYTES, media_type="application/ld+json")
