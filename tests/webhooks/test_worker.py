"""A real Celery worker delivers a signed event to a local receiver, in the right schema."""

from __future__ import annotations

import time

import pytest
from django_tenants.utils import tenant_context

from tests import factories
from tests.webhooks import receiver as receivers
from tests.worker import celery_worker
from webhooks import services
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.worker


@pytest.fixture
def tenant(transactional_db):
    factories.ensure_platform()
    tenant = factories.make_tenant("hooks")
    yield tenant
    tenant.delete(force_drop=True)


def test_a_worker_delivers_a_committed_event(tenant):
    owner = factories.make_member(tenant, "owner@hooks.example", role="owner")
    rx = receivers.start(receivers.Receiver())
    try:
        with celery_worker(queues="default", extra_env={"WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1"}):
            with tenant_context(tenant):
                endpoint = services.create_endpoint(
                    url=rx.url, events=["movie.uploaded"], acting_user=owner
                )
                rx.secret = endpoint.secret
                payload = services.envelope(event="movie.uploaded", data={"movie": {"id": 1}})
                # Autocommit: the transaction commits here and the task goes to Redis.
                [delivery] = services.emit_event(event="movie.uploaded", payload=payload)
            [request] = rx.wait_for(1, seconds=45)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with tenant_context(tenant):
                    delivery.refresh_from_db()
                if delivery.status != "pending":
                    break
                time.sleep(0.1)
    finally:
        receivers.stop(rx)
    assert request.signature_ok and request.json["tenant"] == "hooks"
    assert request.headers["Webhook-Id"] == str(delivery.event_id)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 204)
    with tenant_context(tenant):
        assert WebhookDelivery.objects.count() == 1
