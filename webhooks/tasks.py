"""Celery tasks for webhooks: thin wrappers that run in the organisation's schema."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from tenants.selectors import in_each_tenant

from . import delivery

log = logging.getLogger(__name__)


@shared_task(name="webhooks.tasks.deliver", acks_late=True, soft_time_limit=45, time_limit=60)
def deliver(delivery_id: int) -> str | None:
    """One attempt of one delivery; the next one, if any, is scheduled by the attempt itself."""
    try:
        return delivery.attempt_delivery(delivery_id=delivery_id)
    except SoftTimeLimitExceeded:
        # The claimed row keeps its lease date, so the overdue sweep tries it again later.
        log.warning("webhook delivery %s hit the time limit", delivery_id)
        return None


@shared_task(name="webhooks.tasks.queue_overdue_deliveries", acks_late=True, time_limit=300)
def queue_overdue_deliveries() -> int:
    """Queue again deliveries whose message was lost or whose worker died, in every tenant."""
    count = 0
    for _tenant in in_each_tenant(active_only=True):
        for delivery_id in delivery.overdue_deliveries():
            deliver.delay(delivery_id)
            count += 1
    return count
