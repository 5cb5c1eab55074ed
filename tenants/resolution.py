"""Which organisation a request is for: path prefix, then X-Tenant-ID header, then host.

Each source that names an organisation must name the same one; a request whose sources
disagree is refused, so a link or a header can never move someone into another tenant.
Hosts and slugs are answered from the shared cache (unknown ones too, for a short while);
every save or delete of a tenant or a domain forgets the entries it touches (`forget_*`,
connected in TenantsConfig.ready()).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.utils import get_public_schema_name, remove_www

from web import cache as shared

from .models import Domain, Tenant

PATH_PREFIX = re.compile(r"^/t/(?P<slug>[a-z0-9-]{1,40})(?P<rest>/.*)?$")
SLUG = re.compile(r"^[a-z0-9-]{1,40}$")
HEADER = "HTTP_X_TENANT_ID"
# An address nobody answers to is remembered briefly: signup forgets it at once anyway.
UNKNOWN_SECONDS = 60


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


def _host_key(hostname: str) -> str:
    return f"tenancy:host:{hostname}"


def _slug_key(slug: str) -> str:
    return f"tenancy:slug:{slug}"


def normalise_host(host: str) -> str:
    return remove_www(host.split(":")[0].lower().rstrip("."))


def _cached(key: str, load: Callable[[], Tenant | None]) -> Tenant | None:
    """The tenant under `key`, through the cache of the public schema's key space (the one
    resolution runs in); elsewhere straight from the database."""
    public = connection.schema_name == get_public_schema_name()
    found = shared.read(key) if public else shared.MISS
    if found is shared.MISS:
        found = load()
        if found is not None:
            # Only the row: a related object pickled along would go stale unseen.
            found._state.fields_cache = {}
        if public:
            ttl = settings.TENANT_CACHE_SECONDS if found is not None else UNKNOWN_SECONDS
            shared.fill(key, found, ttl)
    return found


def tenant_for_slug(slug: str) -> Tenant:
    if not SLUG.match(slug):
        raise UnknownTenant(slug)
    tenant = _cached(
        _slug_key(slug),
        lambda: (
            Tenant.objects.filter(slug=slug).exclude(schema_name=get_public_schema_name()).first()
        ),
    )
    if tenant is None:
        raise UnknownTenant(slug)
    return tenant


def tenant_for_host(host: str) -> Tenant | None:
    """The organisation a host belongs to; the public one for the product's own domain."""
    hostname = normalise_host(host)

    def load() -> Tenant | None:
        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
        return domain.tenant if domain is not None else None

    return _cached(_host_key(hostname), load)


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


def forget_hosts(*hostnames: str) -> None:
    shared.forget(
        (_host_key(normalise_host(name)) for name in hostnames if name),
        schema=get_public_schema_name(),
    )


def forget_tenant(tenant: Tenant, *, old_slug: str | None = None) -> None:
    """After any change to an organisation's row (status, plan, name, deletion): its slug and
    every host it answers to."""
    slugs = {tenant.slug, old_slug} - {None, ""}
    hosts = list(Domain.objects.filter(tenant_id=tenant.pk).values_list("domain", flat=True))
    shared.forget(
        [*(_slug_key(slug) for slug in slugs), *(_host_key(normalise_host(h)) for h in hosts)],
        schema=get_public_schema_name(),
    )


# Model signal receivers (connected in TenantsConfig.ready()): admin edits, services and tests
# alike go through them.
def tenant_changing(sender: type, instance: Tenant, **kwargs: Any) -> None:
    if instance.pk is not None:
        instance._slug_before_save = (
            Tenant.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
        )


def tenant_changed(sender: type, instance: Tenant, **kwargs: Any) -> None:
    forget_tenant(instance, old_slug=getattr(instance, "_slug_before_save", None))


def domain_changing(sender: type, instance: Domain, **kwargs: Any) -> None:
    if instance.pk is not None:
        instance._domain_before_save = (
            Domain.objects.filter(pk=instance.pk).values_list("domain", flat=True).first()
        )


def domain_changed(sender: type, instance: Domain, **kwargs: Any) -> None:
    forget_hosts(instance.domain, getattr(instance, "_domain_before_save", None) or "")
