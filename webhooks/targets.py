"""Where webhooks may be sent: https URLs whose host resolves only to public addresses.

A webhook makes our servers send requests to an address the customer chose, so without these
checks it could reach our own network (databases, the cloud metadata service at 169.254.169.254).
The host is resolved when the endpoint is saved AND again before every delivery, and the request
is then made to the very address that was checked, so a DNS answer that changes in between
(DNS rebinding) gains nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """A checked URL and the addresses (all checked) the request may connect to, in order."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def private_targets_allowed() -> bool:
    """Development and tests may send to http:// and to this machine; production may not."""
    return bool(settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False))


def is_public_address(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:10.0.0.1, 64:ff9b::10.0.0.1 and 6to4's 2002:0a00:0001:: reach IPv4 hosts:
        # judge the IPv4 address.
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip in ipaddress.IPv6Network("64:ff9b::/96"):
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def split_url(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of a webhook URL, or a translated ValidationError."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValidationError(_("Enter a valid URL."), code="invalid_url") from exc
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if private_targets_allowed() else ("https",)
    if scheme not in allowed:
        raise ValidationError(_("Webhook URLs must start with https://."), code="https_required")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            _("Remove the user name and password from the URL; requests are signed instead."),
            code="credentials_in_url",
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValidationError(_("Enter a valid URL."), code="invalid_url")
    return scheme, host, port or (443 if scheme == "https" else 80)


def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise ValidationError(
            _("The host %(host)s could not be found. Check the address and try again.")
            % {"host": host},
            code="unknown_host",
        ) from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in answers:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise ValidationError(
            _("The host %(host)s could not be found. Check the address and try again.")
            % {"host": host},
            code="unknown_host",
        )
    return addresses


def check_target(url: str) -> Target:
    """Validate `url` and resolve its host; every address must be public (in production).

    All addresses are checked, not just the first, because the connection could use any of them.
    """
    scheme, host, port = split_url(url)
    addresses = resolve(host, port)
    if not private_targets_allowed():
        refused = [ip for ip in addresses if not is_public_address(ip)]
        if refused:
            raise ValidationError(
                _(
                    "%(host)s points to a private or reserved network address (%(address)s). "
                    "Webhooks can only be sent to public internet addresses."
                )
                % {"host": host, "address": refused[0]},
                code="private_address",
            )
    return Target(
        url=url.strip(),
        scheme=scheme,
        host=host,
        port=port,
        addresses=tuple(str(ip) for ip in addresses),
    )
