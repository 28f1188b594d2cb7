"""The application factory: database lifespan, problem+json errors, middleware, routers."""

import logging
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from app.api import (
    claims,
    embeds,
    feeds,
    health,
    hygiene,
    ingest,
    integrity,
    keys,
    lookup,
    problems,
    publishers,
    reviews,
    search,
    webhooks,
)
from app.api.middleware import BodyLimitMiddleware, ClaimReviewFastPath
from app.claimreview.jsonld import ClaimReview
from app.config import Settings, get_settings
from app.domain.page_tokens import PageTokens
from app.errors import AppError, problem
from app.storage.database import make_database

log = logging.getLogger("claimreview")
PROBLEM_JSON = "application/problem+json"

DESCRIPTION = """\
Fact-checkers' claims and verdicts, stored, searched and served as schema.org ClaimReview.

Three dialects: native snake_case JSON under `/v1`, schema.org JSON-LD (`.../claimreview`),
and Google Fact Check Tools compatible JSON under `/v1alpha1`. Reads are public; writes need
`Authorization: Bearer <api key>`. Errors are RFC 9457 problem details.
"""


def _problem_response(status: int, code: str, title: str, detail: str, **extra: Any) -> Response:
    headers = extra.pop("headers", None)
    body = orjson.dumps(problem(status, code, title, detail, **extra))
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


_NAMED = re.compile(r"^([a-z_][a-z0-9_.]*): (.+)$", re.DOTALL)


def _field_error(error: Any) -> dict[str, str]:
    path = _field_path(tuple(error["loc"]))
    message = str(error["msg"]).removeprefix("Value error, ")
    named = _NAMED.match(message)
    if named and error.get("type") == "value_error":
        inner, message = named.groups()
        path = inner if path == "body" else f"{path}.{inner}"
    return {"field": path, "message": message}


async def _app_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return _problem_response(
        exc.status, exc.code, exc.title, exc.detail, errors=exc.errors, headers=exc.headers
    )


async def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        ctx = errors[0].get("ctx") or {}
        return _problem_response(
            400,
            "malformed-json",
            "Malformed JSON",
            f"The request body is not valid JSON: {ctx.get('error', 'syntax error')}.",
        )
    fields = [_field_error(e) for e in errors]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    return _problem_response(422, "validation-error", "Invalid request", summary, errors=fields)


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 413: "Request body too large"}
    detail = str(exc.detail)
    if exc.status_code == 400 and "parsing the body" in detail:
        detail = "The request body could not be read as JSON in UTF-8."
    return _problem_response(
        exc.status_code,
        "http-" + str(exc.status_code),
        titles.get(exc.status_code, "Bad request" if exc.status_code < 500 else "Error"),
        detail,
        headers=getattr(exc, "headers", None),
    )


async def _unexpected(_: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return _problem_response(500, "internal", "Internal error", "Something went wrong on our side.")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = make_database(settings.database_url, settings.database_pool_size)
        try:
            yield
        finally:
            app.state.db.dispose()

    app = FastAPI(
        title="claimreview-api",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.page_tokens = PageTokens(
        settings.token_secret.encode() if settings.token_secret else secrets.token_bytes(32)
    )
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    # Innermost: CORS still wraps the fast path's answers.
    app.add_middleware(ClaimReviewFastPath, state=app.state, cache_max_age=settings.cache_max_age)
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes,
        limits={"/v1/import": settings.max_import_bytes},
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match"],
        expose_headers=["ETag", "Link", "Location", "Last-Modified"],
        max_age=86400,
    )
    integrity.install(app)  # a unique key taken by a concurrent write: 409
    hygiene.install(app)  # outermost: header limits, NUL in the URL, bare OPTIONS
    routers = (
        lookup,  # first: the most frequent request (browser extensions), matched soonest
        publishers,
        claims,
        reviews,
        keys,
        search,
        ingest,
        feeds,
        embeds,
        webhooks,
        health,
    )
    for module in routers:
        app.include_router(module.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            defs = ClaimReview.model_json_schema(
                by_alias=True, mode="serialization", ref_template="#/components/schemas/{model}"
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(defs.pop("$defs", {}))
            components["ClaimReview"] = defs
            app.openapi_schema = problems.document_everywhere(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


app = create_app()
