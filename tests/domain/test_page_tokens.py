"""Page tokens: base64url JSON and a truncated HMAC-SHA256, checked here against the format
computed independently, and every refusal a 400 that names the parameter."""

import base64
import hashlib
import hmac
import json

import pytest

from app.domain.page_tokens import PageTokens, fingerprint
from app.errors import BadRequest

SECRET = b"page-token-secret"


def unpadded(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def expected_signature(body: str, secret: bytes = SECRET) -> str:
    return unpadded(hmac.new(secret, body.encode(), hashlib.sha256).digest()[:16])


def forged(payload: bytes, secret: bytes = SECRET) -> str:
    """A token for any bytes, signed as the service signs."""
    body = unpadded(payload)
    return f"{body}.{expected_signature(body, secret)}"


# Payload sizes whose base64 needs 0, 1 and 2 padding characters.
PAYLOADS = [{"o": 1}, {"o": 12}, {"o": 123}, {"f": "abc", "o": 40, "k": [1.5, "é"]}]


class TestFormat:
    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_token_is_unpadded_base64url_json_and_a_16_byte_hmac(
        self, payload: dict[str, object]
    ) -> None:
        token = PageTokens(SECRET).encode(payload)
        body, signature = token.split(".")
        assert "=" not in token
        assert json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))) == payload
        assert signature == expected_signature(body)
        assert len(base64.urlsafe_b64decode(signature + "==")) == 16

    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_round_trip(self, payload: dict[str, object]) -> None:
        tokens = PageTokens(SECRET)
        assert tokens.decode(tokens.encode(payload)) == payload

    @pytest.mark.parametrize("size", range(1, 9))
    def test_tokens_of_every_padding_length_decode(self, size: int) -> None:
        payload = {"s": "x" * size}
        assert PageTokens(SECRET).decode(forged(json.dumps(payload).encode())) == payload

    def test_the_secret_makes_the_signature(self) -> None:
        token = PageTokens(SECRET).encode({"o": 1})
        assert PageTokens(b"another secret").encode({"o": 1}) != token
        with pytest.raises(BadRequest):
            PageTokens(b"another secret").decode(token)


def _refusal(token: str, **field: str) -> BadRequest:
    with pytest.raises(BadRequest) as caught:
        PageTokens(SECRET).decode(token, **field)
    return caught.value


class TestRefusals:
    @pytest.mark.parametrize(
        "token",
        [
            "",
            ".",
            "abc",
            "abc.",
            ".abc",
            forged(b'{"o": 1}')[:-1] + "A",
            forged(b'{"o": 1}') + ".extra",
            forged(b'{"o": 1}', secret=b"guess"),
            forged(b"not json"),
            forged(b"[1, 2]"),
            forged(b'"text"'),
            forged(b"\xff\xfe"),
        ],
    )
    def test_anything_not_issued_here_is_a_400_naming_the_parameter(self, token: str) -> None:
        refused = _refusal(token)
        assert (
            refused.detail == "The page_token is not one this service issued (or it was altered)."
        )
        assert refused.errors == [{"field": "page_token", "message": "invalid page token"}]

    def test_a_badly_encoded_body_with_a_valid_signature_is_refused(self) -> None:
        body = "a!b"
        refused = _refusal(f"{body}.{expected_signature(body)}")
        assert refused.errors == [{"field": "page_token", "message": "invalid page token"}]

    def test_refusal_names_the_parameter_it_came_in(self) -> None:
        refused = _refusal("nope", field="cursor")
        assert refused.detail == "The cursor is not one this service issued (or it was altered)."
        assert refused.errors == [{"field": "cursor", "message": "invalid page token"}]

    def test_a_token_of_other_filters_is_refused(self) -> None:
        tokens = PageTokens(SECRET)
        token = tokens.encode({"f": "abc", "o": 10})
        assert tokens.decode_bound(token, "abc") == {"f": "abc", "o": 10}
        with pytest.raises(BadRequest) as caught:
            tokens.decode_bound(token, "abd")
        assert caught.value.detail == "This page_token belongs to a request with other parameters."
        assert caught.value.errors == [
            {"field": "page_token", "message": "used with different filters"}
        ]
        with pytest.raises(BadRequest):
            tokens.decode_bound(tokens.encode({"o": 10}), "abc")


class TestFingerprint:
    def test_is_the_first_16_hex_digits_of_sha256_of_the_json_parts(self) -> None:
        assert fingerprint("q", 1, None) == hashlib.sha256(b'["q",1,null]').hexdigest()[:16]

    def test_differs_with_any_part_and_order(self) -> None:
        assert fingerprint("a", "b") != fingerprint("b", "a")
        assert fingerprint("a", None) != fingerprint("a")
        assert fingerprint("a") == fingerprint("a")
