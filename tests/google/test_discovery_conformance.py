"""Every response of the claims methods against the discovery document Google's client is built
from: only declared fields, each of its declared type and format, and every declared field
filled when the data has it."""

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest
from googleapiclient.discovery import Resource

from tests.conftest import auth

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def conform(value: Any, schema: dict[str, Any], schemas: dict[str, Any], path: str) -> set[str]:
    """The paths of `value` (as `claims[].text`), asserting each is declared with its type."""
    if "$ref" in schema:
        schema = schemas[schema["$ref"]]
    kind = schema["type"]
    if kind == "object":
        assert isinstance(value, dict), path
        seen = set()
        for name, item in value.items():
            declared = schema.get("properties", {})
            assert name in declared, f"{path}.{name} is not in the discovery document"
            seen.add(f"{path}.{name}")
            seen |= conform(item, declared[name], schemas, f"{path}.{name}")
        return seen
    if kind == "array":
        assert isinstance(value, list), path
        return {p for item in value for p in conform(item, schema["items"], schemas, path + "[]")}
    if kind == "string":
        assert isinstance(value, str), path
        if schema.get("format") == "google-datetime":
            assert RFC3339.match(value), f"{path}: {value!r} is not RFC 3339"
            datetime.fromisoformat(value)
        return set()
    if kind == "integer":
        assert isinstance(value, int), path
        assert not isinstance(value, bool), path
        assert -(2**31) <= value < 2**31, path
        return set()
    assert kind == "boolean", path
    assert isinstance(value, bool), path
    return set()


def declared_paths(schema: dict[str, Any], schemas: dict[str, Any], path: str) -> set[str]:
    if "$ref" in schema:
        schema = schemas[schema["$ref"]]
    if schema["type"] == "array":
        return declared_paths(schema["items"], schemas, path + "[]")
    paths = set()
    for name, declared in schema.get("properties", {}).items():
        paths.add(f"{path}.{name}")
        paths |= declared_paths(declared, schemas, f"{path}.{name}")
    return paths


@pytest.fixture
def full_claims(client: httpx.Client, editor_key: str) -> None:
    """Claims with every field Google's response declares: claimant, dates, title..."""
    for i in range(3):
        body = {
            "url": f"https://www.verifact.example/checks/{i}",
            "headline": f"No, hoax {i} is not true",
            "language": "en",
            "rating": {"label": "False", "value": 1, "best": 5, "worst": 1},
            "status": "published",
            "date_published": f"2024-03-0{i + 1}T10:00:00Z",
            "claim": {
                "text": f"Viral hoax number {i}",
                "language": "en",
                "claimant": {"name": "A viral post", "type": "Organization"},
                "claim_date": "2024-03-01",
                "appearances": [{"url": "https://cdn.example/hoax.png"}],
            },
        }
        response = client.post("/v1/reviews", json=body, headers=auth(editor_key))
        assert response.status_code == 201, response.text


METHODS: list[tuple[str, dict[str, Any]]] = [
    ("search", {"query": "viral hoax", "pageSize": 2}),
    (
        "search",
        {"reviewPublisherSiteFilter": "verifact.example", "languageCode": "en", "pageSize": 2},
    ),
    ("imageSearch", {"imageUri": "https://cdn.example/hoax.png", "pageSize": 2}),
]


@pytest.mark.parametrize(("method", "params"), METHODS)
def test_responses_use_only_declared_fields_and_fill_them_all(
    google_api: Callable[..., Resource],
    discovery: dict[str, Any],
    full_claims: None,
    method: str,
    params: dict[str, Any],
) -> None:
    declared_method = discovery["resources"]["claims"]["methods"][method]
    assert set(params) <= set(declared_method["parameters"])
    response_schema = {"$ref": declared_method["response"]["$ref"]}
    body = getattr(google_api().claims(), method)(**params).execute()
    seen = conform(body, response_schema, discovery["schemas"], "")
    assert seen == declared_paths(response_schema, discovery["schemas"], "")


def test_every_declared_parameter_is_a_query_parameter_of_the_route(
    client: httpx.Client, discovery: dict[str, Any]
) -> None:
    """The OpenAPI document declares each parameter of each claims method, by Google's name."""
    openapi = client.get("/openapi.json").json()
    for name, method in discovery["resources"]["claims"]["methods"].items():
        operation = openapi["paths"]["/" + method["flatPath"]][method["httpMethod"].lower()]
        ours = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        assert set(method["parameters"]) | {"fields"} == ours, name


# What a page's markup may carry that the service does not store (a claim's location, images
# of the verdict and of the claimant, the claimant's job and identity page): never sent.
NOT_STORED = {
    ".claimReviewMarkups[].claimLocation",
    ".claimReviewMarkups[].rating.imageUrl",
    ".claimReviewMarkups[].claimAuthor.imageUrl",
    ".claimReviewMarkups[].claimAuthor.jobTitle",
    ".claimReviewMarkups[].claimAuthor.sameAs",
}


@pytest.fixture
def page_api(
    google_api: Callable[..., Resource],
    make_publisher: Callable[..., str],
    make_key: Callable[..., str],
) -> Any:
    make_publisher("checkers", logo_url="https://checkers.example/logo.png")
    return google_api(make_key("editor", "checkers")).pages()


def full_page(url: str, version: str | None = None) -> dict[str, Any]:
    markup = {
        "url": url,
        "claimReviewed": "Viral hoax about the moon",
        "claimDate": "2024-03-01",
        "claimFirstAppearance": "https://x.com/someone/status/1",
        "claimAppearances": ["https://x.com/someone/status/2"],
        "claimAuthor": {"name": "A viral post"},
        "rating": {
            "textualRating": "False",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "ratingExplanation": "No evidence.",
        },
    }
    page = {"pageUrl": url, "publishDate": "2024-03-05", "claimReviewMarkups": [markup]}
    return page | ({"versionId": version} if version else {})


def test_page_responses_use_only_declared_fields_and_fill_them_all(
    page_api: Any, discovery: dict[str, Any]
) -> None:
    methods = discovery["resources"]["pages"]["methods"]
    schemas = discovery["schemas"]
    urls = [f"https://checkers.example/p/{i}" for i in range(3)]
    bodies = {"create": [page_api.create(body=full_page(url)).execute() for url in urls]}
    name, version = bodies["create"][0]["name"], bodies["create"][0]["versionId"]
    bodies["update"] = [page_api.update(name=name, body=full_page(urls[0], version)).execute()]
    bodies["get"] = [page_api.get(name=name).execute()]
    bodies["list"] = [
        page_api.list(organization="checkers.example", pageSize=2).execute(),
        page_api.list(url=urls[1]).execute(),
    ]
    for method, responses in bodies.items():
        response_schema = {"$ref": methods[method]["response"]["$ref"]}
        declared = declared_paths(response_schema, schemas, "")
        prefix = ".claimReviewMarkupPages[]" if method == "list" else ""
        for body in responses:
            seen = conform(body, response_schema, schemas, "")
            missing = {p for p in declared - seen if p.removeprefix(prefix) not in NOT_STORED}
            if method == "list" and "nextPageToken" not in body:
                missing.discard(".nextPageToken")
            assert not missing, (method, missing)
    assert page_api.delete(name=name).execute() == {}
    assert methods["delete"]["response"]["$ref"] == "GoogleProtobufEmpty"
    assert schemas["GoogleProtobufEmpty"]["properties"] == {}


def test_every_declared_pages_parameter_is_a_parameter_of_the_route(
    client: httpx.Client, discovery: dict[str, Any]
) -> None:
    openapi = client.get("/openapi.json").json()
    for name, method in discovery["resources"]["pages"]["methods"].items():
        path = "/" + method["flatPath"].replace("{pagesId}", "{page_id}")
        operation = openapi["paths"][path][method["httpMethod"].lower()]
        ours = {p["name"] for p in operation["parameters"]}
        declared = {"page_id" if p == "name" else p for p in method.get("parameters", {})}
        assert declared | {"fields"} <= ours, name
