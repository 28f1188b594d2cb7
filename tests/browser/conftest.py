"""Playwright fixtures over Debian's Chromium: one browser per test module, a fresh context per
test. Module-scoped, not session-scoped: Playwright's sync API keeps an event loop running in
this thread while it is started, and the tests after these call asyncio.run()."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from tests.browser.chromium import ARGS, CHROMIUM


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert CHROMIUM is not None
    launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context()
    yield opened
    opened.close()
