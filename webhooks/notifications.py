"""Telling an organisation's owners and admins that one of its webhook endpoints was turned off."""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from accounts.models import MANAGER_ROLES, Membership
from web.sites import tenant_base_url

from .models import WebhookEndpoint

log = logging.getLogger(__name__)


def endpoint_disabled(endpoint_id: int, tenant: Any, *, last_error: str = "") -> int:
    """One email per owner or admin, each in their own language; returns how many were sent."""
    with tenant_context(tenant):
        endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
        if endpoint is None:
            return 0
    managers = Membership.objects.filter(
        tenant=tenant, role__in=list(MANAGER_ROLES), user__is_active=True
    ).select_related("user")
    sent = 0
    for membership in managers:
        user = membership.user
        with translation.override(user.language or tenant.default_language or "en"):
            subject = _("Webhooks to %(url)s were turned off") % {"url": endpoint.url}
            body = render_to_string(
                "webhooks/email/endpoint_disabled.txt",
                {
                    "endpoint": endpoint,
                    "tenant": tenant,
                    "error": last_error or _("no answer"),
                    "site_url": tenant_base_url(tenant),
                },
            )
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
        sent += 1
    log.info("webhook endpoint %s disabled: %s people told", endpoint_id, sent)
    return sent
