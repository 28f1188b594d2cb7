"""Fixtures: a real database (SQLite file, or PostgreSQL from CLAIMREVIEW_TEST_DATABASE_URL), a real
uvicorn server on 127.0.0.1, an HTTP client, and API keys. Each test starts from empty tables."""

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from sqlalchemy import text
from sqlmodel import SQLModel

from app.config import Settings
from app.domain import keys, publishers
from app.domain.access import COMMAND_LINE
from app.domain.schemas import ApiKeyCreate, PublisherCreate, Role
from app.main import create_app
from app.rules import urls, verdicts
from app.storage.database import Database, make_database
from app.storage.migrate import upgrade

DATA = Path(__file__).parent / "data"

# Hypothesis' default deadline (200 ms per example) fails at random on a 2-CPU machine shared with
# other work, so it is set here on purpose. "default" allows 2 s per example: the properties test
# pure functions that take microseconds, so only a pathological slowdown (a regex that backtracks
# without end) reaches it, and the machine's load does not. "mutation" (`make mutation`) has no
# deadline, since mutmut times out slow mutants itself, draws the same examples for every mutant
# so that a kill is reproducible, and runs each test in several executors, which is expected there.
# Tests that go over HTTP set `deadline=None` themselves: their time is the server's, not the code's.
settings.register_profile("default", deadline=2000)
settings.register_profile(
    "mutation",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.differing_executors, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# A test that cannot run because this machine lacks a service or a browser skips with a reason
# starting with this. In CI (`CI` set, as .ci/run has it) such a skip fails the run instead:
# CI starts every service and installs the browser, so a skip there means a test did not run.
MISSING = "missing service or browser:"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    if report.skipped and os.environ.get("CI") and MISSING in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where nothing may be missing: {report.longrepr}"
    return report


# Under mutation testing a mutant may loop for ever (a loop over a host's labels that no longer
# moves on, say). mutmut stops a mutant after 15 times the time of all the tests that reach its
# function: for the URL functions, reached by most of the selection, that is over 20 minutes.
# Each test is bounded instead, setup and teardown included: past the bound the process stops the
# way mutmut stops a mutant that ran too long (SIGXCPU), so that the mutant counts as timed out.
# A test that takes longer by design says how long it may take: `@pytest.mark.slow(seconds)`.
MUTATION_TEST_SECONDS = 30


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    if (
        "MUTANT_UNDER_TEST" not in os.environ
        or threading.current_thread() != threading.main_thread()
    ):
        return (yield)
    marker = item.get_closest_marker("slow")
    seconds = marker.args[0] if marker else MUTATION_TEST_SECONDS
    previous = signal.signal(signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGXCPU))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return (yield)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def pytest_report_header() -> str:
    return f"database: {_engine_name()}"


def _engine_name() -> str:
    url = os.environ.get("CLAIMREVIEW_TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgresql") else "sqlite"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("CLAIMREVIEW_TEST_DATABASE_URL")
    if url:
        db = make_database(url)
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        db.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def db(database_url: str) -> Iterator[Database]:
    database = make_database(database_url)
    yield database
    database.dispose()


@dataclass
class LiveServer:
    url: str
    settings: Settings
    app: FastAPI


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(settings: Settings) -> Iterator[LiveServer]:
    """A real uvicorn server on a free port of 127.0.0.1, in a thread, for the block's duration."""
    port = _free_port()
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", settings=settings, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(database_url: str) -> Iterator[LiveServer]:
    settings = Settings(
        database_url=database_url,
        token_secret="test-secret",
        webhook_allow_private=True,  # the tests' receivers listen on 127.0.0.1
        webhook_retry_base_seconds=0.05,
        # The suite sends thousands of requests from one address; tests/operations checks
        # the limits on servers of their own.
        rate_limit_anonymous="",
        rate_limit_key="",
    )
    with serve(settings) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Under mutation testing (mutmut sets MUTANT_UNDER_TEST) each test starts with the
    module-level caches empty: a URL key or the verdict table computed before the test, by the
    unmutated code, would let a mutant pass untested and attribute the function to another test."""
    if "MUTANT_UNDER_TEST" in os.environ:
        urls._normalized.cache_clear()
        urls._canonical_host.cache_clear()
        verdicts._table.cache_clear()


@pytest.fixture(autouse=True)
def clean_tables(request: pytest.FixtureRequest) -> None:
    if "db" not in request.fixturenames and "client" not in request.fixturenames:
        return
    db: Database = request.getfixturevalue("db")
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if db.is_sqlite:
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))
            # FTS5 with external content keeps its own index: emptied apart, or the next test's
            # claims (whose ids start again at 1) would match the words of this test's.
            connection.execute(text("INSERT INTO search_fts (search_fts) VALUES ('delete-all')"))
        else:
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    if "client" in request.fixturenames:
        # The change log starts again at cursor 1 in each test: a cursor equal to the last
        # test's would not tell the server's read cache that everything changed.
        state = request.getfixturevalue("live_server").app.state
        state.read_cache.forget()
        # The tables were emptied: each copy is loaded again. The log starts again too, and
        # may reach the cursor a copy last read with other changes than it read then.
        state.search_mirror.reset()
        state.known_addresses.reset()
        # What the tests write through `db` (a Database of their own) the server learns at its
        # next poll of the change log, as it would another instance's write; the tests read it
        # at once, so the server treats it as its own.
        for callback in (
            state.read_cache.forget,
            state.known_addresses.committed,
            state.search_mirror.committed,
        ):
            callback()
            if callback not in db.committed:
                db.committed.append(callback)


@pytest.fixture
def client(live_server: LiveServer, db: Database) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        yield http


# --- data builders ------------------------------------------------------------------------------


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def make_publisher(db: Database) -> Callable[..., str]:
    def make(publisher_id: str = "verifact", **fields: Any) -> str:
        data = {
            "id": publisher_id,
            "name": fields.pop("name", publisher_id.title()),
            "url": fields.pop("url", f"https://{publisher_id}.example/"),
            "sites": fields.pop("sites", [f"{publisher_id}.example"]),
            "languages": fields.pop("languages", ["en"]),
            **fields,
        }
        with db.unit_of_work() as session:
            publishers.create_publisher(session, COMMAND_LINE, PublisherCreate(**data))
        return publisher_id

    return make


@pytest.fixture
def make_key(db: Database) -> Callable[..., str]:
    def make(role: str, publisher_id: str | None = None) -> str:
        with db.unit_of_work() as session:
            created = keys.create_key(
                session, COMMAND_LINE, ApiKeyCreate(role=Role(role), publisher_id=publisher_id)
            )
        return created.key

    return make


@pytest.fixture
def admin_key(make_key: Callable[..., str]) -> str:
    return make_key("admin")


@pytest.fixture
def publisher(make_publisher: Callable[..., str]) -> str:
    return make_publisher("verifact")


@pytest.fixture
def editor_key(make_key: Callable[..., str], publisher: str) -> str:
    return make_key("editor", publisher)


def review_body(url: str = "https://verifact.example/checks/1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "url": url,
        "headline": "No, the moon is not made of cheese",
        "rating": {"label": "False", "value": 1, "best": 5, "worst": 1},
        "status": "published",
        "date_published": "2024-03-05T10:00:00Z",
        "claim": {
            "text": "The moon is made of cheese",
            "language": "en",
            "claimant": {"name": "A viral post", "type": "Organization"},
            "claim_date": "2024-03-01",
            "appearances": [{"url": "https://x.com/someone/status/1234567890"}],
        },
    }
    body.update(overrides)
    return body


@pytest.fixture
def make_review(client: httpx.Client, editor_key: str) -> Callable[..., dict[str, Any]]:
    counter = iter(range(1, 10_000))

    def make(key: str | None = None, **overrides: Any) -> dict[str, Any]:
        overrides.setdefault("url", f"https://verifact.example/checks/{next(counter)}")
        response = client.post(
            "/v1/reviews", json=review_body(**overrides), headers=auth(key or editor_key)
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    return make


@pytest.fixture
def publish(client: httpx.Client, editor_key: str) -> Callable[..., dict[str, Any]]:
    counter = iter(range(1, 10_000))

    def make(text: str, language: str = "en", **review: Any) -> dict[str, Any]:
        claim = {"text": text, "language": language}
        claim.update(review.pop("claim", {}))
        body = {
            "url": f"https://verifact.example/s/{next(counter)}",
            "rating": {"label": review.pop("label", "False")},
            "status": "published",
            "date_published": review.pop("date_published", "2024-01-01T00:00:00Z"),
            "claim": claim,
            **review,
        }
        response = client.post("/v1/reviews", json=body, headers=auth(editor_key))
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    return make


@pytest.fixture
def netflix(
    client: httpx.Client, make_publisher: Callable[..., str], make_key: Callable[..., str]
) -> dict[str, Any]:
    make_publisher(
        "journal-du-geek",
        name="Journal du Geek",
        url="https://www.journaldugeek.com/",
        sites=["journaldugeek.com"],
        languages=["fr"],
    )
    reference = load_json(REFERENCE)
    rating = reference["reviewRating"]
    item = reference["itemReviewed"]
    body = {
        "url": reference["url"],
        "headline": reference["name"],
        "language": "fr",
        "date_published": reference["datePublished"],
        "status": "published",
        "rating": {
            "label": rating["alternateName"],
            "value": rating["ratingValue"],
            "best": rating["bestRating"],
            "worst": rating["worstRating"],
            "explanation": rating["ratingExplanation"],
        },
        "claim": {
            "text": reference["claimReviewed"],
            "language": "fr",
            "claimant": {"name": item["author"]["name"], "type": "Person"},
            "claim_date": item["datePublished"],
            "appearances": [{"url": a["url"]} for a in item["appearance"]],
        },
    }
    response = client.post(
        "/v1/reviews", json=body, headers=auth(make_key("editor", "journal-du-geek"))
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


REFERENCE = "examples/netflix-binge-watch-hoax.fr.jsonld"


def load_json(relative: str) -> Any:
    return json.loads((DATA / relative).read_text(encoding="utf-8"))
