"""The client's address, believing `X-Forwarded-For` only from trusted proxies.

`LEREND_TRUSTED_PROXIES` lists addresses or networks (CIDR), comma-separated. When the
connection comes from one of them, the forwarded chain is read from the right and the
first address that is not itself a trusted proxy is the client; otherwise the connection's
own address is. A header sent by anyone else is ignored, so a client cannot choose its
own rate-limit bucket.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(getattr(settings, "LEREND_TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(remote, networks):
        return remote or "unknown"
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # a malformed chain: stop believing it
        if not _trusted(hop, networks):
            return hop
    return remote
