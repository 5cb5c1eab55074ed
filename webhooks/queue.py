"""Sending delivery tasks by name, with the organisation's schema attached (tenant-schemas-celery
puts the current schema in the message headers). Nothing imports webhooks.tasks but Celery."""

from __future__ import annotations

from typing import Any

from celery import current_app
from django_tenants.utils import tenant_context

DELIVER = "webhooks.tasks.deliver"


def queue_delivery(delivery_id: int, *, tenant: Any, countdown: int | None = None) -> None:
    with tenant_context(tenant):
        current_app.send_task(DELIVER, args=(delivery_id,), countdown=countdown)
