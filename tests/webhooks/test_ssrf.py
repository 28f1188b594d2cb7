"""Webhooks never reach inside (issue 9, item 4): the address is checked at every delivery, the
connection goes to the address checked, a redirect is never followed, and inside addresses are
recognised in every spelling."""

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.domain import webhooks
from app.domain.webhook_transport import Refused, is_inside, post, resolve
from app.storage.database import Database
from tests.conftest import LiveServer, auth

INSIDE = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # shared address space
    "0.0.0.0",
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",  # multicast
    "ff0e::1",  # global-scope multicast is still not a receiver
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo (client 10.0.0.1)
]
OUTSIDE = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::1"]


class TestInsideAddresses:
    @pytest.mark.parametrize("address", INSIDE)
    def test_every_spelling_of_an_inside_address_is_inside(self, address: str) -> None:
        assert is_inside(ipaddress.ip_address(address))

    @pytest.mark.parametrize("address", OUTSIDE)
    def test_global_addresses_are_outside(self, address: str) -> None:
        assert not is_inside(ipaddress.ip_address(address))

    @pytest.mark.parametrize(
        "url",
        [
            "http://2130706433/hook",  # decimal 127.0.0.1
            "http://0x7f000001/hook",  # hex
            "http://0x7f.1/hook",
            "http://0177.0.0.1/hook",  # octal
            "http://127.1/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://[64:ff9b::7f00:1]/hook",
            "http://[2002:a00:1::1]/hook",
            "http://localhost/hook",
            "http://224.0.0.1/hook",
        ],
    )
    def test_numeric_and_named_spellings_resolve_to_inside_and_are_refused(self, url: str) -> None:
        with pytest.raises(Refused):
            resolve(url, allow_private=False)

    def test_a_subscription_to_an_inside_address_is_a_422(
        self, client: httpx.Client, live_server: LiveServer, make_key: Callable[..., str]
    ) -> None:
        # The test server allows private targets; this app does not.
        live_server.app.state.settings = live_server.settings.model_copy(
            update={"webhook_allow_private": False}
        )
        try:
            response = client.post(
                "/v1/webhooks",
                json={"url": "http://2130706433/hook"},
                headers=auth(make_key("partner")),
            )
        finally:
            live_server.app.state.settings = live_server.settings
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "url"


@dataclass
class Endpoint:
    """A real HTTP server on 127.0.0.1 answering every POST with `status` (and `location`)."""

    status: int = 204
    location: str | None = None
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    port: int = 0


@pytest.fixture
def endpoints() -> Iterator[Callable[..., Endpoint]]:
    servers: list[ThreadingHTTPServer] = []

    def start(status: int = 204, location: str | None = None) -> Endpoint:
        state = Endpoint(status, location)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                state.requests.append(dict(self.headers))
                self.send_response(state.status)
                if state.location:
                    self.send_header("Location", state.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                self.do_POST()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        state.port = server.server_address[1]
        state.url = f"http://127.0.0.1:{state.port}/hook"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class TestDelivery:
    def test_an_inside_receiver_is_refused_at_delivery_without_a_connection(
        self, endpoints: Callable[..., Endpoint]
    ) -> None:
        inside = endpoints()
        with pytest.raises(Refused):
            post(inside.url, b"{}", {}, 5, allow_private=False)
        assert inside.requests == []

    def test_a_redirect_is_not_followed(self, endpoints: Callable[..., Endpoint]) -> None:
        target = endpoints()
        redirecting = endpoints(307, location=target.url)
        status = post(
            redirecting.url, b"{}", {"Webhook-Signature": "t=1,v1=x"}, 5, allow_private=True
        )
        assert status == 307
        assert len(redirecting.requests) == 1
        assert target.requests == []

    def test_the_connection_goes_to_the_address_checked(
        self, endpoints: Callable[..., Endpoint]
    ) -> None:
        """A name resolved once: a second answer (DNS rebinding) would never be asked for."""
        receiver = endpoints()
        asked: list[str] = []

        def resolver(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
            asked.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

        url = f"http://receiver.test:{receiver.port}/hook"
        assert post(url, b"{}", {}, 5, allow_private=True, resolver=resolver) == 204
        assert asked == ["receiver.test"]
        assert receiver.requests[0]["Host"] == f"receiver.test:{receiver.port}"

    def test_the_deliverer_checks_again_and_records_a_redirect_as_a_failure(
        self,
        client: httpx.Client,
        db: Database,
        live_server: LiveServer,
        make_key: Callable[..., str],
        make_review: Callable[..., dict[str, Any]],
        endpoints: Callable[..., Endpoint],
    ) -> None:
        partner = make_key("partner")
        inside = endpoints()
        target = endpoints()
        redirecting = endpoints(307, location=target.url)
        # Both subscribed while private targets were allowed (as the test server allows them).
        hooks = [
            client.post("/v1/webhooks", json={"url": url}, headers=auth(partner)).json()["id"]
            for url in (inside.url, redirecting.url)
        ]
        make_review()
        with db.unit_of_work() as session:
            assert webhooks.queue(session) == 2

        strict = Settings(database_url=live_server.settings.database_url)
        webhooks.send_due(db, strict)  # the inside receiver is refused now
        assert inside.requests == []
        refused = client.get(f"/v1/webhooks/{hooks[0]}/deliveries", headers=auth(partner))
        delivery = refused.json()["deliveries"][0]
        assert delivery["status"] == "pending"
        assert delivery["last_status"] is None
        assert "inside address" in delivery["last_error"]

        allowing = strict.model_copy(update={"webhook_allow_private": True})
        with db.unit_of_work() as session:  # due again at once
            session.connection().exec_driver_sql(
                "UPDATE webhook_delivery SET next_attempt_at = created_at"
            )
        webhooks.send_due(db, allowing)
        redirected = client.get(f"/v1/webhooks/{hooks[1]}/deliveries", headers=auth(partner))
        delivery = redirected.json()["deliveries"][0]
        assert delivery["status"] == "pending"
        assert delivery["last_status"] == 307
        assert target.requests == []
