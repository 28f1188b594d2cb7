"""The example browser extension, loaded unpacked in Chromium (through Playwright) against a local
page and the local service: the debunked links are marked with their verdict, the others are
not, and links a page adds after loading (infinite scroll) are looked up in batches."""

import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Playwright, Request, expect

from tests.browser.chromium import ARGS, CHROMIUM, needs_chromium
from tests.conftest import LiveServer

EXTENSION = Path(__file__).resolve().parents[2] / "examples" / "browser-extension"
pytestmark = needs_chromium

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>News</title></head><body>
<p>Everyone is sharing <a id="debunked" href="https://x.com/someone/status/1234567890?s=20">this post</a>,
<a id="plain" href="https://example.org/weather">the weather</a> and
<a id="other" href="https://x.com/someone/status/555">another post</a>.</p>
<div id="feed"></div>
</body></html>"""


@pytest.fixture
def news_page() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/news.html"
    server.shutdown()
    server.server_close()


@pytest.fixture
def with_extension(
    playwright: Playwright, live_server: LiveServer, tmp_path: Path
) -> Iterator[BrowserContext]:
    """Chromium with a copy of the extension whose config.js points at the test server."""
    assert CHROMIUM is not None
    extension = tmp_path / "extension"
    shutil.copytree(EXTENSION, extension)
    (extension / "config.js").write_text(f'const CLAIMREVIEW_API = "{live_server.url}";\n')
    context = playwright.chromium.launch_persistent_context(
        tmp_path / "profile",
        executable_path=CHROMIUM,
        headless=True,
        ignore_default_args=["--disable-extensions"],
        args=[
            *ARGS,
            f"--disable-extensions-except={extension}",
            f"--load-extension={extension}",
        ],
    )
    yield context
    context.close()


def _lookups(context: BrowserContext, live_server: LiveServer) -> list[list[str]]:
    """The URL lists of the POST /v1/lookup requests the page sends, in order."""
    sent: list[list[str]] = []

    def seen(request: Request) -> None:
        if request.url == f"{live_server.url}/v1/lookup" and request.method == "POST":
            body = request.post_data_json
            sent.append(body["urls"])

    context.on("request", seen)
    return sent


def test_extension_marks_the_debunked_link_only(
    live_server: LiveServer,
    make_review: Callable[..., dict[str, Any]],
    news_page: str,
    with_extension: BrowserContext,
) -> None:
    make_review(
        claim={
            "text": "The moon is made of cheese",
            "language": "en",
            "appearances": [{"url": "https://twitter.com/someone/status/1234567890"}],
        }
    )
    lookups = _lookups(with_extension, live_server)
    page = with_extension.new_page()
    page.goto(news_page)
    mark = page.locator("a.claimreview-mark")
    expect(mark).to_have_count(1, timeout=15_000)
    expect(mark).to_have_text("False")
    expect(mark).to_have_attribute("data-verdict", "false")
    marked = page.eval_on_selector_all(
        "a[data-claimreview-verdict]", "as => as.map(a => [a.id, a.dataset.claimreviewVerdict])"
    )
    assert marked == [["debunked", "false"]]
    assert len(lookups) == 1
    assert sorted(lookups[0]) == sorted(
        [
            "https://x.com/someone/status/1234567890?s=20",
            "https://example.org/weather",
            "https://x.com/someone/status/555",
        ]
    )


SCROLL = """([urls, chunk]) => new Promise((done) => {
  // A feed rendering its next posts a chunk at a time, as infinite scroll does.
  const feed = document.getElementById("feed");
  let start = 0;
  const next = () => {
    for (const url of urls.slice(start, start + chunk)) {
      const post = document.createElement("article");
      const link = document.createElement("a");
      link.href = url;
      link.className = "post";
      link.textContent = "a post";
      post.append(link);
      feed.append(post);
    }
    start += chunk;
    if (start < urls.length) setTimeout(next, 30); else done();
  };
  next();
})"""


def _wait_for(page: Any, condition: Callable[[], bool]) -> None:
    for _ in range(200):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("timed out")


def test_extension_marks_links_added_after_load_in_batched_lookups(
    live_server: LiveServer,
    make_review: Callable[..., dict[str, Any]],
    news_page: str,
    with_extension: BrowserContext,
) -> None:
    for status in ("1234567890", "42", "43"):
        make_review(
            claim={
                "text": f"Claim number {status}",
                "language": "en",
                "appearances": [{"url": f"https://twitter.com/someone/status/{status}"}],
            }
        )
    lookups = _lookups(with_extension, live_server)
    page = with_extension.new_page()
    page.goto(news_page)
    marks = page.locator("a.claimreview-mark")
    expect(marks).to_have_count(1, timeout=15_000)
    assert len(lookups) == 1

    # 150 new posts in three chunks, two of them debunked: one debounced collection, sent as
    # two lookups (100 URLs, then 50), not one per chunk or per link.
    urls = [f"https://example.org/posts/{n}" for n in range(148)]
    urls[17] = "https://x.com/someone/status/42"
    urls[120] = "https://x.com/someone/status/43"
    urls += ["https://example.org/posts/148", "https://example.org/posts/149"]
    page.evaluate(SCROLL, [urls, 50])
    expect(marks).to_have_count(3, timeout=15_000)
    _wait_for(page, lambda: len(lookups) >= 3)
    page.wait_for_timeout(600)  # longer than the debounce: nothing more is sent
    assert [len(batch) for batch in lookups[1:]] == [100, 50]
    assert sorted(lookups[1] + lookups[2]) == sorted(urls)
    marked = page.eval_on_selector_all(
        "a.post[data-claimreview-verdict]", "as => as.map(a => a.getAttribute('href'))"
    )
    assert marked == ["https://x.com/someone/status/42", "https://x.com/someone/status/43"]

    # Later, a post linking to an address already answered is marked without asking again;
    # the one new address is asked about alone.
    page.evaluate(
        SCROLL, [["https://x.com/someone/status/1234567890?s=20", "https://example.org/new"], 2]
    )
    expect(marks).to_have_count(4, timeout=15_000)
    _wait_for(page, lambda: len(lookups) >= 4)
    page.wait_for_timeout(600)
    assert lookups[3:] == [["https://example.org/new"]]
    sent = [url for batch in lookups for url in batch]
    assert len(sent) == len(set(sent))  # no address is looked up twice
    assert all(len(batch) <= 100 for batch in lookups)
