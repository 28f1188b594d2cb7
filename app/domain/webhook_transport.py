"""How a webhook delivery reaches its receiver without reaching inside (SSRF).

Every delivery resolves the receiver's host, refuses it when any address is an inside one, and
connects to the address it checked: no second resolution (a DNS answer that changes between
the check and the connection, "DNS rebinding", gains nothing). A redirect is never followed: a
3xx is the receiver's answer, a failed attempt like any other non-2xx.

Inside means anything but a global unicast address, in every spelling: private, loopback,
link-local, shared, reserved and multicast ranges; IPv6 forms that carry an IPv4 address
(`::ffff:0:0/96` mapped, `::/96` compatible, `64:ff9b::/96` NAT64, `2002::/16` 6to4, Teredo),
judged by the IPv4 address they carry; and IPv4 written in decimal, octal or hex
(`2130706433`, `0x7f.1`), which resolution turns into the address it means.
"""

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[tuple[Any, ...]]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_COMPATIBLE = ipaddress.ip_network("::/96")


class Refused(ValueError):
    """The receiver's address is an inside one (or cannot be resolved)."""


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, in any of the forms that carry one."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # the client's address
    if ip in _NAT64 or ip in _COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_inside(ip: IPAddress) -> bool:
    """True for any address but a global unicast one, judged by the IPv4 address that an IPv6
    form carries."""
    if ip.is_multicast or not ip.is_global:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return True
        carried = embedded_ipv4(ip)
        if carried is not None:
            return is_inside(carried)
    return False


def _address(text: str) -> IPAddress:
    return ipaddress.ip_address(text.split("%")[0])  # drop an IPv6 zone id ("fe80::1%eth0")


@dataclass(frozen=True)
class Target:
    """A receiver resolved and checked: connect to `address`, say `host` (Host, SNI, cert)."""

    scheme: str
    host: str
    port: int
    address: str
    path: str


def resolve(url: str, *, allow_private: bool, resolver: Resolver = socket.getaddrinfo) -> Target:
    """Resolve once and check every address the name has (a name with one inside address among
    public ones is refused: which one a client uses is not ours to choose)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"not an http(s) URL: {url[:100]}")
    port = parts.port or (443 if scheme == "https" else 80)
    try:
        infos = resolver(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"{parts.hostname} does not resolve") from exc
    addresses = [_address(str(info[4][0])) for info in infos]
    if not addresses:
        raise Refused(f"{parts.hostname} does not resolve")
    if not allow_private:
        inside = [str(a) for a in addresses if is_inside(a)]
        if inside:
            raise Refused(f"{parts.hostname} resolves to an inside address ({inside[0]})")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, parts.hostname, port, str(addresses[0]), path)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, not the address connected to.
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    *,
    allow_private: bool,
    resolver: Resolver = socket.getaddrinfo,
) -> int:
    """POST to the receiver at the address checked; its status, redirects included (never
    followed). Raises Refused for an inside address, OSError for a network failure."""
    target = resolve(url, allow_private=allow_private, resolver=resolver)
    pinned = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = pinned(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # enough to end the exchange; the body is not used
        return response.status
    finally:
        connection.close()
