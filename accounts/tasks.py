"""Periodic upkeep of accounts."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="accounts.tasks.expire_invitations", acks_late=True, time_limit=300)
def expire_invitations() -> int:
    return services.expire_invitations()
