"""Writes on the current organisation's webhook endpoints, and emitting events to them.

Every function is keyword-only and atomic, writes its audit row in the same transaction, and
queues deliveries with `transaction.on_commit`: nothing is sent for a change that rolled back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from compliance.services import record_event

from . import targets
from .models import (
    SUBSCRIBABLE_EVENTS,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    new_secret,
)
from .queue import queue_delivery

# How long the old secret keeps signing after a rotation, so receivers can switch over.
ROTATION_GRACE = timedelta(hours=24)


def can_manage_webhooks(user: Any) -> bool:
    """Owners and admins of the current organisation manage webhooks; staff may too."""
    return access.holds_role(user=user, tenant=connection.tenant, roles=access.MANAGER_ROLES)


def require_manager(*, user: Any) -> None:
    access.require_role(
        user=user,
        tenant=connection.tenant,
        roles=access.MANAGER_ROLES,
        message=_("Only owners and admins of this organisation manage webhooks."),
    )


def clean_events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(events))
    unknown = [name for name in chosen if name not in SUBSCRIBABLE_EVENTS]
    if unknown:
        raise ValidationError(
            {"events": _("Unknown event: %(event)s.") % {"event": unknown[0]}}, code="bad_event"
        )
    if not chosen:
        raise ValidationError({"events": _("Choose at least one event.")}, code="no_events")
    # Stored in the product's order, whatever order they were given in.
    return [name for name in SUBSCRIBABLE_EVENTS if name in chosen]


def clean_url(url: str) -> str:
    try:
        return targets.check_target(url).url
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from exc


def _audit(action: str, endpoint: WebhookEndpoint, actor: Any, **data: Any) -> None:
    record_event(
        action=action,
        actor=actor,
        tenant=connection.tenant,
        target=f"webhook_endpoint:{endpoint.pk}",
        data={"url": endpoint.url, **data},
    )


@transaction.atomic
def create_endpoint(
    *, url: str, events: Iterable[str], description: str = "", acting_user: Any
) -> WebhookEndpoint:
    require_manager(user=acting_user)
    endpoint = WebhookEndpoint.objects.create(
        url=clean_url(url),
        events=clean_events(events),
        description=description.strip()[:200],
        created_by_id=getattr(acting_user, "pk", None),
    )
    _audit("webhook.endpoint_created", endpoint, acting_user, events=endpoint.events)
    return endpoint


@transaction.atomic
def update_endpoint(
    *,
    endpoint: WebhookEndpoint,
    acting_user: Any,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what was given; turning a disabled endpoint back on forgets its failures."""
    require_manager(user=acting_user)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    changed: dict[str, Any] = {}
    if url is not None and url.strip() != locked.url:
        locked.url = changed["url"] = clean_url(url)
    if events is not None:
        cleaned = clean_events(events)
        if cleaned != locked.events:
            locked.events = changed["events"] = cleaned
    if description is not None and description.strip()[:200] != locked.description:
        locked.description = changed["description"] = description.strip()[:200]
    if is_active is not None and is_active != locked.is_active:
        locked.is_active = changed["is_active"] = is_active
        if is_active:
            locked.disabled_reason, locked.disabled_at = "", None
            locked.consecutive_failures, locked.failing_since = 0, None
        else:
            locked.disabled_reason = _("Turned off by a person.")
            locked.disabled_at = timezone.now()
    if changed:
        locked.save()
        _audit("webhook.endpoint_updated", locked, acting_user, changes=sorted(changed))
    return locked


@transaction.atomic
def rotate_secret(*, endpoint: WebhookEndpoint, acting_user: Any) -> WebhookEndpoint:
    """A new secret signs from now on; the old one also signs for ROTATION_GRACE."""
    require_manager(user=acting_user)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.previous_secret = locked.secret
    locked.previous_secret_expires_at = timezone.now() + ROTATION_GRACE
    locked.secret = new_secret()
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    _audit("webhook.secret_rotated", locked, acting_user)
    return locked


@transaction.atomic
def delete_endpoint(*, endpoint: WebhookEndpoint, acting_user: Any) -> None:
    require_manager(user=acting_user)
    _audit("webhook.endpoint_deleted", endpoint, acting_user)
    # Its deliveries go with it; a delivery task that wakes up later finds nothing to do.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


def envelope(*, event: str, data: dict[str, Any]) -> dict[str, Any]:
    """The payload every event shares: id, type, created, tenant, then the event's data."""
    return {
        "id": str(uuid.uuid4()),
        "type": str(event),
        "created": timezone.now().isoformat().replace("+00:00", "Z"),
        "tenant": getattr(connection.tenant, "slug", connection.schema_name),
        "data": data,
    }


def _queue(deliveries: list[WebhookDelivery]) -> None:
    if not deliveries:
        return
    tenant = connection.tenant
    ids = [delivery.pk for delivery in deliveries]

    def send() -> None:
        for delivery_id in ids:
            queue_delivery(delivery_id, tenant=tenant)

    transaction.on_commit(send)


@transaction.atomic
def emit_event(*, event: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """One delivery per active endpoint of the CURRENT organisation subscribed to `event`.

    The deliveries are written in the caller's transaction and sent after it commits.
    """
    if event not in SUBSCRIBABLE_EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    if connection.schema_name == "public":
        return []  # events belong to an organisation; the public schema has no endpoints
    now = timezone.now()
    event_id = uuid.UUID(str(payload["id"]))
    endpoints = WebhookEndpoint.objects.filter(is_active=True, events__contains=[event])
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint, event=event, event_id=event_id, payload=payload,
            next_attempt_at=now,
        )
        for endpoint in endpoints
    )  # fmt: skip
    _queue(deliveries)
    return deliveries


@transaction.atomic
def send_test_event(*, endpoint: WebhookEndpoint, acting_user: Any) -> WebhookDelivery:
    """Send a `webhook.test` event to this endpoint only, active or not."""
    require_manager(user=acting_user)
    payload = envelope(
        event=WebhookEvent.TEST,
        data={"endpoint": endpoint.pk, "message": "This is a test event from Movie Recap."},
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=WebhookEvent.TEST,
        event_id=payload["id"],
        payload=payload,
        next_attempt_at=timezone.now(),
    )
    _audit("webhook.test_sent", endpoint, acting_user, delivery=delivery.pk)
    _queue([delivery])
    return delivery


@transaction.atomic
def redeliver(*, delivery: WebhookDelivery, acting_user: Any) -> WebhookDelivery:
    """Send a finished delivery again, with a fresh retry window (same event id)."""
    require_manager(user=acting_user)
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
        raise ValidationError(_("This delivery is still being attempted."), code="in_progress")
    copy = WebhookDelivery.objects.create(
        endpoint_id=locked.endpoint_id,
        event=locked.event,
        event_id=locked.event_id,
        payload=locked.payload,
        next_attempt_at=timezone.now(),
    )
    _audit("webhook.redelivered", locked.endpoint, acting_user, delivery=copy.pk)
    _queue([copy])
    return copy
