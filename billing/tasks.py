"""Celery tasks of billing, on the maintenance queue: thin wrappers over the services.

Nothing in the project imports this module; beat sends the tasks by name."""

from __future__ import annotations

from celery import shared_task

from . import metering, stripe_sync


@shared_task(name="billing.tasks.flush_api_calls", acks_late=True, time_limit=300)
def flush_api_calls() -> int:
    return metering.flush_api_calls()


@shared_task(name="billing.tasks.suspend_overdue", acks_late=True, time_limit=300)
def suspend_overdue() -> int:
    return len(stripe_sync.suspend_overdue())


@shared_task(name="billing.tasks.report_overage", acks_late=True, time_limit=600)
def report_overage() -> int:
    return metering.report_overage()
