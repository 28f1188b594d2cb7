"""ASGI middleware: request body limits (413 before parsing); Google's method override;
ClaimReview caching headers."""

from email.utils import format_datetime

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import error_response, is_google
from app.storage.repositories import StoredDocument


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, default_limit: int, limits: dict[str, int]) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = limits  # path -> its own limit (imports are larger)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default_limit)
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _reject(scope["path"], send, limit)
                return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)


def document_headers(document: StoredDocument, cache_control: str) -> dict[str, str]:
    """The caching headers of a ClaimReview response, for the route and the fast path alike."""
    assert document.etag is not None
    assert document.rendered_at is not None
    return {
        "ETag": document.etag,
        "Last-Modified": format_datetime(document.rendered_at, usegmt=True),
        "Cache-Control": cache_control,
    }


async def _reject(path: str, send: Send, limit: int) -> None:
    status, body, media_type = error_response(
        path,
        413,
        "payload-too-large",
        "Request body too large",
        f"The request body is larger than the limit of {limit} bytes.",
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# Google's client sends at most 2,048 characters of URL; a query string of up to 20,000
# characters (three times that percent-encoded) and the other parameters fit well under this.
MAX_OVERRIDE_BYTES = 256 * 1024
_FORM = b"application/x-www-form-urlencoded"


class MethodOverrideMiddleware:
    """Under /v1alpha1, a POST with `X-HTTP-Method-Override: GET` and a form body is the GET
    with that query string. Google's client libraries send a GET whose URL would pass 2,048
    characters that way (googleapiclient.http.HttpRequest.execute), and Google's servers
    answer it as the GET: without this a long `query` got 405."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not is_google(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        override = headers.get(b"x-http-method-override", b"").strip().upper()
        form = headers.get(b"content-type", b"").split(b";")[0].strip().lower() == _FORM
        if override != b"GET" or not form:
            await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > MAX_OVERRIDE_BYTES:
                await _reject(scope["path"], send, MAX_OVERRIDE_BYTES)
                return
            if not message.get("more_body", False):
                break
        query = b"&".join(part for part in (scope["query_string"], bytes(body)) if part)
        dropped = (b"x-http-method-override", b"content-type", b"content-length")
        as_get = {
            **scope,
            "method": "GET",
            "query_string": query,
            "headers": [(k, v) for k, v in scope["headers"] if k not in dropped],
        }

        async def nothing_more() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        await self.app(as_get, nothing_more, send)
