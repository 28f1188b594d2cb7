"""HTTP hygiene: what a request may be before any route sees it.

Two layers, because some limits can only be kept while a request is still being read:

* `GuardedHttpToolsProtocol`, the uvicorn protocol `claimreview serve` runs (or
  `uvicorn --http app.api.hygiene:GuardedHttpToolsProtocol`): the head of a request (request
  line and headers) must arrive within `HEAD_TIMEOUT` seconds and stay under `MAX_HEAD_BYTES`,
  else 408 or 431 and the connection closes; a body that stalls for `BODY_IDLE_TIMEOUT` seconds
  closes the connection. So a few slow or bloated connections pin neither memory nor a worker.
* `HygieneMiddleware`, under any server: 431 beyond `MAX_HEADERS` headers or `MAX_HEAD_BYTES`
  of them, 400 for a NUL (`%00`) in the path or query, and a bare `OPTIONS` (not a CORS
  preflight) answered 204 with `Allow` listing the methods of that path.
"""

import asyncio
import re
from typing import Any

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.errors import error_response, problem

MAX_HEAD_BYTES = 64 * 1024  # request line and headers; browsers send 1-8 KiB, cookies included
MAX_HEADERS = 100
HEAD_TIMEOUT = 10.0  # seconds from a request's first byte (or the connection) to its last header
BODY_IDLE_TIMEOUT = 30.0  # seconds a request body may go without a byte

_STATUS_LINES = {
    400: b"HTTP/1.1 400 Bad Request\r\n",
    408: b"HTTP/1.1 408 Request Timeout\r\n",
    431: b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
}
_TITLES = {
    400: "Bad request",
    404: "Not found",
    408: "Request timeout",
    431: "Request header fields too large",
}


def _problem_bytes(status: int, code: str, detail: str) -> bytes:
    return orjson.dumps(problem(status, code, _TITLES[status], detail))


def _head_too_large() -> str:
    return f"The request's headers exceed {MAX_HEAD_BYTES} bytes or {MAX_HEADERS} fields."


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit on each request's head,
    and an idle limit on its body. (httptools itself buffers headers without limit.)"""

    head_timeout = HEAD_TIMEOUT
    body_idle_timeout = BODY_IDLE_TIMEOUT
    _timer: asyncio.TimerHandle | None = None
    _in_head = True
    _head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_head()

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        if len(self.headers) > MAX_HEADERS:
            self._refuse(431, "headers-too-large", _head_too_large())

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._stop_timer()
        super().on_headers_complete()
        self._arm(self.body_idle_timeout, self._body_stalled)

    def on_body(self, body: bytes) -> None:
        self._arm(self.body_idle_timeout, self._body_stalled)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._stop_timer()
        super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Counted once parsed: a chunk in which the head ended is not counted, so a large body
        # arriving with its headers is never mistaken for large headers.
        if self._in_head and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse(431, "headers-too-large", _head_too_large())

    # --- timers ---------------------------------------------------------------------------------

    def _start_head(self) -> None:
        self._in_head, self._head_bytes = True, 0
        self._arm(self.head_timeout, self._head_timed_out)

    def _arm(self, seconds: float, callback: Any) -> None:
        self._stop_timer()
        self._timer = self.loop.call_later(seconds, callback)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _head_timed_out(self) -> None:
        if self._in_head and (self.cycle is None or self.cycle.response_complete):
            self._refuse(
                408, "request-timeout", f"The request's headers took over {self.head_timeout:g} s."
            )

    def _body_stalled(self) -> None:
        # The application is reading the body: closing makes its receive() return a disconnect.
        if not self.transport.is_closing():
            self.transport.close()

    def _refuse(self, status: int, code: str, detail: str) -> None:
        self._stop_timer()
        if self.transport.is_closing():
            return
        body = _problem_bytes(status, code, detail)
        self.transport.write(
            _STATUS_LINES[status]
            + b"content-type: application/problem+json\r\n"
            + b"content-length: "
            + str(len(body)).encode()
            + b"\r\nconnection: close\r\n\r\n"
            + body
        )
        self.transport.close()


async def _answer(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _refuse(scope: Scope, send: Send, status: int, code: str, detail: str) -> None:
    sent, body, media_type = error_response(scope["path"], status, code, _TITLES[status], detail)
    await _answer(
        send,
        sent,
        body,
        [(b"content-type", media_type.encode()), (b"connection", b"close")],
    )


def _method_table(app: Any) -> list[tuple[re.Pattern[str], set[str]]]:
    """Path templates as patterns, with their methods: from the OpenAPI document (every
    route, however routers are included) and the plain routes outside it (/docs...)."""
    table: list[tuple[re.Pattern[str], set[str]]] | None = getattr(app.state, "allow_table", None)
    if table is not None:
        return table
    templates: dict[str, set[str]] = {}
    for path, operations in app.openapi().get("paths", {}).items():
        templates.setdefault(path, set()).update(m.upper() for m in operations)
    for route in app.routes:
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if isinstance(path, str) and methods:
            templates.setdefault(path, set()).update(methods)
    table = [
        (re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))), methods)
        for path, methods in templates.items()
    ]
    app.state.allow_table = table
    return table


def allowed_methods(app: Any, path: str) -> list[str]:
    """The methods the routes of this path answer (HEAD with GET, OPTIONS always)."""
    methods: set[str] = set()
    for pattern, route_methods in _method_table(app):
        if pattern.fullmatch(path):
            methods |= route_methods
    if not methods:
        return []
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods | {"OPTIONS"})


class HygieneMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        size = sum(len(name) + len(value) + 4 for name, value in headers)
        if len(headers) > MAX_HEADERS or size > MAX_HEAD_BYTES:
            await _refuse(scope, send, 431, "headers-too-large", _head_too_large())
            return
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        target = raw_path + b"?" + scope.get("query_string", b"")
        if b"%00" in target or b"\x00" in target or "\x00" in scope["path"]:
            await _refuse(
                scope, send, 400, "bad-request", "The path or query contains a NUL (%00)."
            )
            return
        if scope["method"] == "OPTIONS" and not _is_preflight(headers):
            methods = allowed_methods(scope["app"], scope["path"])
            if not methods:
                await _refuse(scope, send, 404, "not-found", f"No resource at {scope['path']}.")
                return
            await _answer(send, 204, b"", [(b"allow", ", ".join(methods).encode())])
            return
        await self.app(scope, receive, send)


def _is_preflight(headers: list[tuple[bytes, bytes]]) -> bool:
    names = {name for name, _ in headers}
    return b"origin" in names and b"access-control-request-method" in names


def install(app: Any) -> None:
    """Outermost: nothing else runs for a request refused here."""
    app.add_middleware(HygieneMiddleware)


def uvicorn_options() -> dict[str, Any]:
    """What `claimreview serve` gives uvicorn besides host, port and workers."""
    return {
        "http": f"{__name__}:GuardedHttpToolsProtocol",
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    }
