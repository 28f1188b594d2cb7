"""Driving the web app over HTTP as a browser would: sign in, read a form's hidden fields, post."""

import html
import re
from typing import Any

import httpx

_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def hidden(page: str) -> dict[str, str]:
    """The hidden fields of a page's first form (the CSRF token, the ETag), as a browser reads
    them (HTML entities decoded)."""
    found: dict[str, str] = {}
    for name, value in _HIDDEN.findall(page):
        found.setdefault(name, html.unescape(value))
    return found


def csrf_of(page: str) -> str:
    return hidden(page)["csrf"]


def sign_in(client: httpx.Client, key: str) -> str:
    """Signs in; returns the session's CSRF token."""
    page = client.get("/app/sign-in")
    assert page.status_code == 200
    response = client.post("/app/sign-in", data={"csrf": csrf_of(page.text), "key": key})
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/app/").text)


def review_form(**overrides: str) -> dict[str, str]:
    form = {
        "claim": "The moon is made of cheese",
        "claim_language": "en",
        "claimant": "A viral post",
        "claim_date": "2024-03-01",
        "appearances": "https://x.com/someone/status/1234567890\nhttps://example.org/post",
        "url": "https://verifact.example/checks/moon",
        "headline": "No, the moon is not made of cheese",
        "verdict": "False",
        "rating_value": "1",
        "rating_best": "5",
        "rating_worst": "1",
        "summary": "Samples brought back show rock.",
    }
    form.update(overrides)
    return form


def errors_in(page: str) -> dict[str, list[str]]:
    """The error messages of a form page, by the id of the field they describe."""
    found: dict[str, list[str]] = {}
    for field, message in re.findall(r'<p class="error" id="error-([\w]*)-\d+">([^<]*)</p>', page):
        found.setdefault(field, []).append(html.unescape(message))
    return found


def post_review(
    client: httpx.Client, csrf: str, action: str = "publish", **fields: Any
) -> httpx.Response:
    return client.post(
        "/app/reviews/new", data={"csrf": csrf, "action": action, **review_form(**fields)}
    )


def warnings_in(page: str) -> dict[str, list[str]]:
    """The warnings of a form page (Google's recommendations), by the id of their field."""
    found: dict[str, list[str]] = {}
    for field, message in re.findall(
        r'<p class="warning" id="warning-([\w]*)-\d+">([^<]*)</p>', page
    ):
        found.setdefault(field, []).append(html.unescape(message))
    return found


def rejections_in(page: str) -> list[tuple[str, str, str]]:
    """The import page's rejected records: (index, URL, reason)."""
    return [
        tuple(html.unescape(cell) for cell in row)  # type: ignore[misc]
        for row in re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    ]
