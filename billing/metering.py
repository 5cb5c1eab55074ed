"""Metering that is not a single ledger row per event: API calls counted in Redis and written
to the ledger as one row per organisation and hour, and Enterprise processing past the agreed
hours reported to Stripe's billing meter."""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime
from typing import Any

import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import gateway
from .limits import limits_of, month_start, usage_of
from .models import Subscription, UsageRecord

log = logging.getLogger(__name__)

# One Redis hash per hour (field: organisation id, value: calls), and the set of those hours.
HOURS_KEY = f"{settings.CACHES['default'].get('KEY_PREFIX', 'recap')}:api-calls:hours"


def _redis() -> redis.Redis:
    return _client(settings.REDIS_URL)


@functools.lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    # One client and connection pool per process: a new one per call opened a connection to
    # Redis on every API request.
    return redis.Redis.from_url(url)


def _hour_key(hour: str) -> str:
    return f"{HOURS_KEY[: -len('hours')]}{hour}"


def current_hour(now: datetime | None = None) -> str:
    return (now or timezone.now()).astimezone(UTC).strftime("%Y-%m-%dT%H")


def count_api_call(tenant: Any) -> None:
    """One call of the integrator API by `tenant`: two Redis commands, no database write."""
    hour = current_hour()
    try:
        pipe = _redis().pipeline(transaction=False)
        pipe.hincrby(_hour_key(hour), str(tenant.pk), 1)
        pipe.sadd(HOURS_KEY, hour)
        pipe.execute()
    except redis.RedisError as exc:
        # Metering must never refuse a call; an outage loses its counts, and says so.
        log.warning("API call of tenant %s not counted: %s", tenant.pk, exc)


UPSERT = """
INSERT INTO billing_usagerecord (tenant_id, kind, quantity, reference, created_at)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (tenant_id, kind, reference) WHERE reference <> ''
DO UPDATE SET quantity = billing_usagerecord.quantity + EXCLUDED.quantity
"""


def flush_api_calls() -> int:
    """Add the counted calls to the ledger (one row per organisation and hour) and take them
    off the counters after the commit. Returns the calls written."""
    client = _redis()
    written = 0
    for raw_hour in sorted(client.smembers(HOURS_KEY)):
        hour = raw_hour.decode()
        counts = {int(k): int(v) for k, v in client.hgetall(_hour_key(hour)).items() if int(v)}
        started = datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=UTC)
        with transaction.atomic(), connection.cursor() as cursor:
            for tenant_id, calls in counts.items():
                cursor.execute(
                    UPSERT, [tenant_id, UsageRecord.Kind.API_CALLS, calls, f"api:{hour}", started]
                )
            written += sum(counts.values())
        # Taken off only what was written, so calls counted meanwhile wait for the next flush.
        pipe = client.pipeline()
        for tenant_id, calls in counts.items():
            pipe.hincrby(_hour_key(hour), str(tenant_id), -calls)
        pipe.execute()
        if hour < current_hour() and not any(int(v) for v in client.hvals(_hour_key(hour))):
            client.delete(_hour_key(hour))
            client.srem(HOURS_KEY, hour)
    return written


def report_overage(*, now: datetime | None = None) -> int:
    """Report to Stripe, in whole minutes, the processing of each organisation on a plan sold
    on a quote beyond its agreed hours this month. Returns the minutes reported."""
    if not gateway.is_configured():
        return 0
    month = month_start()
    reported = 0
    candidates = Subscription.objects.filter(
        tenant__plan__contact_sales=True, custom_processing_hours__isnull=False
    ).exclude(stripe_customer_id="")
    for subscription in candidates.select_related("tenant", "tenant__plan"):
        tenant = subscription.tenant
        included = limits_of(tenant).processing_seconds or 0
        over = max(0.0, usage_of(tenant).processing_seconds_this_month - included)
        already = (
            subscription.overage_reported_seconds if subscription.overage_month == month else 0
        )
        minutes = int((over - already) // 60)
        if minutes <= 0:
            continue
        total = int(already // 60) + minutes
        try:
            gateway.report_overage(
                customer=subscription.stripe_customer_id,
                minutes=minutes,
                # The same increment reported twice (a crash before the save) counts once.
                identifier=f"overage-{tenant.pk}-{month:%Y-%m}-{total}",
                timestamp=int((now or timezone.now()).timestamp()),
            )
        except gateway.GatewayError as exc:
            log.warning("overage of tenant %s not reported yet: %s", tenant.pk, exc)
            continue
        Subscription.objects.filter(pk=subscription.pk).update(
            overage_month=month, overage_reported_seconds=total * 60
        )
        reported += minutes
    return reported
