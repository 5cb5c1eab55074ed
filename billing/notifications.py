"""Telling an organisation's owners that a usage limit is near (80%) or reached (100%): one
email each, in their language, after the charge that crossed it has committed. Subscribed to
billing's events in the app's ready()."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import OWNER_ROLES, Membership
from web.sites import tenant_base_url

from . import events
from .limits import GB
from .models import UsageRecord


def on_threshold(sender: type, event: events.QuotaThresholdReached, **kwargs: Any) -> None:
    transaction.on_commit(lambda: quota_alert(event))


def subscribe() -> None:
    events.published.connect(
        on_threshold, sender=events.QuotaThresholdReached, dispatch_uid="billing.quota_email"
    )


def amounts(event: events.QuotaThresholdReached) -> tuple[str, str]:
    if event.kind == UsageRecord.Kind.STORAGE_BYTES:
        return f"{event.used / GB:.1f} GB", f"{event.limit / GB:.0f} GB"
    return f"{event.used / 3600:.1f} h", f"{event.limit / 3600:.0f} h"


def quota_alert(event: events.QuotaThresholdReached) -> int:
    tenant = event.tenant
    owners = Membership.objects.filter(
        tenant_id=tenant.pk, role__in=list(OWNER_ROLES), user__is_active=True
    ).select_related("user")
    used, limit = amounts(event)
    sent = 0
    for membership in owners:
        user = membership.user
        with translation.override(user.language or tenant.default_language or "en"):
            what = UsageRecord.Kind(event.kind).label
            subject = (
                _("%(organisation)s has used all of its %(what)s")
                if event.exceeded
                else _("%(organisation)s has used %(percent)s%% of its %(what)s")
            ) % {"organisation": tenant.name, "what": what, "percent": event.percent}
            body = render_to_string(
                "billing/email/quota_alert.txt",
                {
                    "tenant": tenant,
                    "event": event,
                    "what": what,
                    "used": used,
                    "limit": limit,
                    "url": tenant_base_url(tenant) + "/billing/",
                },
            )
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
        sent += 1
    return sent
