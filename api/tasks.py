"""Upkeep of the API's own records: the periodic purge, organisation by organisation, and the
last use of API keys, written off the request path."""

from __future__ import annotations

from celery import shared_task
from django.utils.dateparse import parse_datetime

from tenants.selectors import in_each_tenant

from . import services, token_families
from .idempotency import purge_expired_records


@shared_task(name="api.tasks.purge_idempotency_records", acks_late=True, time_limit=600)
def purge_idempotency_records() -> int:
    return sum(purge_expired_records() for _tenant in in_each_tenant())


@shared_task(name="api.tasks.purge_token_families", acks_late=True, time_limit=600)
def purge_token_families() -> int:
    # The families live with the people, in the public schema: one sweep for everyone.
    return token_families.purge_ended_families()


@shared_task(name=services.RECORD_KEY_USE, acks_late=True, time_limit=60, ignore_result=True)
def record_key_use(key_id: int, used_at: str) -> None:
    # Runs in the key's organisation: the message carries its schema (tenant-schemas-celery).
    services.record_key_use(key_id=key_id, used_at=parse_datetime(used_at))
