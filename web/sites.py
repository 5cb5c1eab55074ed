"""Absolute addresses of the product's own site and of each organisation's site."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _scheme_and_port(request: HttpRequest | None) -> tuple[str, str]:
    """With a request, its scheme and port (a development server on another port); without one
    (emails, the command line), the configured site scheme and port."""
    if request is not None:
        port = request.get_port()
        return request.scheme, "" if port in ("80", "443") else f":{port}"
    return settings.SITE_SCHEME, f":{settings.SITE_PORT}" if settings.SITE_PORT else ""


def tenant_base_url(tenant: Any, request: HttpRequest | None = None) -> str:
    """The absolute URL of an organisation's site, by subdomain or by path prefix."""
    scheme, port = _scheme_and_port(request)
    if settings.TENANT_URL_MODE == "path":
        return f"{scheme}://{settings.BASE_DOMAIN}{port}/t/{tenant.slug}"
    domain = tenant.get_primary_domain()
    host = domain.domain if domain else f"{tenant.slug}.{settings.BASE_DOMAIN}"
    return f"{scheme}://{host}{port}"


def public_base_url(request: HttpRequest | None = None) -> str:
    """The product's own site, from the configuration, never from a Host header (a request
    only lends its scheme and port, as for organisations' sites)."""
    scheme, port = _scheme_and_port(request)
    return f"{scheme}://{settings.BASE_DOMAIN}{port}"
