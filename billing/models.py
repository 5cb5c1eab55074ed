"""Plans and the quotas they grant; shared by every organisation (public schema)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    # None means unlimited.
    max_movie_minutes = models.PositiveIntegerField(_("longest movie (minutes)"), null=True)
    storage_gb = models.PositiveIntegerField(_("storage (GB)"), null=True)
    processing_hours_per_month = models.PositiveIntegerField(
        _("processing hours per month"), null=True
    )
    monthly_price_cents = models.PositiveIntegerField(_("monthly price (cents)"), default=0)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_public = models.BooleanField(_("offered on the pricing page"), default=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name


class UsageRecord(models.Model):
    """The usage ledger: one row per measurable event, summed for quotas and invoices."""

    class Kind(models.TextChoices):
        PROCESSING_SECONDS = "processing_seconds", _("Processing (seconds of movie)")
        STORAGE_BYTES = "storage_bytes", _("Storage (bytes; negative when freed)")

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
