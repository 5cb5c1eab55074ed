"""Webhook endpoints of one organisation and the deliveries made to them (tenant schema)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class WebhookEvent(models.TextChoices):
    MOVIE_UPLOADED = "movie.uploaded", _("Movie uploaded")
    RECAP_STARTED = "recap.started", _("Recap started")
    RECAP_COMPLETED = "recap.completed", _("Recap completed")
    RECAP_FAILED = "recap.failed", _("Recap failed")
    QUOTA_WARNING = "quota.warning", _("Usage near a plan limit")
    QUOTA_EXCEEDED = "quota.exceeded", _("Plan limit reached")
    # Sent on request to check a receiver; nobody subscribes to it.
    TEST = "webhook.test", _("Test event")


SUBSCRIBABLE_EVENTS = (
    WebhookEvent.MOVIE_UPLOADED,
    WebhookEvent.RECAP_STARTED,
    WebhookEvent.RECAP_COMPLETED,
    WebhookEvent.RECAP_FAILED,
    WebhookEvent.QUOTA_WARNING,
    WebhookEvent.QUOTA_EXCEEDED,
)


class WebhookEndpoint(models.Model):
    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    # After a rotation the old secret still signs (a second v1) until it expires, so receivers
    # can switch without losing events.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=300, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at", "id"], name="endpoint_created")]

    def __str__(self) -> str:
        return self.description or self.url

    def signing_secrets(self, now: object) -> list[str]:
        """The secrets that sign a delivery made at `now`: the current one, then the old one."""
        keys = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and (self.previous_secret_expires_at > now)
        ):
            keys.append(self.previous_secret)
        return keys


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    # The last attempt failed and another one is scheduled at next_attempt_at.
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Gave up")


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, db_index=True)
    payload = models.JSONField(_("payload"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.CharField(_("response body (excerpt)"), max_length=2048, blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    # When the next attempt is due; while an attempt runs, a lease date that keeps others off.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # An endpoint's deliveries, newest first (the API's list).
            models.Index(fields=["endpoint", "created_at", "id"], name="delivery_endpoint_created"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
