"""Organisations (tenants) and the hosts they are reached on; both live in the public schema."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Region(models.TextChoices):
    US_EAST_1 = "us-east-1", _("United States (East)")
    US_WEST_2 = "us-west-2", _("United States (West)")
    EU_WEST_1 = "eu-west-1", _("European Union (Ireland)")
    AP_SOUTHEAST_1 = "ap-southeast-1", _("Asia Pacific (Singapore)")


class TenantStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    # A payment failed: the site stays open and recaps readable, uploads wait for the payment.
    PAST_DUE = "past_due", _("Payment overdue")
    SUSPENDED = "suspended", _("Suspended")
    PENDING_DELETION = "pending_deletion", _("Pending deletion")


# Statuses whose site is open and whose periodic work (recovery, deliveries) goes on.
OPEN_STATUSES = frozenset({TenantStatus.ACTIVE, TenantStatus.PAST_DUE})


class Tenant(TenantMixin):
    slug = models.SlugField(_("address"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    region = models.CharField(
        _("data region"), max_length=20, choices=Region.choices, default=Region.EU_WEST_1
    )
    default_language = models.CharField(_("default language"), max_length=10, default="en")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(
        _("status"), max_length=20, choices=TenantStatus.choices, default=TenantStatus.ACTIVE
    )
    plan = models.ForeignKey(
        "billing.Plan", null=True, blank=True, on_delete=models.PROTECT, related_name="tenants"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = True

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        from django_tenants.utils import get_public_schema_name

        return self.schema_name == get_public_schema_name()

    @property
    def is_active(self) -> bool:
        """Whether the organisation's site is open: also while a payment is overdue."""
        return self.status in OPEN_STATUSES

    @property
    def is_past_due(self) -> bool:
        return self.status == TenantStatus.PAST_DUE


class Domain(DomainMixin):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain


class TenantSecurityPolicy(models.Model):
    """Who may reach an organisation's site, and for how long a browser stays signed in.

    Set by staff (platform API) and by owners (settings page) through tenants.security;
    enforced for every request on the organisation's site by tenants.enforcement.
    """

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="security_policy")
    # Read by the sign-in (two-factor authentication); stored here.
    require_2fa = models.BooleanField(_("require two-factor authentication"), default=False)
    session_timeout_minutes = models.PositiveIntegerField(
        _("session timeout (minutes)"), default=720
    )
    # CIDR networks ("10.0.0.0/8", "2001:db8::/32"); an empty allow-list means any address.
    allowed_ips = models.JSONField(_("allowed IP ranges"), default=list, blank=True)
    blocked_ips = models.JSONField(_("blocked IP ranges"), default=list, blank=True)
    # ISO 3166-1 alpha-2 codes ("US"); an empty allow-list means any country.
    allowed_countries = models.JSONField(_("allowed countries"), default=list, blank=True)
    blocked_countries = models.JSONField(_("blocked countries"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policies")

    def __str__(self) -> str:
        return f"{self.tenant} security policy"


class BrowserSession(models.Model):
    """A signed-in browser session of a person, so all of them can be ended at once (password
    changed or reset, removed from an organisation); see tenants.sessions."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="browser_sessions"
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("browser session")
        verbose_name_plural = _("browser sessions")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.session_key[:6]}…"
