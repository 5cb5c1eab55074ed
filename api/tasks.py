"""Periodic upkeep of the API's own records, organisation by organisation."""

from __future__ import annotations

from celery import shared_task

from tenants.selectors import in_each_tenant

from .idempotency import purge_expired_records


@shared_task(name="api.tasks.purge_idempotency_records", acks_late=True, time_limit=600)
def purge_idempotency_records() -> int:
    return sum(purge_expired_records() for _tenant in in_each_tenant())
