"""ASGI middleware: request body limits (413 before parsing), and the ClaimReview read fast path."""

import re
from email.utils import format_datetime

import orjson
from starlette.datastructures import State
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_BASE
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
                await _reject(send, limit)
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


_CLAIMREVIEW = re.compile(r"/v1/reviews/([1-9][0-9]{0,18})/claimreview")
_MAX_ID = 2**62


class ClaimReviewFastPath:
    """GET /v1/reviews/{id}/claimreview of a live published review, answered with the stored
    bytes without routing, validation or dependency injection (on SQLite files).

    Every other case goes on to the FastAPI route, which stays the one definition of the 304,
    404 and 410 answers and of the OpenAPI description: If-None-Match sent, an id out of range,
    a draft, missing, deleted or retracted review, or no SQLite readers (PostgreSQL).
    """

    def __init__(self, app: ASGIApp, state: State, cache_max_age: int) -> None:
        self.app = app
        self.state = state  # app.state: the lifespan sets state.db after this is built
        self.cache_control = f"public, max-age={cache_max_age}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            match = _CLAIMREVIEW.fullmatch(scope["path"])
            readers = self.state.db.readers if match is not None else None
            if readers is not None and not any(k == b"if-none-match" for k, _ in scope["headers"]):
                assert match is not None
                review_id = int(match.group(1))
                document = readers.document(review_id) if review_id <= _MAX_ID else None
                if (
                    document is not None
                    and document.status == "published"
                    and not document.deleted
                    and document.body is not None
                    and document.etag is not None
                    and document.rendered_at is not None
                ):
                    headers = document_headers(document, self.cache_control)
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 200,
                            "headers": [
                                (b"content-length", str(len(document.body)).encode()),
                                (b"content-type", b"application/ld+json"),
                                *((k.lower().encode(), v.encode()) for k, v in headers.items()),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": document.body})
                    return
        await self.app(scope, receive, send)


async def _reject(send: Send, limit: int) -> None:
    body = orjson.dumps(
        {
            "type": PROBLEM_BASE + "payload-too-large",
            "title": "Request body too large",
            "status": 413,
            "detail": f"The request body is larger than the limit of {limit} bytes.",
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
