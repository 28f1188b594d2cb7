"""`GET /metrics` (Prometheus text format) and the middleware that counts every request."""

import os
import re
import time

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics
from app.storage.database import Database

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    summary="Prometheus metrics (text format)",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
async def metrics_text(request: Request) -> Response:
    db: Database = request.app.state.db
    metrics.POOL_IN_USE.set(db.connections_in_use())
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, media_type=CONTENT_TYPE_LATEST)


Template = tuple[re.Pattern[str], str]


def route_template(scope: Scope, templates: list[Template]) -> str:
    """The matched route's path template ("/v1/reviews/{review_id}"): ids never become labels.
    Answers given before routing (a 429, a 503, a cached answer) are matched here."""
    route = scope.get("route")
    if route is not None:
        path: str = route.path
        return path
    for pattern, template in templates:
        if pattern.match(scope["path"]):
            return template
    return "unmatched"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, templates: list[Template]) -> None:
        self.app = app
        self.templates = templates  # (path regex, template) of every route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            route, method = route_template(scope, self.templates), scope["method"]
            metrics.REQUESTS.labels(route, method, str(status)).inc()
            metrics.LATENCY.labels(route, method).observe(time.perf_counter() - started)
