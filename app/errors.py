"""Typed application errors, and the one place that turns any error into its response body:
RFC 9457 problem details everywhere, Google's `{"error": {"code", "message", "status"}}` under
`/v1alpha1` (Google's client libraries read only that shape)."""

import re
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from app.messages import FIELD_MESSAGE, Message


class AppError(Exception):
    """An error with an HTTP status and a stable code (the last segment of its problem type).
    Its detail and the messages of its `errors` are Messages (app.i18n) where the web app may
    show them: the API sends their English text, the web app their translation."""

    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers


class BadRequest(AppError):
    pass


class Unauthorized(AppError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(AppError):
    status, code, title = 404, "not-found", "Not found"


class Gone(AppError):
    status, code, title = 410, "gone", "Gone"


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict"


class PreconditionFailed(AppError):
    status, code, title = 412, "precondition-failed", "Precondition failed"


class PayloadTooLarge(AppError):
    status, code, title = 413, "payload-too-large", "Request body too large"


class Unprocessable(AppError):
    status, code, title = 422, "validation-error", "Invalid request"


class NotImplementedYet(AppError):
    status, code, title = 501, "not-implemented", "Not implemented"


PROBLEM_BASE = "/problems/"


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


PROBLEM_JSON = "application/problem+json"
GOOGLE_JSON = "application/json"
GOOGLE_PREFIX = "/v1alpha1"

# google.rpc.Code by HTTP status, and the HTTP status Google sends with each (its canonical
# mapping): a refused argument is 400 INVALID_ARGUMENT whether FastAPI said 400 or 422, and a
# stale version (412 here) is Google's ABORTED, which Google's APIs answer with 409. Statuses
# Google's table lacks keep their HTTP status (405 keeps its Allow header, 413 and 431 say what
# to shrink) with the nearest code: Google calls a method a path lacks "not found".
_GOOGLE_STATUS: dict[int, tuple[int, str]] = {
    400: (400, "INVALID_ARGUMENT"),
    401: (401, "UNAUTHENTICATED"),
    403: (403, "PERMISSION_DENIED"),
    404: (404, "NOT_FOUND"),
    405: (405, "NOT_FOUND"),
    408: (408, "DEADLINE_EXCEEDED"),
    409: (409, "ALREADY_EXISTS"),
    410: (404, "NOT_FOUND"),
    412: (409, "ABORTED"),
    413: (413, "INVALID_ARGUMENT"),
    422: (400, "INVALID_ARGUMENT"),
    429: (429, "RESOURCE_EXHAUSTED"),
    431: (431, "INVALID_ARGUMENT"),
    500: (500, "INTERNAL"),
    501: (501, "UNIMPLEMENTED"),
    503: (503, "UNAVAILABLE"),
    504: (504, "DEADLINE_EXCEEDED"),
}


def is_google(path: str) -> bool:
    """Whether a request path is one of the Google-compatible routes (or would be one)."""
    return path == GOOGLE_PREFIX or path.startswith(GOOGLE_PREFIX + "/")


def google_status(status: int) -> tuple[int, str]:
    """The HTTP status Google would send for ours, and its google.rpc.Code name."""
    known = _GOOGLE_STATUS.get(status)
    if known is not None:
        return known
    return (status, "FAILED_PRECONDITION" if status < 500 else "UNKNOWN")


_SNAKE = re.compile(r"_([a-z0-9])")


def google_field(field: str) -> str:
    """A field path as Google spells its parameters: `page_token` is `pageToken`."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), field)


def google_error(
    status: int, detail: str, errors: list[dict[str, Any]] | None = None
) -> tuple[int, dict[str, Any]]:
    """Google's error body (google.rpc.Status as JSON) and the HTTP status to send it with.
    The message names each refused parameter; `details` carries them as a google.rpc.BadRequest,
    which Google's clients expose as `error_details`."""
    code, name = google_status(status)
    body: dict[str, Any] = {"code": code, "message": detail, "status": name}
    if errors and name == "INVALID_ARGUMENT":
        violations = [
            {"field": google_field(str(e.get("field", ""))), "description": str(e.get("message"))}
            for e in errors
        ]
        body["message"] = "; ".join(
            f"Invalid {v['field']}: {v['description']}" for v in violations[:5]
        )
        body["details"] = [
            {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": violations}
        ]
    return code, {"error": body}


def error_response(
    path: str,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
) -> tuple[int, bytes, str]:
    """Status, body and media type of an error for a request to `path`: every error response
    of the service (handlers and middleware alike) is made here, so no route can answer in the
    wrong dialect."""
    if is_google(path):
        sent, body = google_error(status, detail, errors)
        return sent, orjson.dumps(body), GOOGLE_JSON
    return status, orjson.dumps(problem(status, code, title, detail, errors=errors)), PROBLEM_JSON


_NAMED = re.compile(r"^([a-z_][a-z0-9_.]*): (.+)$", re.DOTALL)


def _characters(limit: str) -> Callable[[Mapping[str, Any]], Message]:
    def message(ctx: Mapping[str, Any]) -> Message:
        count = ctx[limit]
        if limit == "min_length":
            if count == 1:
                return Message("String should have at least 1 character")
            return Message("String should have at least {min_length} characters", min_length=count)
        if count == 1:
            return Message("String should have at most 1 character")
        return Message("String should have at most {max_length} characters", max_length=count)

    return message


def _date(ctx: Mapping[str, Any]) -> Message:
    return Message("Input should be a valid datetime or date, {error}", error=ctx["error"])


def _number(value: Any) -> Any:
    """A bound as pydantic writes it: 1e12 is "1000000000000"."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Pydantic's own messages the forms of the web app can meet, as Messages of the same English
# (where pydantic words one otherwise, its own text is kept: see pydantic_message).
_PYDANTIC: dict[str, Callable[[Mapping[str, Any]], Message]] = {
    "missing": lambda ctx: Message("Field required"),
    "string_too_short": _characters("min_length"),
    "string_too_long": _characters("max_length"),
    "string_pattern_mismatch": lambda ctx: Message(
        "String should match pattern '{pattern}'", pattern=ctx["pattern"]
    ),
    "too_long": lambda ctx: Message(
        "List should have at most {max_length} items after validation, not {actual_length}",
        max_length=ctx["max_length"],
        actual_length=ctx["actual_length"],
    ),
    "greater_than_equal": lambda ctx: Message(
        "Input should be greater than or equal to {ge}", ge=_number(ctx["ge"])
    ),
    "less_than_equal": lambda ctx: Message(
        "Input should be less than or equal to {le}", le=_number(ctx["le"])
    ),
    "enum": lambda ctx: Message("Input should be {expected}", expected=ctx["expected"]),
    "datetime_from_date_parsing": _date,
}


def pydantic_message(error: Mapping[str, Any]) -> str:
    """A pydantic error's message (without pydantic's "Value error, "): the validator's Message
    when it raised one, or pydantic's own as a Message of the same text where it is one we
    know, so that the web app can translate it; the API sends the text."""
    cause = (error.get("ctx") or {}).get("error")
    raised = cause.args[0] if isinstance(cause, ValueError) and cause.args else None
    if isinstance(raised, Message):
        return raised
    text = str(error["msg"]).removeprefix("Value error, ")
    known = _PYDANTIC.get(str(error.get("type")))
    if known is not None:
        try:
            message = known(error.get("ctx") or {})
        except KeyError:
            return text
        if message == text:  # the same English, or pydantic's own when it words it otherwise
            return message
    return text


def validator_error(error: Mapping[str, Any]) -> tuple[str | None, str]:
    """A pydantic error's message (`pydantic_message`), and the field a model validator named
    in it ("best: must be greater than worst" is about `best`; None when it names none)."""
    message = pydantic_message(error)
    if isinstance(message, Message):
        if message.msgid == FIELD_MESSAGE:
            return str(message.params["field"]), message.params["reason"]
        return None, message
    named = _NAMED.match(message)
    if named and error.get("type") == "value_error":
        return named.group(1), named.group(2)
    return None, message
