"""Which organisation a request is for: path prefix, then X-Tenant-ID header, then host.

Each source that names an organisation must name the same one; a request whose sources
disagree is refused, so a link or a header can never move someone into another tenant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name, remove_www

from .models import Domain, Tenant

PATH_PREFIX = re.compile(r"^/t/(?P<slug>[a-z0-9-]{1,40})(?P<rest>/.*)?$")
HEADER = "HTTP_X_TENANT_ID"


class UnknownTenant(Exception):
    """No organisation answers to this host, path or header."""


class ConflictingTenant(Exception):
    """Two sources name different organisations."""


@dataclass(frozen=True)
class Resolution:
    tenant: Tenant
    # The path below the `/t/<slug>` prefix, when the prefix chose the tenant.
    path_info: str | None = None
    prefix: str = ""


def tenant_for_slug(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug).exclude(schema_name=get_public_schema_name()).first()
    if tenant is None:
        raise UnknownTenant(slug)
    return tenant


def tenant_for_host(host: str) -> Tenant | None:
    """The organisation a host belongs to; the public one for the product's own domain."""
    hostname = remove_www(host.split(":")[0].lower().rstrip("."))
    domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    if domain is not None:
        return domain.tenant
    return None


def resolve(path: str, headers: dict[str, str], host: str) -> Resolution:
    """Pick the tenant for a request, or raise UnknownTenant / ConflictingTenant."""
    chosen: Tenant | None = None
    path_info: str | None = None
    prefix = ""

    match = PATH_PREFIX.match(path)
    if match:
        chosen = tenant_for_slug(match["slug"])
        path_info = match["rest"] or "/"
        prefix = f"/t/{match['slug']}"

    header = headers.get(HEADER, "").strip().lower()
    if header:
        by_header = tenant_for_slug(header)
        if chosen is not None and by_header.pk != chosen.pk:
            raise ConflictingTenant(header)
        chosen = by_header

    by_host = tenant_for_host(host)
    if by_host is None:
        raise UnknownTenant(host)
    if not by_host.is_public:
        if chosen is not None and by_host.pk != chosen.pk:
            raise ConflictingTenant(host)
        chosen = by_host
    return Resolution(tenant=chosen or by_host, path_info=path_info, prefix=prefix)


def tenant_base_url(tenant: Tenant, request: HttpRequest | None = None) -> str:
    """The absolute URL of an organisation's site, by subdomain or by path prefix.

    With a request, its scheme and port are kept (a development server on another port);
    without one (emails), the configured site scheme and port are used.
    """
    if request is not None:
        scheme, port = request.scheme, request.get_port()
        port = "" if port in ("80", "443") else f":{port}"
    else:
        scheme = settings.SITE_SCHEME
        port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    if settings.TENANT_URL_MODE == "path":
        return f"{scheme}://{settings.BASE_DOMAIN}{port}/t/{tenant.slug}"
    domain = tenant.get_primary_domain()
    host = domain.domain if domain else f"{tenant.slug}.{settings.BASE_DOMAIN}"
    return f"{scheme}://{host}{port}"


def public_base_url() -> str:
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{settings.BASE_DOMAIN}{port}"
