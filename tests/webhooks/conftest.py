"""Webhook fixtures: local receivers, local targets allowed, and queued deliveries recorded."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tests.webhooks import receiver as receivers


@pytest.fixture(autouse=True)
def _local_targets(settings):
    """Receivers listen on 127.0.0.1 over http; production settings refuse that (test_targets)."""
    settings.DEBUG = False
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def receiver():
    made = []

    def make(**options) -> receivers.Receiver:
        made.append(receivers.start(receivers.Receiver(**options)))
        return made[-1]

    yield make
    for one in made:
        receivers.stop(one)


@dataclass
class Queued:
    delivery_id: int
    countdown: int | None
    schema: str


class DeliveryQueue(list):
    """What `webhooks.tasks.deliver` was sent, with the schema the message would carry."""

    def run(self) -> list[str | None]:
        """Play every queued message as a worker would (the retries they queue wait)."""
        from tenants.models import Tenant
        from webhooks.delivery import attempt_delivery

        pending, self[:] = list(self), []
        results = []
        for message in pending:
            # The worker's tenant-aware task sets the full tenant, not just the schema.
            with tenant_context(Tenant.objects.get(schema_name=message.schema)):
                results.append(attempt_delivery(delivery_id=message.delivery_id))
        return results


@pytest.fixture
def queued(monkeypatch) -> DeliveryQueue:
    """Messages for the delivery task are kept here instead of going to the broker."""
    from celery import current_app

    from webhooks.queue import DELIVER

    queue = DeliveryQueue()
    send_task = current_app.send_task

    def record(name, args=None, countdown=None, **options):
        if name != DELIVER:
            return send_task(name, args=args, countdown=countdown, **options)
        queue.append(Queued(args[0], countdown, connection.schema_name))
        return None

    monkeypatch.setattr(current_app, "send_task", record)
    return queue
