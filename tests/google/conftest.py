"""Google's own Python client (google-api-python-client), built from the discovery document it
ships for the Fact Check Tools API, pointed at the live test server: what a Google user runs,
with only the base URL changed. No network: the server is on 127.0.0.1."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import googleapiclient
import httplib2
import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import Resource, build_from_document

from tests.conftest import LiveServer

DISCOVERY = (
    Path(googleapiclient.__file__).parent
    / "discovery_cache"
    / "documents"
    / "factchecktools.v1alpha1.json"
)


@pytest.fixture(scope="session")
def discovery() -> dict[str, Any]:
    """The discovery document bundled with the client: the contract the client is built from."""
    document: dict[str, Any] = json.loads(DISCOVERY.read_text(encoding="utf-8"))
    return document


@pytest.fixture
def google_api(live_server: LiveServer, client: Any) -> Iterator[Callable[..., Resource]]:
    """google_api() is the service without a key (public reads: the client sends a dummy
    `key=`, as Google's developer keys go); google_api(key) sends `Authorization: Bearer key`.
    `client` is asked for so that each test starts from empty tables. Each service's
    connections are closed after the test."""
    built: list[Resource] = []

    def build(key: str | None = None) -> Resource:
        options = {"api_endpoint": live_server.url + "/"}
        if key is None:
            service = build_from_document(
                DISCOVERY.read_text(encoding="utf-8"),
                client_options=options,
                developerKey="unused-developer-key",
                http=httplib2.Http(timeout=30),
            )
        else:
            service = build_from_document(
                DISCOVERY.read_text(encoding="utf-8"),
                client_options=options,
                credentials=Credentials(token=key),
            )
        built.append(service)
        return service

    yield build
    for service in built:
        service.close()
