"""The example browser extension, loaded unpacked in Chromium against a local page and the
local service: the debunked link is marked with its verdict, the others are not."""

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_embeds_in_chromium import CHROMIUM, chromium
from tests.conftest import MISSING, LiveServer

EXTENSION = Path(__file__).resolve().parents[2] / "examples" / "browser-extension"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason=f"{MISSING} no chromium on PATH (apt-get install chromium)"
    ),
]

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>News</title></head><body>
<p>Everyone is sharing <a id="debunked" href="https://x.com/someone/status/1234567890?s=20">this post</a>,
<a id="plain" href="https://example.org/weather">the weather</a> and
<a id="other" href="https://x.com/someone/status/555">another post</a>.</p>
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


def test_extension_marks_the_debunked_link_only(
    live_server: LiveServer,
    make_review: Callable[..., dict[str, Any]],
    news_page: str,
    tmp_path: Path,
) -> None:
    make_review(
        claim={
            "text": "The moon is made of cheese",
            "language": "en",
            "appearances": [{"url": "https://twitter.com/someone/status/1234567890"}],
        }
    )
    extension = tmp_path / "extension"
    shutil.copytree(EXTENSION, extension)
    (extension / "config.js").write_text(f'const CLAIMREVIEW_API = "{live_server.url}";\n')
    dom = chromium(
        tmp_path / "profile",
        f"--disable-extensions-except={extension}",
        f"--load-extension={extension}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        news_page,
    )
    marked = dict(re.findall(r'<a id="(\w+)"[^>]*data-claimreview-verdict="(\w+)"', dom))
    assert marked == {"debunked": "false"}
    marks = re.findall(r'<a class="claimreview-mark" data-verdict="(\w+)"[^>]*>([^<]*)</a>', dom)
    assert marks == [("false", "False")]
