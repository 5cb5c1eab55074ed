"""Plans, their regional prices, each organisation's subscription and invoices as Stripe last
told us, the usage ledger and the alerts sent about it. All in the public schema."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .currencies import CURRENCIES

CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    # None means unlimited (for Enterprise: the limits agreed per organisation apply).
    max_movie_minutes = models.PositiveIntegerField(_("longest movie (minutes)"), null=True)
    storage_gb = models.PositiveIntegerField(_("storage (GB)"), null=True)
    processing_hours_per_month = models.PositiveIntegerField(
        _("processing hours per month"), null=True
    )
    # API calls per minute for each key or person; None is the platform default (API_THROTTLE_RATE).
    api_requests_per_minute = models.PositiveIntegerField(
        _("API requests per minute"), null=True, blank=True
    )
    # Sold on a quote ("contact us"): no list price, limits agreed per organisation.
    contact_sales = models.BooleanField(_("sold on a quote"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_public = models.BooleanField(_("offered on the pricing page"), default=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name


class Price(models.Model):
    """A plan's monthly price in one currency: a regional tier, not a conversion."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    # In the currency's minor unit as Stripe counts it: cents, but whole yen for JPY.
    amount = models.PositiveIntegerField(_("monthly amount (minor units)"))

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["plan__sort_order", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "currency"], name="one_price_per_currency")
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.amount} {self.currency}"


class Subscription(models.Model):
    """An organisation's billing record. Its Stripe fields are written only from Stripe's
    webhooks; staff write the plan and agreed limits of organisations billed outside Stripe."""

    class Status(models.TextChoices):
        NONE = "none", _("No paid subscription")
        INCOMPLETE = "incomplete", _("Incomplete")
        TRIALING = "trialing", _("Trial")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment overdue")
        UNPAID = "unpaid", _("Unpaid")
        CANCELED = "canceled", _("Canceled")
        INCOMPLETE_EXPIRED = "incomplete_expired", _("Expired")
        PAUSED = "paused", _("Paused")

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="subscription"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NONE
    )
    stripe_customer_id = models.CharField(_("Stripe customer"), max_length=60, blank=True)
    stripe_subscription_id = models.CharField(_("Stripe subscription"), max_length=60, blank=True)
    stripe_item_id = models.CharField(max_length=60, blank=True)
    current_period_start = models.DateTimeField(_("period start"), null=True, blank=True)
    current_period_end = models.DateTimeField(_("period end"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("ends at period end"), default=False)
    # A downgrade waits for the end of the paid period.
    scheduled_plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The `created` second of the newest Stripe event applied to this subscription: an older
    # event arriving late describes an older state and is not applied over a newer one.
    stripe_state_at = models.BigIntegerField(default=0)
    past_due_since = models.DateTimeField(_("payment overdue since"), null=True, blank=True)
    first_paid_at = models.DateTimeField(_("first paid invoice"), null=True, blank=True)
    # Agreed per organisation on a plan sold on a quote; None: unlimited.
    custom_storage_gb = models.PositiveIntegerField(_("agreed storage (GB)"), null=True, blank=True)
    custom_processing_hours = models.PositiveIntegerField(
        _("agreed processing hours per month"), null=True, blank=True
    )
    custom_max_movie_minutes = models.PositiveIntegerField(
        _("agreed longest movie (minutes)"), null=True, blank=True
    )
    # Enterprise processing past the agreed hours, already reported to Stripe this month.
    overage_month = models.DateField(null=True, blank=True)
    overage_reported_seconds = models.FloatField(default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.tenant} ({self.status})"


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")
        UNCOLLECTIBLE = "uncollectible", _("Uncollectible")

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="invoices")
    stripe_id = models.CharField(max_length=60, unique=True)
    number = models.CharField(_("number"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.IntegerField(_("total (minor units)"), default=0)
    tax = models.IntegerField(_("tax (minor units)"), default=0)
    amount_paid = models.IntegerField(_("paid (minor units)"), default=0)
    payment_failed = models.BooleanField(_("payment failed"), default=False)
    attempt_count = models.PositiveSmallIntegerField(_("payment attempts"), default=0)
    hosted_invoice_url = models.URLField(max_length=500, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(_("issued"))
    stripe_state_at = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.number or self.stripe_id


class StripeEvent(models.Model):
    """Every Stripe event received, kept so that a redelivery is recognised and applied once."""

    stripe_id = models.CharField(max_length=80, unique=True)
    type = models.CharField(_("type"), max_length=80)
    created = models.BigIntegerField(_("created (Stripe time)"))
    outcome = models.CharField(_("outcome"), max_length=20)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"


class UsageRecord(models.Model):
    """The usage ledger: one row per measurable event (API calls: one row per organisation and
    hour), summed for quotas and invoices."""

    class Kind(models.TextChoices):
        PROCESSING_SECONDS = "processing_seconds", _("Processing (seconds of movie)")
        STORAGE_BYTES = "storage_bytes", _("Storage (bytes; negative when freed)")
        API_CALLS = "api_calls", _("API calls")

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="usage")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    quantity = models.FloatField(_("quantity"))
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage ledger")
        ordering = ["-created_at"]
        constraints = [
            # A job, an upload or a recap is charged once, however often its work is replayed.
            models.UniqueConstraint(
                fields=["tenant", "kind", "reference"],
                condition=~models.Q(reference=""),
                name="one_usage_row_per_reference",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant} {self.kind} {self.quantity}"


class QuotaAlert(models.Model):
    """A warning (80%) or a limit reached (100%) told once per month and kind."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=UsageRecord.Kind.choices)
    threshold = models.PositiveSmallIntegerField(_("percent"))
    month = models.DateField(_("month"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("quota alert")
        verbose_name_plural = _("quota alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "threshold", "month"], name="one_alert_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant} {self.kind} {self.threshold}%"
