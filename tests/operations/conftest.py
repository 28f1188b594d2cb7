"""Servers of their own for the operations tests: real `uvicorn app.main:app` processes with the
settings a test chooses, on the suite's database, so that one test can run two instances, cut
an instance off its database or crowd it without touching the shared test server."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REDIS_URL = os.environ.get("CLAIMREVIEW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Instance:
    url: str
    process: subprocess.Popen[bytes]

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **options)  # type: ignore[arg-type]


def start(env: dict[str, str], port: int | None = None) -> Instance:
    port = port or free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("claimreview")), "serve", "--port", str(port)],
        env={"CLAIMREVIEW_LOG_LEVEL": "warning", **os.environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return Instance(url, process)
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the server did not start")
        time.sleep(0.1)


@pytest.fixture
def spawn(database_url: str) -> Iterator[Callable[..., Instance]]:
    """spawn(CLAIMREVIEW_X="...") starts an instance; each is stopped after the test."""
    running: list[Instance] = []

    def make(environment: dict[str, str] | None = None, **settings: str) -> Instance:
        env = {
            "CLAIMREVIEW_DATABASE_URL": database_url,
            "CLAIMREVIEW_TOKEN_SECRET": "operations-secret",
            "CLAIMREVIEW_RATE_LIMIT_ANONYMOUS": "",
            "CLAIMREVIEW_RATE_LIMIT_KEY": "",
            "CLAIMREVIEW_WEBHOOK_ALLOW_PRIVATE": "true",
        }
        env.update({f"CLAIMREVIEW_{k.upper()}": v for k, v in settings.items()})
        env.update(environment or {})
        instance = start(env)
        running.append(instance)
        return instance

    yield make
    for instance in running:
        instance.process.terminate()
    for instance in running:
        try:
            instance.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            instance.process.kill()


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_url() -> str:
    import redis

    if not redis_available():
        pytest.skip(f"needs Redis at {REDIS_URL} (.ci/run starts it)")
    redis.Redis.from_url(REDIS_URL).flushdb()
    return REDIS_URL
