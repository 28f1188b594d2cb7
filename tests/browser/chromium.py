"""Where the browser tests find Chromium: Debian's package (`/usr/bin/chromium`), driven by
Playwright (which never downloads a browser of its own here)."""

import shutil

import pytest

from tests.conftest import MISSING

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    print(
        "browser tests skipped: no chromium on PATH (Debian's `chromium` package; .ci/run installs it)"
    )

needs_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason=f"{MISSING} no chromium on PATH (apt-get install chromium)"
    ),
]
# Switches that keep a headless run quiet and local: no background calls home.
ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
