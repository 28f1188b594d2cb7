"""A real HTTP receiver on 127.0.0.1 for the webhook tests."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest


@dataclass
class Receiver:
    """Refuses (503) its first `fail_first` calls and answers `status` to the rest. Call number
    `hold_call` (1-based) is recorded, then waits for `release` before answering: a deliverer can
    be stopped at a known point instead of inside a timing window."""

    fail_first: int = 0
    status: int = 204  # the acknowledgement
    hold_call: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    calls: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with state.lock:
                state.calls += 1
                number = state.calls
                failing = number <= state.fail_first
                if not failing:
                    state.received.append(orjson.loads(body))
                    state.headers.append(dict(self.headers))
                    state.bodies.append(body)
            if number == state.hold_call:
                state.holding.set()
                state.release.wait(60)
            try:
                self.send_response(503 if failing else state.status)
                self.end_headers()
            except OSError:
                pass  # the deliverer was killed while this call was held

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
