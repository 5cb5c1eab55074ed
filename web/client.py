"""Who is calling: the client address, the one place that decides whether a forwarded-for
header is believed (only from a trusted proxy, read from the right by the proxy count)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _trusted_networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _is_trusted_proxy(peer: str) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXY_CIDRS))
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The caller's address. X-Forwarded-For counts only when the connection comes from a
    trusted proxy; then the address TRUSTED_PROXY_COUNT hops from the right is the client's,
    so whatever a caller prepends to the header is never read."""
    peer = request.META.get("REMOTE_ADDR") or ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or not _is_trusted_proxy(peer):
        return peer
    # The peer is the last proxy: with it at the end of the chain, the last
    # TRUSTED_PROXY_COUNT entries are our proxies and the one before them is the client.
    meta = {"HTTP_X_FORWARDED_FOR": f"{forwarded}, {peer}"}
    request_like = HttpRequest()
    request_like.META = meta
    address, _routable = get_client_ip(
        request_like,
        proxy_order="left-most",
        proxy_count=settings.TRUSTED_PROXY_COUNT,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return address or peer
