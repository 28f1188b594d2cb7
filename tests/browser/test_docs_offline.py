"""/docs (Swagger UI) and /redoc (ReDoc) render from the service's own copies of their assets,
with every request to another host refused, as on a machine without the internet."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Route, expect

from tests.browser.chromium import needs_chromium
from tests.conftest import LiveServer

pytestmark = needs_chromium


@pytest.fixture
def offline(context: BrowserContext, live_server: LiveServer) -> list[str]:
    """Every request to a host other than the test server is aborted; the list names them."""
    ours = urlsplit(live_server.url).netloc
    refused: list[str] = []

    def only_ours(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == ours or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context.route("**/*", only_ours)
    return refused


def test_swagger_ui_renders_the_operations_offline(
    context: BrowserContext, live_server: LiveServer, offline: list[str]
) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(f"{live_server.url}/docs")
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    operation = page.locator(".opblock-summary-path", has_text="/v1/search").first
    expect(operation).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Search claims and their verdicts").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/v1/lookup").first).to_be_visible()
    assert offline == []
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_redoc_renders_the_operations_offline(
    context: BrowserContext, live_server: LiveServer, offline: list[str]
) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(f"{live_server.url}/redoc")
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    heading = page.get_by_role("heading", name="Search claims and their verdicts").first
    expect(heading).to_be_visible(timeout=30_000)
    expect(page.get_by_text("/v1/search", exact=False).first).to_be_attached()
    # ReDoc's "API docs by Redocly" logo is the one thing it would fetch from elsewhere: the
    # page's policy refuses it before any request leaves, and nothing else is refused.
    refused = [e for e in errors if "Content Security Policy" in e]
    assert all("https://cdn.redoc.ly/" in e for e in refused), refused
    assert offline == []
