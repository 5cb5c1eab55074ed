"""The audit trail: who did what to which organisation, written by the service that acted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    tenant = models.ForeignKey(
        "tenants.Tenant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target = models.CharField(_("target"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target}"


# Audit actions about the safety of accounts and sites, listed together for staff.
SECURITY_ACTION_PREFIXES = ("security.", "user.two_factor_", "user.recovery_code")
SECURITY_ACTIONS = (
    "tenant.security_policy_changed",
    "user.sessions_ended",
    "user.password_changed",
)


class SecurityEventManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        query = models.Q(action__in=SECURITY_ACTIONS)
        for prefix in SECURITY_ACTION_PREFIXES:
            query |= models.Q(action__startswith=prefix)
        return super().get_queryset().filter(query)


class SecurityEvent(AuditEvent):
    """The audit trail's security events: refused and blocked addresses, locked accounts,
    two-factor changes, policy changes, sessions ended."""

    objects = SecurityEventManager()

    class Meta:
        proxy = True
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
