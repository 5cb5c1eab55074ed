"""Staff suspend or reactivate an organisation: always with a reason, which the owners receive
by email and which the organisation's own address shows while it is suspended."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import OWNER_ROLES, Membership, User
from compliance.models import AuditEvent
from web.sites import public_base_url, tenant_base_url

from .models import Tenant, TenantStatus
from .services import set_tenant_status

REASON_MAX_LENGTH = 500


def _clean_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(
            _("Give a reason: the organisation's owners receive it by email."), code="required"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("Keep the reason under %(limit)d characters.") % {"limit": REASON_MAX_LENGTH},
            code="too_long",
        )
    return reason


def _change(*, tenant: Tenant, status: str, reason: str, acting_user: User) -> Tenant:
    reason = _clean_reason(reason)
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.status == status:
            return locked
        set_tenant_status(tenant=locked, status=status, acting_user=acting_user, reason=reason)
        transaction.on_commit(lambda: email_owners(tenant=locked, reason=reason))
    return locked


def suspend_tenant(*, tenant: Tenant, reason: str, acting_user: User) -> Tenant:
    """Close the organisation's site; its owners are told why by email."""
    return _change(
        tenant=tenant, status=TenantStatus.SUSPENDED, reason=reason, acting_user=acting_user
    )


def reactivate_tenant(*, tenant: Tenant, reason: str, acting_user: User) -> Tenant:
    """Open the organisation's site again; its owners are told by email."""
    return _change(
        tenant=tenant, status=TenantStatus.ACTIVE, reason=reason, acting_user=acting_user
    )


def contact_url() -> str:
    return public_base_url() + reverse("contact", urlconf="config.urls_public")


def email_owners(*, tenant: Tenant, reason: str) -> int:
    """One email per active owner, in their language; returns how many were sent."""
    suspended = tenant.status == TenantStatus.SUSPENDED

    def subject() -> str:
        text = (
            _("%(organisation)s is suspended") if suspended else _("%(organisation)s is open again")
        )
        return text % {"organisation": tenant.name}

    context = {
        "tenant": tenant,
        "suspended": suspended,
        "reason": reason,
        "url": tenant_base_url(tenant) + "/",
        "contact_url": contact_url(),
    }
    return mail_owners(
        tenant=tenant, subject=subject, template="tenants/email/status_changed.txt", context=context
    )


def mail_owners(
    *, tenant: Tenant, subject: Callable[[], str], template: str, context: dict[str, Any]
) -> int:
    """One email per active owner of `tenant`, subject and body written in the owner's language
    (else the organisation's); returns how many were sent."""
    owners = Membership.objects.filter(
        tenant_id=tenant.pk, role__in=list(OWNER_ROLES), user__is_active=True
    ).select_related("user")
    sent = 0
    for membership in owners:
        user = membership.user
        with translation.override(user.language or tenant.default_language or "en"):
            title, body = subject(), render_to_string(template, context)
        send_mail(subject=title, message=body, from_email=None, recipient_list=[user.email])
        sent += 1
    return sent


def suspension_reason(tenant: Tenant) -> str:
    """Why staff suspended the organisation ('' when it was not staff, or no reason was given)."""
    event = (
        AuditEvent.objects.filter(
            tenant_id=tenant.pk, action="tenant.status_changed", data__to=TenantStatus.SUSPENDED
        )
        .exclude(actor=None)
        .order_by("-created_at")
        .first()
    )
    return str(event.data.get("reason", "")) if event is not None else ""
