"""Which organisation a request is for: path prefix, then X-Tenant-ID header, then host.

Each source that names an organisation must name the same one; a request whose sources
disagree is refused, so a link or a header can never move someone into another tenant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
