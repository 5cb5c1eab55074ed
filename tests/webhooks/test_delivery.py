"""Delivering to real local receivers: signed POSTs, back-off, giving up, disabling."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context

from compliance.models import AuditEvent
from tests import factories
from webhooks import delivery as deliveries
from webhooks import services, targets
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(tenant_a, owner_a, receiver, queued):
    """An endpoint of alpha on a local receiver, and one recap.started event for it."""

    def make(**options):
        rx = receiver(**options)
        with tenant_context(tenant_a):
            endpoint = services.create_endpoint(
                url=rx.url, events=["recap.started"], acting_user=owner_a
            )
            rx.secret = endpoint.secret
            payload = services.envelope(event="recap.started", data={"job": {"id": 42}})
            services.emit_event(event="recap.started", payload=payload)
            row = WebhookDelivery.objects.get(endpoint=endpoint)
        return rx, endpoint, row

    return make


def attempt(tenant, delivery_id: int) -> str | None:
    with tenant_context(tenant):
        return deliveries.attempt_delivery(delivery_id=delivery_id)


def due_now(tenant, delivery_id: int, **fields) -> None:
    with tenant_context(tenant):
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            next_attempt_at=timezone.now(), **fields
        )


def test_a_signed_delivery_succeeds_against_a_verifying_receiver(tenant_a, hook):
    rx, _endpoint, row = hook()
    assert attempt(tenant_a, row.pk) == "succeeded"
    [request] = rx.requests
    assert request.signature_ok and request.path == "/hooks/recap"
    assert request.headers["Webhook-Id"] == str(row.event_id)
    assert request.headers["Webhook-Event"] == "recap.started"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == row.payload
    with tenant_context(tenant_a):
        row.refresh_from_db()
        assert (row.status, row.attempts, row.response_status) == ("succeeded", 1, 204)
        assert row.delivered_at and row.duration_ms is not None and row.next_attempt_at is None
    # A second message for the same delivery (a redelivered task) sends nothing.
    assert attempt(tenant_a, row.pk) is None
    assert len(rx.requests) == 1


def test_a_failing_receiver_gets_retries_with_exponential_back_off(tenant_a, hook, queued):
    rx, endpoint, row = hook(status=500, body=b"upstream exploded " * 200)
    started = timezone.now()
    assert attempt(tenant_a, row.pk) == "failed"
    with tenant_context(tenant_a):
        row.refresh_from_db()
        assert (row.status, row.attempts, row.response_status) == ("failed", 1, 500)
        assert row.error == "HTTP 500"
        assert row.response_body.startswith("upstream exploded") and len(row.response_body) == 2048
        assert 29 <= (row.next_attempt_at - started).total_seconds() <= 32
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).consecutive_failures == 1
    assert [(q.delivery_id, q.countdown) for q in queued] == [(row.pk, 30)]
    # Early: the scheduled time has not come, so nothing is sent.
    assert attempt(tenant_a, row.pk) is None and len(rx.requests) == 1

    for expected in (60, 120):
        queued.clear()
        due_now(tenant_a, row.pk)
        assert attempt(tenant_a, row.pk) == "failed"
        assert [q.countdown for q in queued] == [expected]
    with tenant_context(tenant_a):
        row.refresh_from_db()
        assert row.attempts == 3
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).consecutive_failures == 3
    assert len(rx.requests) == 3 and all(r.signature_ok for r in rx.requests)


def test_back_off_doubles_from_thirty_seconds_up_to_an_hour():
    waits = [deliveries.backoff(n) for n in range(1, 12)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600]


def test_a_success_resets_the_endpoint_s_failure_count(tenant_a, hook):
    rx, endpoint, row = hook(status=503)
    attempt(tenant_a, row.pk)
    rx.status = 200
    due_now(tenant_a, row.pk)
    assert attempt(tenant_a, row.pk) == "succeeded"
    with tenant_context(tenant_a):
        endpoint.refresh_from_db()
        assert endpoint.consecutive_failures == 0 and endpoint.failing_since is None


def test_it_gives_up_when_the_next_attempt_would_fall_outside_24_hours(tenant_a, hook, queued):
    rx, _endpoint, row = hook(status=500)
    due_now(
        tenant_a, row.pk, created_at=timezone.now() - timedelta(hours=23, minutes=59, seconds=50)
    )
    assert attempt(tenant_a, row.pk) == "gave_up"
    with tenant_context(tenant_a):
        row.refresh_from_db()
        assert row.status == "gave_up" and row.next_attempt_at is None
    assert queued == [] and len(rx.requests) == 1


def test_a_delivery_older_than_the_window_is_given_up_without_sending(tenant_a, hook):
    rx, _endpoint, row = hook()
    due_now(tenant_a, row.pk, created_at=timezone.now() - timedelta(hours=25))
    assert attempt(tenant_a, row.pk) == "gave_up"
    assert rx.requests == []


def test_redirects_are_not_followed(tenant_a, hook):
    rx, _endpoint, row = hook(status=302, location="http://127.0.0.1:9/elsewhere")
    assert attempt(tenant_a, row.pk) == "failed"
    assert [r.path for r in rx.requests] == ["/hooks/recap"]
    with tenant_context(tenant_a):
        assert WebhookDelivery.objects.get(pk=row.pk).response_status == 302


def test_a_slow_receiver_times_out(tenant_a, hook, monkeypatch):
    monkeypatch.setattr(deliveries, "TIMEOUT_SECONDS", 0.3)
    _rx, _endpoint, row = hook(delay=1.5)
    assert attempt(tenant_a, row.pk) == "failed"
    with tenant_context(tenant_a):
        row.refresh_from_db()
        assert row.response_status is None and "timed out" in row.error


def test_a_host_that_turns_private_is_refused_at_delivery_time(
    tenant_a, owner_a, queued, settings, monkeypatch
):
    """DNS rebinding: public when saved, the internal network when delivered."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    answers = {"hooks.example.com": "93.184.215.14"}

    def resolver(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr(targets.socket, "getaddrinfo", resolver)
    with tenant_context(tenant_a):
        endpoint = services.create_endpoint(
            url="https://hooks.example.com/recap", events=["recap.started"], acting_user=owner_a
        )
        payload = services.envelope(event="recap.started", data={})
        [row] = services.emit_event(event="recap.started", payload=payload)
    answers["hooks.example.com"] = "10.0.0.7"
    assert attempt(tenant_a, row.pk) == "failed"
    with tenant_context(tenant_a):
        row.refresh_from_db()
        assert row.error.startswith("refused target:") and "(10.0.0.7)" in row.error
        assert row.response_status is None and endpoint.pk == row.endpoint_id


def test_a_loopback_target_is_refused_at_delivery_time_in_production(tenant_a, hook, settings):
    rx, _endpoint, row = hook()
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    assert attempt(tenant_a, row.pk) == "failed"
    assert rx.requests == []


def test_an_endpoint_failing_for_long_is_disabled_and_its_admins_are_emailed(
    tenant_a, owner_a, member_a, hook, queued, django_capture_on_commit_callbacks
):
    admin = factories.make_member(tenant_a, "admin-a@example.com", role="admin")
    admin.language = "fr"
    admin.save(update_fields=["language"])
    _rx, endpoint, row = hook(status=500)
    with tenant_context(tenant_a):
        payload = services.envelope(event="recap.started", data={})
        other = services.emit_event(event="recap.started", payload=payload)[0]
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=19, failing_since=timezone.now() - timedelta(hours=2)
        )
    mail.outbox.clear()
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert attempt(tenant_a, row.pk) == "gave_up"
    with tenant_context(tenant_a):
        endpoint.refresh_from_db()
        assert not endpoint.is_active and endpoint.consecutive_failures == 20
        assert endpoint.disabled_reason.startswith("Disabled after 20 failed deliveries")
        assert WebhookDelivery.objects.get(pk=other.pk).status == "gave_up"
    assert queued == []
    assert sorted(m.to[0] for m in mail.outbox) == ["admin-a@example.com", "owner-a@example.com"]
    owner_mail = next(m for m in mail.outbox if m.to == ["owner-a@example.com"])
    assert endpoint.url in owner_mail.subject and "HTTP 500" in owner_mail.body
    assert "PATCH /api/v1/webhook-endpoints/" in owner_mail.body
    audit = AuditEvent.objects.get(action="webhook.endpoint_disabled", tenant=tenant_a)
    assert audit.data["failures"] == 20


def test_a_short_burst_of_failures_does_not_disable_an_endpoint(tenant_a, hook):
    _rx, endpoint, row = hook(status=500)
    with tenant_context(tenant_a):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=40, failing_since=timezone.now() - timedelta(minutes=5)
        )
    assert attempt(tenant_a, row.pk) == "failed"
    with tenant_context(tenant_a):
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).is_active


def test_failing_for_more_than_a_day_disables_whatever_the_count(tenant_a, hook):
    _rx, endpoint, row = hook(status=500)
    with tenant_context(tenant_a):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=3, failing_since=timezone.now() - timedelta(hours=25)
        )
    assert attempt(tenant_a, row.pk) == "gave_up"
    with tenant_context(tenant_a):
        assert not WebhookEndpoint.objects.get(pk=endpoint.pk).is_active


def test_a_disabled_endpoint_gets_no_events_but_still_gets_test_events(tenant_a, owner_a, hook):
    rx, endpoint, row = hook()
    with tenant_context(tenant_a):
        services.update_endpoint(endpoint=endpoint, acting_user=owner_a, is_active=False)
    assert attempt(tenant_a, row.pk) == "gave_up"
    assert rx.requests == []
    with tenant_context(tenant_a):
        test = services.send_test_event(endpoint=endpoint, acting_user=owner_a)
    assert attempt(tenant_a, test.pk) == "succeeded"
    [request] = rx.requests
    assert request.headers["Webhook-Event"] == "webhook.test" and request.signature_ok
    assert request.json["data"]["endpoint"] == endpoint.pk


def test_after_a_rotation_receivers_still_holding_the_old_secret_verify(tenant_a, owner_a, hook):
    rx, endpoint, row = hook()
    with tenant_context(tenant_a):
        services.rotate_secret(endpoint=endpoint, acting_user=owner_a)
    assert attempt(tenant_a, row.pk) == "succeeded"  # rx.secret is still the old one
    assert rx.requests[0].signature_ok
    assert rx.requests[0].headers["Webhook-Signature"].count("v1=") == 2


def test_overdue_deliveries_are_found_for_the_sweep(tenant_a, hook):
    _rx, _endpoint, row = hook()
    with tenant_context(tenant_a):
        assert deliveries.overdue_deliveries() == []
        WebhookDelivery.objects.filter(pk=row.pk).update(
            next_attempt_at=timezone.now() - timedelta(minutes=5)
        )
        assert deliveries.overdue_deliveries() == [row.pk]


def test_the_body_sent_is_the_stored_payload(tenant_a, hook):
    rx, _endpoint, row = hook()
    attempt(tenant_a, row.pk)
    assert json.loads(rx.requests[0].body) == row.payload
