"""The problem+json model, and the error responses each route declares for the OpenAPI document."""

from typing import Any

from pydantic import BaseModel, Field

from app.claimreview.google import GoogleError
from app.errors import google_status, is_google


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the invalid field, e.g. `rating.value`.")
    message: str = Field(description="What is wrong with it.")


class Problem(BaseModel):
    type: str = Field(description="URI reference naming the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="HTTP status code.")
    detail: str = Field(description="What went wrong this time.")
    errors: list[FieldError] | None = Field(default=None, description="Each invalid field.")


_DESCRIPTIONS = {
    400: "Malformed request (bad JSON, bad encoding, bad page token)",
    401: "No API key, or an unknown or revoked one",
    403: "The key may not do this",
    404: "Not found",
    409: "Conflicts with the stored state",
    410: "Deleted",
    412: "If-Match does not match the current ETag",
    413: "Request body too large",
    422: "Invalid fields",
    429: "Over the rate limit (see Retry-After and the RateLimit-* headers)",
    431: "Request headers (or the URL) too large",
    501: "Not offered (oEmbed: a format other than json)",
    503: "The database is saturated or unreachable; retry after Retry-After seconds",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS[status],
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }


WRITE = (400, 401, 403, 413, 422)


def _response(status: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[status],
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


# Never rate limited nor queued (app.main).
ALWAYS_ANSWERED = frozenset({"/healthz", "/readyz", "/metrics"})


def document_everywhere(schema: dict[str, Any]) -> dict[str, Any]:
    """The errors any route can give, declared on every route that can give them, so that
    `openapi.yaml` tells the truth without each route repeating them:
    422 is problem+json (FastAPI documents its own shape), 400 wherever a parameter or body
    is read (malformed JSON, a NUL in the URL), 401 wherever an Authorization header is read,
    431 everywhere (`app.api.hygiene`), 429 wherever rate limits apply and 503 wherever the
    database may be waited for (`app.api.ratelimit`, `app.api.admission`): every route but the
    operations ones."""
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            if "422" in responses:
                responses["422"] = _response(422)
            if parameters or "requestBody" in operation:
                responses.setdefault("400", _response(400))
            if any(p["in"] == "header" and p["name"] == "authorization" for p in parameters):
                responses.setdefault("401", _response(401))
            responses.setdefault("431", _response(431))
            if path not in ALWAYS_ANSWERED:
                responses.setdefault("429", _response(429))
                responses.setdefault("503", _response(503))
            if is_google(path):
                responses = _google_responses(responses)
            operation["responses"] = dict(sorted(responses.items()))
    components = schema.get("components", {}).get("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components.setdefault(
        "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    google = GoogleError.model_json_schema(
        by_alias=True, mode="serialization", ref_template="#/components/schemas/{model}"
    )
    components.update(google.pop("$defs", {}))
    components.setdefault("GoogleError", google)
    return schema


_GOOGLE_INVALID = (
    "A parameter is missing or invalid; `message` and `details` name it (INVALID_ARGUMENT)"
)


def _google_responses(responses: dict[str, Any]) -> dict[str, Any]:
    """A Google route's error responses as it sends them (`app.errors.google_error`): Google's
    error shape in application/json, at the status Google uses (422 is sent as 400, 412 as 409)."""
    kept: dict[str, Any] = {}
    for status, response in responses.items():
        if not status.isdigit() or int(status) < 400:
            kept[status] = response
            continue
        sent, name = google_status(int(status))
        description = f"{response['description']} ({name})"
        if sent == 400:
            description = _GOOGLE_INVALID
        elif str(sent) in kept:
            description = f"{kept[str(sent)]['description']}; {description}"
        kept[str(sent)] = {
            "description": description,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/GoogleError"}}
            },
        }
    return kept
