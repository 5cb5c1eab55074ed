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
