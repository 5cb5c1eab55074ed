"""Usage alerts: when a charge takes an organisation past the warning share (80%) or the whole
(100%) of a limit, a QuotaAlert row (one per month, kind and threshold) and an event that
webhooks and the owners' email subscribe to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from . import events
from .limits import limits_of, month_start, usage_of
from .models import QuotaAlert, UsageRecord


def thresholds() -> tuple[int, int]:
    return settings.QUOTA_WARNING_PERCENT, 100


def _used_and_limit(tenant: Any, kind: str) -> tuple[float, float | None]:
    limits, usage = limits_of(tenant), usage_of(tenant)
    if kind == UsageRecord.Kind.STORAGE_BYTES:
        return usage.storage_bytes, limits.storage_bytes
    if kind == UsageRecord.Kind.PROCESSING_SECONDS:
        return usage.processing_seconds_this_month, limits.processing_seconds
    return usage.api_calls_this_month, None


def after_usage(tenant: Any, kind: str) -> list[int]:
    """Alert for each threshold the usage of `kind` has now reached and that was not told this
    month; returns the thresholds alerted. Runs in the caller's transaction."""
    used, limit = _used_and_limit(tenant, kind)
    if not limit:
        return []
    told = []
    for percent in thresholds():
        if used * 100 < limit * percent:
            continue
        try:
            # A savepoint: a concurrent charge that told first makes this insert fail alone.
            with transaction.atomic():
                QuotaAlert.objects.create(
                    tenant_id=tenant.pk, kind=kind, threshold=percent, month=month_start()
                )
        except IntegrityError:
            continue
        told.append(percent)
    if told:
        # The highest threshold crossed is what people need to hear about.
        events.publish(
            events.QuotaThresholdReached(
                tenant=tenant, kind=kind, percent=max(told), used=used, limit=float(limit)
            )
        )
    return told
