"""Plan limits: storage, longest movie, processing hours per month. Raise QuotaExceeded with a
translated sentence that says what to do next."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Plan, UsageRecord

GB = 1024**3
# First key of the advisory lock that serialises one organisation's quota checks.
QUOTA_LOCK = 0x51075


class QuotaExceeded(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Usage:
    storage_bytes: int
    processing_seconds_this_month: float


def plan_of(tenant: object) -> Plan | None:
    return getattr(tenant, "plan", None)


def usage_of(tenant: object) -> Usage:
    records = UsageRecord.objects.filter(tenant=tenant)
    storage = records.filter(kind=UsageRecord.Kind.STORAGE_BYTES).aggregate(n=Sum("quantity"))
    month_start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    processing = records.filter(
        kind=UsageRecord.Kind.PROCESSING_SECONDS, created_at__gte=month_start
    ).aggregate(n=Sum("quantity"))
    return Usage(int(storage["n"] or 0), float(processing["n"] or 0))


def check_storage(tenant: object, incoming_bytes: int) -> None:
    plan = plan_of(tenant)
    if plan is None or plan.storage_gb is None:
        return
    used = usage_of(tenant).storage_bytes
    if used + incoming_bytes > plan.storage_gb * GB:
        raise QuotaExceeded(
            _(
                "This upload would exceed your plan's %(gb)s GB of storage. Delete old movies "
                "or upgrade your plan."
            )
            % {"gb": plan.storage_gb}
        )


def max_movie_seconds(tenant: object) -> float | None:
    plan = plan_of(tenant)
    if plan is None or plan.max_movie_minutes is None:
        return None
    return plan.max_movie_minutes * 60.0


def check_movie_duration(tenant: object, seconds: float) -> None:
    limit = max_movie_seconds(tenant)
    if limit is not None and seconds > limit:
        raise QuotaExceeded(
            _(
                "This movie lasts %(minutes)d minutes; your plan accepts movies up to %(limit)d "
                "minutes. Upgrade the plan or upload a shorter cut."
            )
            % {"minutes": round(seconds / 60), "limit": round(limit / 60)}
        )


def lock_organisation(tenant: object) -> None:
    """Serialise quota checks of one organisation until the current transaction ends, so two
    concurrent starts or uploads cannot both pass a limit that only one of them fits in."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [QUOTA_LOCK, tenant.pk])


def check_processing(tenant: object, seconds: float, *, reserved_seconds: float = 0.0) -> None:
    """`reserved_seconds`: what running jobs will charge when they finish."""
    plan = plan_of(tenant)
    if plan is None or plan.processing_hours_per_month is None:
        return
    used = usage_of(tenant).processing_seconds_this_month + reserved_seconds
    if used + seconds > plan.processing_hours_per_month * 3600:
        raise QuotaExceeded(
            _(
                "Your plan's %(hours)s processing hours for this month are used up. They renew "
                "on the first of the month, or upgrade your plan."
            )
            % {"hours": plan.processing_hours_per_month}
        )


def record_usage(*, tenant: object, kind: str, quantity: float, reference: str = "") -> None:
    UsageRecord.objects.create(tenant=tenant, kind=kind, quantity=quantity, reference=reference)
