"""Sessions, cross-site post protection and the headers of every app page.

A session is a signed token in an HttpOnly, SameSite=Strict cookie: the key's id, an expiry and
a random nonce, signed with HMAC-SHA256. It carries no secret. The signature turns forgeries away
without a query; the session's row in the database (app.domain.web_sessions, found by the nonce)
is what makes it open, so signing out ends it for every copy of the cookie, and revoking the key
ends its sessions at once. Each POST carries a CSRF token derived from the session (or, before
sign-in, from a random cookie) and must come from this origin."""

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "crk_session"
SIGN_IN_COOKIE = "crk_sign_in"
LANGUAGE_COOKIE = "crk_lang"
COOKIE_PATH = "/app/"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@dataclass(frozen=True)
class WebSession:
    token: str
    key_id: str
    expires: int
    nonce: str


class Signer:
    def __init__(self, secret: bytes) -> None:
        # Its own key, so that no other signed value of the service passes for a session.
        self._key = hmac.new(secret, b"web-session", hashlib.sha256).digest()

    def _mac(self, purpose: str, value: str) -> str:
        digest = hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def new_session(self, key_id: str, expires: int, nonce: str) -> str:
        """The cookie of a session (expiring at `expires`, in seconds since the epoch) whose
        row is stored under this nonce."""
        payload = f"{key_id}.{expires}.{nonce}"
        return f"{payload}.{self._mac('session', payload)}"

    def read_session(self, token: str | None) -> WebSession | None:
        if not token or token.count(".") != 3:
            return None
        payload, _, mac = token.rpartition(".")
        if not hmac.compare_digest(mac, self._mac("session", payload)):
            return None
        key_id, expires, nonce = payload.split(".")
        if not expires.isdigit() or int(expires) <= time.time():
            return None
        return WebSession(token=token, key_id=key_id, expires=int(expires), nonce=nonce)

    def csrf_token(self, bound_to: str) -> str:
        """The token every form of a session (or of a sign-in page's cookie) carries."""
        return self._mac("csrf", bound_to)

    def csrf_valid(self, bound_to: str | None, token: str | None) -> bool:
        return bool(bound_to and token) and hmac.compare_digest(
            str(token), self.csrf_token(str(bound_to))
        )


def same_origin(request: Request, public_url: str | None) -> bool:
    """Whether the browser says the request comes from this site: the origin it was sent to,
    or the service's public URL (behind a proxy that ends TLS). Browsers send Sec-Fetch-Site
    (all current ones) and Origin on POSTs; a request with neither is not from a browser's
    cross-site form, and still needs the CSRF token."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    if origin == "null":
        return False
    allowed = {f"{request.url.scheme}://{request.headers.get('host', '')}"}
    if public_url:
        public = urlsplit(public_url)
        allowed.add(f"{public.scheme}://{public.netloc}")
    return origin.rstrip("/") in allowed


class PageHeadersMiddleware:
    """The Content-Security-Policy, no-store and framing headers on every /app/ response
    (pages, redirects, errors); static files may be cached."""

    def __init__(self, app: ASGIApp, prefix: str = COOKIE_PATH) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path.startswith(self.prefix) or path == self.prefix.rstrip("/")):
            await self.app(scope, receive, send)
            return
        static = path.startswith(self.prefix + "static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in PAGE_HEADERS.items():
                    if static and name == "Cache-Control":
                        value = "public, max-age=3600"
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)
