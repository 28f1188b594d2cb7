"""The application factory: database lifespan, problem+json errors, middleware, routers."""

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException

from app import metrics
from app.api import (
    claims,
    docs,
    embeds,
    feeds,
    google,
    google_pages,
    health,
    hygiene,
    ingest,
    integrity,
    keys,
    lookup,
    matching,
    problems,
    publishers,
    reviews,
    search,
    webhooks,
)
from app.api import metrics as metrics_routes
from app.api.admission import RETRY_AFTER_SECONDS, Admission, AdmissionMiddleware
from app.api.known_addresses import KnownAddresses
from app.api.metrics import MetricsMiddleware
from app.api.middleware import BodyLimitMiddleware, MethodOverrideMiddleware
from app.api.mirror import Mirror
from app.api.ratelimit import (
    RateLimiter,
    RateLimitMiddleware,
    counter_storage,
    parse_limit,
    trusted_networks,
)
from app.api.read_cache import ReadCache, ReadCacheMiddleware, poll
from app.api.search_mirror import SearchMirror
from app.claimreview.jsonld import ClaimReview
from app.config import Settings, get_settings
from app.domain.page_tokens import PageTokens
from app.errors import AppError, error_response, is_google, validator_error
from app.search.embeddings import load_embedder
from app.storage.database import Database, make_database
from app.storage.migrate import head_revision
from app.web import routes as web
from app.web.security import PageHeadersMiddleware

log = logging.getLogger("claimreview")

DESCRIPTION = """\
Fact-checkers' claims and verdicts, stored, searched and served as schema.org ClaimReview.

Three dialects: native snake_case JSON under `/v1`, schema.org JSON-LD (`.../claimreview`),
and Google Fact Check Tools compatible JSON under `/v1alpha1`. Reads are public; writes need
`Authorization: Bearer <api key>`. Errors are RFC 9457 problem details, except under
`/v1alpha1`, where they are Google's `{"error": {"code", "message", "status"}}`.
"""


def _problem_response(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Problem details, or Google's error shape under /v1alpha1 (`app.errors.error_response`)."""
    path = request.scope["path"]
    sent, body, media_type = error_response(path, status, code, title, detail, errors)
    if headers and "WWW-Authenticate" in headers and is_google(path):
        # Google's own challenge form: its clients (httplib2) cannot parse a bare scheme.
        headers = {**headers, "WWW-Authenticate": 'Bearer realm="claimreview-api"'}
    return Response(body, status_code=sent, media_type=media_type, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    # Only the first element says where the field was: a parameter may be named `query`.
    if loc and loc[0] in ("body", "query", "path", "header"):
        loc = loc[1:]
    return ".".join(str(p) for p in loc) or "body"


def _field_error(error: Any) -> dict[str, str]:
    path = _field_path(tuple(error["loc"]))
    inner, message = validator_error(error)
    if inner is not None:
        path = inner if path == "body" else f"{path}.{inner}"
    return {"field": path, "message": message}


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return _problem_response(
        request, exc.status, exc.code, exc.title, exc.detail, errors=exc.errors, headers=exc.headers
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        ctx = errors[0].get("ctx") or {}
        return _problem_response(
            request,
            400,
            "malformed-json",
            "Malformed JSON",
            f"The request body is not valid JSON: {ctx.get('error', 'syntax error')}.",
        )
    fields = [_field_error(e) for e in errors]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    return _problem_response(
        request, 422, "validation-error", "Invalid request", summary, errors=fields
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 413: "Request body too large"}
    detail = str(exc.detail)
    if exc.status_code == 400 and "parsing the body" in detail:
        detail = "The request body could not be read as JSON in UTF-8."
    return _problem_response(
        request,
        exc.status_code,
        "http-" + str(exc.status_code),
        titles.get(exc.status_code, "Bad request" if exc.status_code < 500 else "Error"),
        detail,
        headers=getattr(exc, "headers", None),
    )


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    """The database is unreachable, dropped the connection, timed out or is saturated: a 503
    the client may retry, never a 500. SQLAlchemy replaces a pool whose connections died, so
    the service recovers by itself when the database is back."""
    log.warning("database unavailable: %s", type(exc).__name__)
    metrics.UNAVAILABLE.labels("database").inc()
    return _problem_response(
        request,
        503,
        "unavailable",
        "Service unavailable",
        "The database is not answering; try again in a moment.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


# Errors of the connection or the server's capacity, not of the request: DBAPIError's other
# kinds (integrity, data) stay what they are.
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def _watch(db: Database, mirrors: Sequence[Mirror]) -> int | None:
    """One poll of the change log, for the read cache and what is kept in memory with it."""
    latest = None
    # Each statement in a transaction of its own: a poll holds no lock between its reads (it
    # reads a table at a time, a load of the search index several), so it can never be part
    # of a lock cycle with a writer. What commits between two reads has a cursor past the one
    # read first, and the next poll reads it again.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for mirror in mirrors:
            latest = mirror.catch_up(connection)
    return latest


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return _problem_response(
        request, 500, "internal", "Internal error", "Something went wrong on our side."
    )


ROUTERS = (
    lookup,  # first: the most frequent request (browser extensions), matched soonest
    publishers,
    claims,
    reviews,
    keys,
    search,
    google,
    google_pages,
    matching,
    ingest,
    feeds,
    embeds,
    webhooks,
    health,
    metrics_routes,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    read_cache = ReadCache(settings.read_cache_entries)
    # Sparing the database like the read cache, and off with it (the uncached path).
    known_addresses = KnownAddresses(read_cache.enabled)
    search_mirror = SearchMirror(
        read_cache.enabled, settings.search_memory_claims, on_rebuild=read_cache.forget
    )
    admission = Admission(
        settings.max_concurrency, settings.max_queue, settings.queue_timeout_seconds
    )

    rate_limiter = RateLimiter(
        parse_limit(settings.rate_limit_anonymous),
        parse_limit(settings.rate_limit_key),
        counter_storage(settings.redis_url),
        trusted_networks(settings.forwarded_allow_ips),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = make_database(
            settings.database_url,
            settings.database_pool_size,
            timeout=settings.database_timeout_seconds,
        )
        app.state.db = db
        # Every admitted request finds a thread for each of its hops (handler, validation,
        # session close): the pool of threads is kept well above what admission lets run.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, 2 * settings.max_concurrency + 8)
        poller = None
        if read_cache.enabled:
            db.committed.append(read_cache.forget)
            mirrors = (known_addresses, search_mirror)
            db.committed.extend(m.committed for m in mirrors)
            poller = asyncio.create_task(poll(read_cache, lambda: _watch(db, mirrors)))
        try:
            yield
        finally:
            if poller is not None:
                poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller
            await rate_limiter.close()
            db.dispose()

    app = FastAPI(
        title="claimreview-api",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # app.api.docs serves both pages from the service's own copies
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.read_cache = read_cache
    app.state.known_addresses = known_addresses
    app.state.search_mirror = search_mirror
    app.state.admission = admission
    app.state.migration_head = head_revision()
    # Loaded once, here: a configured model that cannot be opened stops the start-up.
    app.state.embed = load_embedder(settings.embedding_model) if settings.embedding_model else None
    secret = settings.token_secret.encode() if settings.token_secret else secrets.token_bytes(32)
    app.state.page_tokens = PageTokens(secret)
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
    # Innermost first: admission bounds what reaches the database; the read cache answers
    # before admission, so a cached answer never queues; CORS wraps everything.
    app.add_middleware(
        AdmissionMiddleware,
        admission=admission,
        exempt=problems.ALWAYS_ANSWERED.__contains__,
        deadline=settings.request_timeout_seconds,
        no_deadline=frozenset({"/v1/import", "/app/import"}).__contains__,
    )
    app.add_middleware(ReadCacheMiddleware, cache=read_cache)
    app.add_middleware(lookup.UncheckedAddressMiddleware, known=known_addresses)
    app.add_middleware(
        search.RankedInMemoryMiddleware, mirror=search_mirror, tokens=app.state.page_tokens
    )
    app.add_middleware(
        RateLimitMiddleware,
        limiter=rate_limiter,
        exempt=problems.ALWAYS_ANSWERED.__contains__,
    )
    # Inside the body limit, outside everything that reads the method (rate limit, cache).
    app.add_middleware(MethodOverrideMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes,
        limits={"/v1/import": settings.max_import_bytes, "/app/import": settings.max_import_bytes},
    )
    app.add_middleware(
        MetricsMiddleware,
        templates=[
            (route.path_regex, route.path)
            for module in (*ROUTERS, web)
            for route in module.router.routes
            if isinstance(route, APIRoute)
        ],
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match"],
        expose_headers=[
            "ETag",
            "Link",
            "Location",
            "Last-Modified",
            "Retry-After",
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
        ],
        max_age=86400,
    )
    app.add_middleware(PageHeadersMiddleware)  # the web app's CSP, no-store
    integrity.install(app)  # a unique key taken by a concurrent write: 409
    hygiene.install(app)  # outermost: header limits, NUL in the URL, bare OPTIONS
    for module in ROUTERS:
        app.include_router(module.router)
    web.install(app, secret)  # the newsroom web app at /app/, left out of the OpenAPI
    docs.install(app)

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
