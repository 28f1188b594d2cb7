"""Opaque, tamper-proof page tokens: base64url(JSON) signed with HMAC-SHA256."""

import base64
import binascii
import hashlib
import hmac
from typing import Any

import orjson

from app.errors import BadRequest


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PageTokens:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest()[:16])

    def encode(self, payload: dict[str, Any]) -> str:
        body = _b64(orjson.dumps(payload))
        return f"{body}.{self._sign(body)}"

    def decode_bound(self, token: str, bound_to: str) -> dict[str, Any]:
        """A token's state, refused (400) when it was issued for other parameters."""
        state = self.decode(token)
        if state.get("f") != bound_to:
            raise BadRequest(
                "This page_token belongs to a request with other parameters.",
                errors=[{"field": "page_token", "message": "used with different filters"}],
            )
        return state

    def decode(self, token: str, field: str = "page_token") -> dict[str, Any]:
        invalid = BadRequest(
            f"The {field} is not one this service issued (or it was altered).",
            errors=[{"field": field, "message": "invalid page token"}],
        )
        body, _, signature = token.partition(".")
        # Bytes: compare_digest refuses str with non-ASCII characters (a TypeError, so a 500).
        expected = self._sign(body).encode()
        if not body or not hmac.compare_digest(signature.encode("utf-8", "replace"), expected):
            raise invalid
        try:
            payload = orjson.loads(_unb64(body))
        except (binascii.Error, ValueError) as exc:
            raise invalid from exc
        if not isinstance(payload, dict):
            raise invalid
        return payload


def fingerprint(*parts: Any) -> str:
    """What a page token is bound to: a token used with other filters is refused."""
    return hashlib.sha256(orjson.dumps(parts)).hexdigest()[:16]
