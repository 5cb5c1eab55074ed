"""Reads about organisations that periodic work needs."""

from __future__ import annotations

from collections.abc import Iterator

from django_tenants.utils import get_public_schema_name, tenant_context

from .models import OPEN_STATUSES, Tenant


def in_each_tenant(*, active_only: bool = False) -> Iterator[Tenant]:
    """Yield every organisation with the connection switched to its schema.

    Periodic tasks run in the public schema; they visit the tenants explicitly through this.
    """
    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name())
    if active_only:  # open sites: active, or with a payment overdue
        tenants = tenants.filter(status__in=OPEN_STATUSES)
    for tenant in tenants:
        with tenant_context(tenant):
            yield tenant
