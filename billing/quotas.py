"""Plan limits: storage, longest movie, processing hours per month, and the payment standing
that keeps uploads open. Raise QuotaExceeded with a translated sentence that says what to do
next and where to upgrade. Checks that must not race run under `lock_organisation`."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from web import formats
from web.sites import tenant_base_url

from . import alerts
from .limits import GB, Limits, Usage, limits_of, plan_of, usage_of
from .models import Plan, UsageRecord

__all__ = [
    "GB", "Limits", "QuotaExceeded", "Usage", "check_movie_duration", "check_plan_fits",
    "check_processing", "check_standing", "check_storage", "limits_of", "lock_organisation",
    "max_movie_seconds", "plan_of", "record_usage", "usage_of",
]  # fmt: skip
# First key of the advisory lock that serialises one organisation's quota checks.
QUOTA_LOCK = 0x51075
BILLING_PATH = "/billing/"


class QuotaExceeded(Exception):
    def __init__(self, message: str, *, code: str = "quota") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def upgrade_hint(tenant: Any) -> str:
    return _("Upgrade your plan at %(url)s.") % {"url": tenant_base_url(tenant) + BILLING_PATH}


def check_standing(tenant: Any) -> None:
    """Uploads and new recaps wait while a payment is overdue; what exists stays readable."""
    if getattr(tenant, "is_past_due", False):
        raise QuotaExceeded(
            _(
                "A payment for this organisation failed, so new uploads and recaps are paused. "
                "Update the payment method at %(url)s; everything resumes once it is paid."
            )
            % {"url": tenant_base_url(tenant) + BILLING_PATH},
            code="payment_overdue",
        )


def check_storage(tenant: Any, incoming_bytes: int, *, reserved_bytes: int = 0) -> None:
    """`reserved_bytes`: what uploads in progress and running jobs will store when they end."""
    limit = limits_of(tenant).storage_bytes
    if limit is None:
        return
    used = usage_of(tenant).storage_bytes + reserved_bytes
    if used + incoming_bytes > limit:
        raise QuotaExceeded(
            _(
                "This would exceed your plan's %(gb)s GB of storage (uploads in progress "
                "included). Delete old movies or upgrade: %(url)s"
            )
            % {"gb": limit // GB, "url": tenant_base_url(tenant) + BILLING_PATH},
            code="storage_quota",
        )


def max_movie_seconds(tenant: Any) -> float | None:
    return limits_of(tenant).max_movie_seconds


def check_movie_duration(tenant: Any, seconds: float) -> None:
    limit = max_movie_seconds(tenant)
    if limit is not None and seconds > limit:
        raise QuotaExceeded(
            _(
                "This movie lasts %(length)s; your plan accepts movies up to %(limit)s. Upload "
                "a shorter cut, or upgrade the plan: %(url)s"
            )
            % {
                # Exact running times: rounded minutes would tell of a 2:00:20 movie that it
                # lasts 120 minutes and is refused by a 120-minute plan.
                "length": formats.clock(seconds),
                "limit": formats.clock(limit),
                "url": tenant_base_url(tenant) + BILLING_PATH,
            },
            code="duration_quota",
        )


def lock_organisation(tenant: Any) -> None:
    """Serialise quota checks of one organisation until the current transaction ends, so two
    concurrent starts or uploads cannot both pass a limit that only one of them fits in."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [QUOTA_LOCK, tenant.pk])


def check_processing(tenant: Any, seconds: float, *, reserved_seconds: float = 0.0) -> None:
    """`reserved_seconds`: what running jobs will charge when they finish."""
    limits = limits_of(tenant)
    if limits.processing_seconds is None or limits.processing_overage:
        return
    used = usage_of(tenant).processing_seconds_this_month + reserved_seconds
    if used + seconds > limits.processing_seconds:
        raise QuotaExceeded(
            _(
                "Your plan's %(hours)s processing hours for this month are used up. They renew "
                "on the first of the month, or upgrade your plan: %(url)s"
            )
            % {
                "hours": limits.processing_seconds // 3600,
                "url": tenant_base_url(tenant) + BILLING_PATH,
            },
            code="processing_quota",
        )


def check_plan_fits(tenant: Any, plan: Plan) -> None:
    """A plan change that leaves current usage above the new plan's limits is refused."""
    usage = usage_of(tenant)
    if plan.contact_sales:
        return
    if plan.storage_gb is not None and usage.storage_bytes > plan.storage_gb * GB:
        raise QuotaExceeded(
            _(
                "Your organisation stores %(used).1f GB, more than the %(gb)s GB of the %(plan)s "
                "plan. Delete movies or recaps until it fits, then change the plan."
            )
            % {"used": usage.storage_bytes / GB, "gb": plan.storage_gb, "plan": plan.name},
            code="plan_too_small",
        )
    hours = plan.processing_hours_per_month
    if hours is not None and usage.processing_seconds_this_month > hours * 3600:
        raise QuotaExceeded(
            _(
                "This month your organisation has processed %(used).1f hours, more than the "
                "%(hours)s hours of the %(plan)s plan. Change the plan next month."
            )
            % {
                "used": usage.processing_seconds_this_month / 3600,
                "hours": hours,
                "plan": plan.name,
            },
            code="plan_too_small",
        )


def record_usage(*, tenant: Any, kind: str, quantity: float, reference: str = "") -> None:
    """Write to the ledger; a charge that crosses 80% or 100% of a limit tells the owners
    (once per month, after the commit: see billing.alerts)."""
    UsageRecord.objects.create(
        tenant_id=tenant.pk, kind=kind, quantity=quantity, reference=reference
    )
    if quantity > 0:
        alerts.after_usage(tenant, kind)
