"""No input makes a 500 (issue 9, item 2): the cases found by hand, each on both engines, then a
property-based test that feeds every route's every parameter and body field hostile values.

The routes and fields come from the app's own OpenAPI document, so a new route or field is
covered without touching this file.
"""

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.main import create_app
from app.rules.fields import MAX_ID
from tests.conftest import auth, review_body
from tests.ingest.test_import_behaviour import claimreview

SCHEMA = create_app().openapi()

# --- the cases found by hand --------------------------------------------------------------------

PAGED = [
    ("/v1/search", "page_token", {"q": "moon"}),
    ("/v1alpha1/claims:search", "pageToken", {"query": "moon"}),
    ("/v1/feed", "page_token", {}),
]


class TestPageTokens:
    @pytest.mark.parametrize(("path", "name", "others"), PAGED)
    @pytest.mark.parametrize("token", ["é.é", "abc.\u00ff\u00fe", "x.🧀", "\u200b"])
    def test_a_non_ascii_token_is_a_400(
        self, client: httpx.Client, path: str, name: str, others: dict[str, str], token: str
    ) -> None:
        response = client.get(path, params={**others, name: token})
        assert response.status_code == 400, response.text
        if path.startswith("/v1alpha1/"):  # Google's error shape there
            assert response.headers["content-type"] == "application/json"
            assert response.json()["error"]["status"] == "INVALID_ARGUMENT"
        else:
            assert response.headers["content-type"] == "application/problem+json"


class TestDates:
    @pytest.mark.parametrize(
        "value",
        [
            "0001-01-01T00:00:00",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-05:00",
            "9999-12-31T23:59:59",
        ],
    )
    @pytest.mark.parametrize(
        ("path", "name"),
        [("/v1/search", "since"), ("/v1/search", "until"), ("/v1/feed", "since")],
    )
    def test_dates_at_the_calendars_ends_are_a_422(
        self, client: httpx.Client, path: str, name: str, value: str
    ) -> None:
        response = client.get(path, params={name: value})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == name

    @pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00"])
    def test_a_body_date_at_the_calendars_ends_is_a_422(
        self, client: httpx.Client, editor_key: str, value: str
    ) -> None:
        body = review_body(date_published=value)
        response = client.post("/v1/reviews", json=body, headers=auth(editor_key))
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "date_published"


def _id_routes() -> list[tuple[str, str]]:
    schema = SCHEMA
    routes = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                    routes.append(
                        (method.upper(), path.replace("{" + parameter["name"] + "}", "{}"))
                    )
    return routes


class TestIds:
    def test_every_id_route_is_bounded_like_the_column(self) -> None:
        routes = _id_routes()
        assert len(routes) >= 10
        for path, operations in SCHEMA["paths"].items():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                        assert parameter["schema"]["maximum"] == MAX_ID, path

    @pytest.mark.parametrize(("method", "path"), _id_routes())
    @pytest.mark.parametrize("value", [2**31 - 1, 2**31, 2**62, 2**64])
    def test_ids_beyond_the_column_are_a_422_on_every_route(
        self, client: httpx.Client, admin_key: str, method: str, path: str, value: int
    ) -> None:
        response = client.request(
            method,
            path.format(value),
            headers=auth(admin_key),
            json={} if method == "PATCH" else None,
        )
        assert response.status_code in (404, 422) if value == MAX_ID else (422,), response.text

    @pytest.mark.parametrize("value", [2**31, 2**64, 2**70])
    def test_a_claim_id_beyond_the_column_in_a_body_is_a_422(
        self, client: httpx.Client, editor_key: str, value: int
    ) -> None:
        body = review_body(claim=None, claim_id=value)
        response = client.post("/v1/reviews", json=body, headers=auth(editor_key))
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "claim_id"


class TestUnstorableText:
    @pytest.mark.parametrize(
        ("path", "name"),
        [
            ("/v1/search", "q"),
            ("/v1/search", "publisher"),
            ("/v1/search", "claimant"),
            ("/v1/feed", "publisher"),
            ("/v1/lookup", "url"),
            ("/oembed", "url"),
            ("/v1alpha1/claims:search", "reviewPublisherSiteFilter"),
        ],
    )
    def test_a_nul_in_a_query_is_a_400(self, client: httpx.Client, path: str, name: str) -> None:
        response = client.get(path, params={name: "a\x00b"})
        assert response.status_code == 400, response.text

    def test_a_nul_in_a_path_is_a_400(self, client: httpx.Client) -> None:
        assert client.get("/v1/publishers/a%00b").status_code == 400

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"headline": "a\x00b"}, "headline"),
            ({"summary": "\ud800"}, "summary"),
            ({"claim": {"text": "x\x00", "language": "en"}}, "claim.text"),
            ({"authors": [{"name": "\udfff"}]}, "authors.0.name"),
        ],
    )
    def test_nul_and_lone_surrogates_in_a_body_are_a_422_naming_the_field(
        self, client: httpx.Client, editor_key: str, overrides: dict[str, Any], field: str
    ) -> None:
        content = json.dumps(review_body(**overrides))  # ensure_ascii: surrogates as \\uXXXX
        response = client.post(
            "/v1/reviews",
            content=content,
            headers={**auth(editor_key), "Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field

    def test_a_nul_in_lookup_urls_is_a_422(self, client: httpx.Client) -> None:
        response = client.post("/v1/lookup", json={"urls": ["https://a.example/\x00"]})
        assert response.status_code == 422, response.text


class TestNumbers:
    @pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", "1e300"])
    def test_non_finite_and_huge_ratings_are_a_422_naming_the_field(
        self, client: httpx.Client, editor_key: str, value: str
    ) -> None:
        body = json.dumps(review_body(rating={"label": "False", "value": 0})).replace(
            '"value": 0', f'"value": {value}'
        )
        response = client.post(
            "/v1/reviews",
            content=body,
            headers={**auth(editor_key), "Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "rating.value"


class TestLongURLs:
    # 1,000 characters, 4,000 bytes of UTF-8: over PostgreSQL's btree entry limit (2,704).
    LONG = "https://verifact.example/" + "𝔘" * 1000

    def test_a_review_url_too_long_for_the_index_is_a_422(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        response = client.post("/v1/reviews", json=review_body(self.LONG), headers=auth(editor_key))
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "url"

    def test_an_appearance_url_too_long_for_the_index_is_a_422(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        claim = {"text": "Long", "language": "en", "appearances": [{"url": self.LONG}]}
        response = client.post("/v1/claims", json=claim, headers=auth(editor_key))
        assert response.status_code == 422, response.text

    def test_an_imported_url_too_long_for_the_index_is_rejected_alone(
        self, client: httpx.Client, make_key: Callable[..., str], publisher: str
    ) -> None:
        records = [claimreview(self.LONG), claimreview("https://verifact.example/ok")]
        response = client.post("/v1/import", json=records, headers=auth(make_key("importer")))
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 1
        assert len(response.json()["rejected"]) == 1

    def test_looking_up_a_url_too_long_for_the_index_is_a_422(self, client: httpx.Client) -> None:
        response = client.get("/v1/lookup", params={"url": self.LONG})
        assert response.status_code == 422, response.text


# --- every route, every field -------------------------------------------------------------------

HOSTILE: list[Any] = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "é" * 5000,
    "𝔘" * 3000,
    "https://a.example/" + "é" * 3000,
    "\u202e\u200b\ufeff",
    "../../etc/passwd",
    "'; DROP TABLE review; --",
    "%00",
    "",
    " ",
    -1,
    0,
    2**31,
    2**63,
    2**64 + 1,
    -(2**63) - 1,
    10**400,
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    True,
    None,
    [],
    {},
    ["\x00"],
    {"\x00": "\ud800"},
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-05:00",
    "0000-00-00",
]
hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(
        st.characters(codec=None, categories=["Cc", "Cs", "Co", "Cn", "Lo", "So"]), max_size=50
    ),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
)

# Valid bodies to start from, so that one hostile field goes as deep as it can (a body that is
# invalid elsewhere stops at validation). Schemas not listed start from an empty object.
BASELINES: dict[str, dict[str, Any]] = {
    "ReviewCreate": review_body("https://verifact.example/hostile"),
    "ReviewUpdate": {"headline": "A headline"},
    "ClaimCreate": {"text": "A claim", "language": "en"},
    "ClaimUpdate": {"text": "A claim"},
    "PublisherCreate": {"id": "hostile", "name": "Hostile", "sites": ["hostile.example"]},
    "ApiKeyCreate": {"role": "partner"},
    "LookupRequest": {"urls": ["https://a.example/"]},
    "WebhookCreate": {"url": "https://a.example/hook"},
    "import": claimreview("https://verifact.example/imported"),
}


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = SCHEMA
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            found.append((method.upper(), path, operation))
    return found


def _body_schema(operation: dict[str, Any]) -> tuple[str, list[str]] | None:
    """The body's baseline name and its fields, for a JSON body."""
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    ref = content["application/json"].get("schema", {}).get("$ref")
    if ref is None:  # any JSON document (import, validate): ClaimReview markup
        return "import", list(BASELINES["import"])
    name = ref.rsplit("/", 1)[1]
    schema = SCHEMA["components"]["schemas"][name]
    return name, list(schema.get("properties", {}))


OPERATIONS = _operations()


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    OPERATIONS,
    ids=[f"{m} {p}" for m, p, _ in OPERATIONS],
)
@settings(
    # Each example is a request to a real server and database; its time depends on the
    # machine's load, not on the input, so no per-example deadline. The number of examples
    # bounds the run (about 2 s per route).
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(data=st.data())
def test_every_field_of_every_route_answers_hostile_values_without_a_500(
    client: httpx.Client,
    admin_key: str,
    publisher: str,
    method: str,
    path: str,
    operation: dict[str, Any],
    data: st.DataObject,
) -> None:
    parameters = [p for p in operation.get("parameters", []) if p["in"] in ("path", "query")]
    body = _body_schema(operation)
    targets = [("param", p["name"]) for p in parameters]
    if body is not None:
        targets += [("field", name) for name in body[1]]
    target = data.draw(st.sampled_from(targets)) if targets else None
    value = data.draw(hostile)

    url, params = path, {}
    for parameter in parameters:
        given_value = value if target == ("param", parameter["name"]) else "1"
        text = given_value if isinstance(given_value, str) else json.dumps(given_value)
        if parameter["in"] == "path":
            url = url.replace(
                "{" + parameter["name"] + "}", quote(text, safe="", errors="surrogatepass")
            )
        elif target == ("param", parameter["name"]):
            params[parameter["name"]] = text
    query = "&".join(
        f"{quote(k)}={quote(v, safe='', errors='surrogatepass')}" for k, v in params.items()
    )
    content = None
    if body is not None:
        document = dict(BASELINES.get(body[0], {}))
        if target is not None and target[0] == "field":
            document[target[1]] = value
        content = json.dumps(document)  # NaN and Infinity as JavaScript writes them
    response = client.request(
        method,
        url + (f"?{query}" if query else ""),
        content=content,
        headers={**auth(admin_key), "Content-Type": "application/json"},
    )
    assert response.status_code < 500, (target, value, response.text)
