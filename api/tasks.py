"""Periodic upkeep of the API's own records, organisation by organisation."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import get_tenant_model, tenant_context

from .idempotency import purge_expired_records


@shared_task(name="api.tasks.purge_idempotency_records", acks_late=True, time_limit=600)
def purge_idempotency_records() -> int:
    count = 0
    for tenant in get_tenant_model().objects.exclude(schema_name="public"):
        with tenant_context(tenant):
            count += purge_expired_records()
    return count
