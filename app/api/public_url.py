"""The base URL of the links the service writes (oEmbed, the embed card's discovery link, feed
`Link` headers): `CLAIMREVIEW_PUBLIC_URL` when set; otherwise where this request reached the
service, so `claimreview serve --port 8767` writes links to port 8767 with no setting.

The scheme and host are the request's own (its `Host` header); `X-Forwarded-Proto` and
`X-Forwarded-Host` are believed only from a proxy listed in `CLAIMREVIEW_FORWARDED_ALLOW_IPS`,
as `X-Forwarded-For` is (app.api.ratelimit). A Host that is not a host name or address with an
optional port is not echoed: the address the connection arrived at is used instead.
"""

import ipaddress
import re
from functools import cache
from typing import Annotated

from fastapi import Depends, Request

from app.api.deps import SettingsDep
from app.api.ratelimit import Network, trusted_networks

_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
)
_SCHEMES = frozenset({"http", "https"})


@cache
def _trusted(entries: tuple[str, ...]) -> list[Network]:
    return trusted_networks(list(entries))


def _from_trusted_proxy(request: Request, allowed: list[str]) -> bool:
    if not allowed or request.client is None:
        return False
    try:
        peer = ipaddress.ip_address(request.client.host)
    except ValueError:
        return False
    return any(peer in network for network in _trusted(tuple(allowed)))


def _nearest(value: str | None) -> str | None:
    """The value the nearest proxy added (the last of a comma-separated list)."""
    if not value:
        return None
    return value.rsplit(",", 1)[-1].strip() or None


def request_base_url(
    request: Request, public_url: str | None, forwarded_allow_ips: list[str]
) -> str:
    if public_url:
        return public_url.rstrip("/")
    scheme = request.url.scheme
    host = request.headers.get("host")
    if _from_trusted_proxy(request, forwarded_allow_ips):
        proto = _nearest(request.headers.get("x-forwarded-proto"))
        scheme = proto.lower() if proto and proto.lower() in _SCHEMES else scheme
        host = _nearest(request.headers.get("x-forwarded-host")) or host
    if scheme not in _SCHEMES:
        scheme = "http"
    if not host or not _HOST.fullmatch(host):
        server = request.scope.get("server") or ("127.0.0.1", 80)
        address = f"[{server[0]}]" if ":" in str(server[0]) else str(server[0])
        host = f"{address}:{server[1]}" if server[1] else address
    return f"{scheme}://{host}"


async def get_public_url(request: Request, settings: SettingsDep) -> str:
    return request_base_url(request, settings.public_url, settings.forwarded_allow_ips)


PublicUrlDep = Annotated[str, Depends(get_public_url)]
