"""What an organisation may use (its plan, or the limits agreed for a plan sold on a quote)
and what it has used: storage, this month's processing and API calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from .models import Plan, Subscription, UsageRecord

GB = 1024**3


@dataclass(frozen=True)
class Usage:
    storage_bytes: int
    processing_seconds_this_month: float
    api_calls_this_month: int = 0


@dataclass(frozen=True)
class Limits:
    """What an organisation may use; None is unlimited."""

    storage_bytes: int | None
    processing_seconds: int | None
    max_movie_seconds: float | None
    # Processing past the limit is billed as overage instead of refused (plans on a quote).
    processing_overage: bool = False


def plan_of(tenant: Any) -> Plan | None:
    return getattr(tenant, "plan", None)


def agreement_of(tenant: Any) -> Subscription | None:
    return Subscription.objects.filter(tenant_id=tenant.pk).first()


def limits_of(tenant: Any) -> Limits:
    plan = plan_of(tenant)
    if plan is None:
        return Limits(None, None, None)
    if plan.contact_sales:
        agreed = agreement_of(tenant) or Subscription()
        storage_gb, hours = agreed.custom_storage_gb, agreed.custom_processing_hours
        minutes = agreed.custom_max_movie_minutes
    else:
        storage_gb, hours = plan.storage_gb, plan.processing_hours_per_month
        minutes = plan.max_movie_minutes
    return Limits(
        storage_bytes=None if storage_gb is None else storage_gb * GB,
        processing_seconds=None if hours is None else hours * 3600,
        max_movie_seconds=None if minutes is None else minutes * 60.0,
        processing_overage=plan.contact_sales,
    )


def month_start() -> date:
    return timezone.localdate().replace(day=1)


def month_started() -> datetime:
    """When this month's meters (processing, API calls) started counting."""
    return timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def usage_of(tenant: Any) -> Usage:
    this_month = Q(created_at__gte=month_started())
    # One query for the three sums (the dashboard reads them on every visit).
    totals = UsageRecord.objects.filter(tenant_id=tenant.pk).aggregate(
        storage=Sum("quantity", filter=Q(kind=UsageRecord.Kind.STORAGE_BYTES)),
        processing=Sum("quantity", filter=this_month & Q(kind=UsageRecord.Kind.PROCESSING_SECONDS)),
        calls=Sum("quantity", filter=this_month & Q(kind=UsageRecord.Kind.API_CALLS)),
    )
    return Usage(
        int(totals["storage"] or 0), float(totals["processing"] or 0), int(totals["calls"] or 0)
    )
