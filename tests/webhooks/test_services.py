"""Managing endpoints (owners and admins, audited) and emitting events after commit only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_tenants.utils import tenant_context

from compliance.models import AuditEvent
from tests import factories
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

ALL = ["movie.uploaded", "recap.started", "recap.completed", "recap.failed"]


def make_endpoint(owner, url="http://127.0.0.1:9/hook", events=ALL, **extra) -> WebhookEndpoint:
    return services.create_endpoint(url=url, events=events, acting_user=owner, **extra)


def emit(event: str = "recap.started") -> list[WebhookDelivery]:
    payload = services.envelope(event=event, data={"job": {"id": 1}})
    return services.emit_event(event=event, payload=payload)


def test_an_owner_creates_an_endpoint_with_a_generated_secret_and_an_audit_row(tenant_a, owner_a):
    with tenant_context(tenant_a):
        endpoint = make_endpoint(
            owner_a, events=["recap.failed", "movie.uploaded", "recap.failed"], description="CI"
        )
        assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
        assert endpoint.events == ["movie.uploaded", "recap.failed"]  # product order, no repeats
        assert endpoint.is_active and endpoint.created_by_id == owner_a.pk
    audit = AuditEvent.objects.get(action="webhook.endpoint_created", tenant=tenant_a)
    assert audit.actor_id == owner_a.pk and audit.target == f"webhook_endpoint:{endpoint.pk}"


def test_members_cannot_manage_webhooks_but_staff_can(tenant_a, member_a):
    staff = factories.make_user("staff@example.com", is_staff=True)
    with tenant_context(tenant_a):
        with pytest.raises(PermissionDenied, match="Only owners and admins"):
            make_endpoint(member_a)
        assert make_endpoint(staff).pk
    admin = factories.make_member(tenant_a, "admin-a@example.com", role="admin")
    with tenant_context(tenant_a):
        assert make_endpoint(admin).pk


@pytest.mark.parametrize(
    ("events", "message"),
    [(["recap.exploded"], "Unknown event: recap.exploded."), ([], "Choose at least one event.")],
)
def test_events_must_be_known_and_not_empty(tenant_a, owner_a, events, message):
    with tenant_context(tenant_a):
        with pytest.raises(ValidationError) as caught:
            make_endpoint(owner_a, events=events)
        assert caught.value.message_dict == {"events": [message]}
        assert not WebhookEndpoint.objects.exists()


def test_a_refused_url_creates_nothing(tenant_a, owner_a, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with tenant_context(tenant_a):
        with pytest.raises(ValidationError) as caught:
            make_endpoint(owner_a, url="https://10.1.2.3/hook")
        assert "private or reserved network address" in caught.value.message_dict["url"][0]
        assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(action="webhook.endpoint_created").exists()


def test_rotating_the_secret_keeps_the_old_one_signing_for_a_day(tenant_a, owner_a):
    from django.utils import timezone

    with tenant_context(tenant_a):
        endpoint = make_endpoint(owner_a)
        old = endpoint.secret
        rotated = services.rotate_secret(endpoint=endpoint, acting_user=owner_a)
        assert rotated.secret != old and rotated.previous_secret == old
        now = timezone.now()
        assert rotated.signing_secrets(now) == [rotated.secret, old]
        assert rotated.signing_secrets(now + services.ROTATION_GRACE) == [rotated.secret]
    assert AuditEvent.objects.filter(action="webhook.secret_rotated", tenant=tenant_a).exists()


def test_turning_an_endpoint_back_on_forgets_its_failures(tenant_a, owner_a):
    from django.utils import timezone

    with tenant_context(tenant_a):
        endpoint = make_endpoint(owner_a)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_active=False, disabled_reason="Disabled after 20 failed deliveries",
            consecutive_failures=20, failing_since=timezone.now(),
        )  # fmt: skip
        endpoint.refresh_from_db()
        on = services.update_endpoint(endpoint=endpoint, acting_user=owner_a, is_active=True)
        assert on.is_active and on.consecutive_failures == 0
        assert on.disabled_reason == "" and on.failing_since is None
        off = services.update_endpoint(endpoint=on, acting_user=owner_a, is_active=False)
        assert not off.is_active and off.disabled_reason
    audit = AuditEvent.objects.filter(action="webhook.endpoint_updated").order_by("pk").first()
    assert audit.data["changes"] == ["is_active"]


def test_deleting_an_endpoint_removes_its_deliveries(tenant_a, owner_a, queued):
    with tenant_context(tenant_a):
        endpoint = make_endpoint(owner_a)
        emit()
        services.delete_endpoint(endpoint=endpoint, acting_user=owner_a)
        assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    assert AuditEvent.objects.filter(action="webhook.endpoint_deleted").exists()


def test_emit_reaches_only_active_endpoints_subscribed_to_the_event(
    tenant_a, owner_a, queued, django_capture_on_commit_callbacks
):
    with tenant_context(tenant_a):
        wanted = make_endpoint(owner_a, events=["recap.started"])
        make_endpoint(owner_a, events=["recap.completed"])
        off = make_endpoint(owner_a, events=ALL)
        services.update_endpoint(endpoint=off, acting_user=owner_a, is_active=False)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            deliveries = emit("recap.started")
        assert [d.endpoint_id for d in deliveries] == [wanted.pk]
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending" and delivery.attempts == 0
        assert str(delivery.event_id) == delivery.payload["id"]
        assert delivery.payload["type"] == "recap.started"
        assert delivery.payload["tenant"] == "alpha"
    # Nothing is queued before the transaction commits.
    assert queued == []
    for callback in callbacks:
        callback()
    assert [(q.delivery_id, q.schema) for q in queued] == [(delivery.pk, tenant_a.schema_name)]


def test_a_rolled_back_change_sends_nothing(
    tenant_a, owner_a, queued, django_capture_on_commit_callbacks
):
    with tenant_context(tenant_a):
        make_endpoint(owner_a)
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    emit("recap.started")
                    raise RuntimeError("the change failed after the event")
            except RuntimeError:
                pass
        assert not WebhookDelivery.objects.exists()
    assert queued == []


def test_an_endpoint_of_another_organisation_never_gets_the_event(
    tenant_a, tenant_b, owner_a, owner_b, queued, django_capture_on_commit_callbacks
):
    with tenant_context(tenant_b):
        theirs = make_endpoint(owner_b)
    with tenant_context(tenant_a):
        ours = make_endpoint(owner_a)
        with django_capture_on_commit_callbacks(execute=True):
            emit("movie.uploaded")
        assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [ours.pk]
    with tenant_context(tenant_b):
        assert not WebhookDelivery.objects.filter(endpoint=theirs).exists()
    assert {q.schema for q in queued} == {tenant_a.schema_name}


def test_the_public_schema_emits_nothing(platform):
    assert emit("movie.uploaded") == []
