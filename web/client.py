"""Who is at the other end of a request: the client's address and country, read the same way by
every rule that needs them (an organisation's security policy, rate limits).

Forwarding headers are honoured only from our own proxies: the peer (REMOTE_ADDR) must be in
settings.TRUSTED_PROXIES, or, with TRUSTED_PROXY_COUNT proxies and no list, is assumed to be
the last of them. A header sent by anyone else is ignored, so a client cannot pick its address
or country (decision 0021 says why the chain is read here rather than by django-ipware).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

from . import geoip

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
# What CDNs send when they do not know the country (Cloudflare: XX, and T1 for Tor).
UNKNOWN_COUNTRIES = frozenset({"", "XX", "T1", "ZZ", "A1", "A2", "O1"})


@dataclass(frozen=True)
class ClientPlace:
    """Where a request comes from: an address, and its country (None when unknown)."""

    ip: str
    country: str | None


def parse_address(value: str | None) -> IpAddress | None:
    """An address, IPv4-mapped IPv6 ones (::ffff:192.0.2.1) as the IPv4 they carry."""
    try:
        address = ipaddress.ip_address((value or "").strip().split("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IpNetwork, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def trusted_proxies() -> tuple[IpNetwork, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _in(address: IpAddress | None, networks: tuple[IpNetwork, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def peer_is_trusted(request: HttpRequest) -> bool:
    """Whether the peer is one of our proxies, whose forwarding headers we believe."""
    proxies = trusted_proxies()
    if proxies:
        return _in(parse_address(request.META.get("REMOTE_ADDR")), proxies)
    return settings.TRUSTED_PROXY_COUNT > 0


def _forwarded_chain(request: HttpRequest) -> list[IpAddress | None]:
    """X-Forwarded-For's entries, left to right (several headers are joined by the server)."""
    return [parse_address(part) for part in request.META.get(FORWARDED_FOR, "").split(",")]


def client_ip(request: HttpRequest) -> str:
    """The client's address: the peer's own, unless the peer is a trusted proxy; then the entry
    our proxies recorded in X-Forwarded-For, read from the right, because a client can write
    anything on the left but each proxy appends the address it saw. With TRUSTED_PROXY_COUNT
    the N-th entry from the right; with TRUSTED_PROXIES the right-most entry that is not one of
    ours. A chain too short or unreadable there leaves the peer's address."""
    peer = parse_address(request.META.get("REMOTE_ADDR"))
    fallback = str(peer) if peer is not None else request.META.get("REMOTE_ADDR", "")
    if not peer_is_trusted(request) or not request.META.get(FORWARDED_FOR):
        return fallback
    chain = _forwarded_chain(request)
    if settings.TRUSTED_PROXY_COUNT > 0:
        if len(chain) < settings.TRUSTED_PROXY_COUNT:
            return fallback
        found = chain[-settings.TRUSTED_PROXY_COUNT]
    else:
        found = next((a for a in reversed(chain) if not _in(a, trusted_proxies())), None)
    return str(found) if found is not None else fallback


def client_country(request: HttpRequest, ip: str | None = None) -> str | None:
    """The client's country (ISO 3166-1 alpha-2): the CDN's header when a trusted proxy sends
    it (settings.GEOIP_COUNTRY_HEADER), else the GeoIP database's answer; None when unknown."""
    header = settings.GEOIP_COUNTRY_HEADER
    if header and peer_is_trusted(request):
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        value = request.META.get(meta_key, "").strip().upper()
        if value:
            return None if value in UNKNOWN_COUNTRIES or len(value) != 2 else value
    return geoip.country_of_address(ip or client_ip(request))


def client_place(request: HttpRequest) -> ClientPlace:
    """The request's address and country, read once per request."""
    place = getattr(request, "_client_place", None)
    if place is None:
        ip = client_ip(request)
        place = ClientPlace(ip=ip, country=client_country(request, ip))
        request._client_place = place
    return place
