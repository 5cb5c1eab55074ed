"""Making one delivery attempt, scheduling the next one, and disabling endpoints that keep failing.

The WebhookDelivery row is the source of truth: an attempt starts only by claiming the row with
one conditional UPDATE (due, not finished), which also dates it a lease ahead, so a duplicate
task or the sweep for overdue deliveries never sends the same attempt twice.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compliance.services import record_event

from . import signing, targets, transport
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .notifications import endpoint_disabled
from .queue import queue_delivery

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# Longer than the task's hard time limit: an attempt in flight is never claimed twice.
ATTEMPT_LEASE = timedelta(minutes=2)
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 60 * 60
RETRY_WINDOW = timedelta(hours=24)
# An endpoint is disabled after this many failures in a row, once it has been failing for at
# least DISABLE_MIN_FAILING (so one burst of events during a short outage does not disable it),
# or when it has failed without a single success for DISABLE_AFTER_FAILING.
DISABLE_AFTER_FAILURES = 20
DISABLE_MIN_FAILING = timedelta(hours=1)
DISABLE_AFTER_FAILING = timedelta(hours=24)
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


def backoff(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min … at most 1 h."""
    return min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1))


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(delivery: WebhookDelivery, body: bytes, now: datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        "Webhook-Id": str(delivery.event_id),
        "Webhook-Event": delivery.event,
        "Webhook-Signature": signing.sign(delivery.endpoint.signing_secrets(now), body, timestamp),
    }


def claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Take the next attempt of a due delivery, or None (finished, not due, or taken)."""
    taken = WebhookDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery_id,
        status__in=OPEN,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + ATTEMPT_LEASE)
    if not taken:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def attempt_delivery(*, delivery_id: int) -> str | None:
    """Make one attempt if it is due; return the delivery's status afterwards (None: not ours)."""
    now = timezone.now()
    delivery = claim(delivery_id, now)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    if not endpoint.is_active and delivery.event != WebhookEvent.TEST:
        finish(delivery, DeliveryStatus.GAVE_UP, error="endpoint disabled")
        return DeliveryStatus.GAVE_UP
    if now - delivery.created_at > RETRY_WINDOW:
        finish(delivery, DeliveryStatus.GAVE_UP, error="retry window over")
        return DeliveryStatus.GAVE_UP
    try:
        # Resolved again now: the address approved at save time may have changed since.
        target = targets.check_target(endpoint.url)
    except ValidationError as exc:
        response = transport.Response(None, "", f"refused target: {exc.messages[0]}", 0)
    else:
        body = body_of(delivery)
        headers = signed_headers(delivery, body, now)
        response = transport.post(target, body, headers, timeout=TIMEOUT_SECONDS)
    if response.ok:
        record_success(delivery, response)
        return DeliveryStatus.SUCCEEDED
    return record_failure(delivery, response)


def finish(delivery: WebhookDelivery, status: str, *, error: str = "") -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, error=error, next_attempt_at=None
    )


def _response_fields(response: transport.Response) -> dict[str, Any]:
    return {
        "response_status": response.status,
        "response_body": response.body[: transport.BODY_EXCERPT_BYTES],
        "error": response.error,
        "duration_ms": response.duration_ms,
    }


def record_success(delivery: WebhookDelivery, response: transport.Response) -> None:
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SUCCEEDED,
            delivered_at=timezone.now(),
            next_attempt_at=None,
            **_response_fields(response),
        )
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
            consecutive_failures=0, failing_since=None
        )


def record_failure(delivery: WebhookDelivery, response: transport.Response) -> str:
    """Log the attempt, schedule the next one inside the window, and maybe disable the endpoint."""
    now = timezone.now()
    next_at = now + timedelta(seconds=backoff(delivery.attempts))
    status = DeliveryStatus.FAILED
    if next_at - delivery.created_at > RETRY_WINDOW:
        status, next_at = DeliveryStatus.GAVE_UP, None
    log.warning(
        "webhook delivery %s (%s) to endpoint %s failed, attempt %s: %s %s; %s",
        delivery.pk, delivery.event, delivery.endpoint_id, delivery.attempts,
        response.status, response.error, f"next at {next_at}" if next_at else "giving up",
        extra={"delivery": delivery.pk, "endpoint": delivery.endpoint_id},
    )  # fmt: skip
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=status, next_attempt_at=next_at, **_response_fields(response)
        )
        if delivery.event != WebhookEvent.TEST and count_failure(
            delivery.endpoint_id, now, last_error=_summary(response)
        ):
            status, next_at = DeliveryStatus.GAVE_UP, None  # disable() gave up every open one
    if next_at is not None:
        queue_delivery(
            delivery.pk, tenant=connection.tenant, countdown=int((next_at - now).total_seconds())
        )
    return status


def _summary(response: transport.Response) -> str:
    return f"HTTP {response.status}" if response.status else response.error


def count_failure(endpoint_id: int, now: datetime, *, last_error: str = "") -> bool:
    """Count a failed attempt on the endpoint; True if that got the endpoint disabled."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    endpoint.consecutive_failures += 1
    endpoint.failing_since = endpoint.failing_since or now
    failing_for = now - endpoint.failing_since
    endpoint.save(update_fields=["consecutive_failures", "failing_since"])
    too_many = endpoint.consecutive_failures >= DISABLE_AFTER_FAILURES
    if endpoint.is_active and (
        (too_many and failing_for >= DISABLE_MIN_FAILING) or failing_for >= DISABLE_AFTER_FAILING
    ):
        disable(endpoint, now, last_error=last_error)
        return True
    return False


def disable(endpoint: WebhookEndpoint, now: datetime, *, last_error: str = "") -> None:
    """Turn a failing endpoint off, give up its open deliveries, and tell the owners and admins."""
    tenant = connection.tenant
    hours = max(1, round((now - endpoint.failing_since).total_seconds() / 3600))
    # Written once, in the organisation's language: it is shown to its people as it is.
    with translation.override(getattr(tenant, "default_language", None) or "en"):
        endpoint.disabled_reason = _(
            "Disabled after %(count)d failed deliveries in a row over about %(hours)d hours."
        ) % {"count": endpoint.consecutive_failures, "hours": hours}
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.save(update_fields=["is_active", "disabled_reason", "disabled_at"])
    WebhookDelivery.objects.filter(endpoint=endpoint, status__in=OPEN).update(
        status=DeliveryStatus.GAVE_UP, next_attempt_at=None, error="endpoint disabled"
    )
    tenant = connection.tenant
    record_event(
        action="webhook.endpoint_disabled",
        actor=None,
        tenant=tenant,
        target=f"webhook_endpoint:{endpoint.pk}",
        data={
            "url": endpoint.url,
            "failures": endpoint.consecutive_failures,
            "last_error": last_error,
        },
    )
    endpoint_id = endpoint.pk

    def tell() -> None:
        endpoint_disabled(endpoint_id, tenant, last_error=last_error)

    transaction.on_commit(tell)


def overdue_deliveries(grace: timedelta = timedelta(minutes=1)) -> list[int]:
    """Open deliveries whose attempt is overdue: their message was lost or their worker died."""
    cutoff = timezone.now() - grace
    return list(
        WebhookDelivery.objects.filter(status__in=OPEN, next_attempt_at__lt=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
