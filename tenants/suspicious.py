"""Suspicious activity (decision 0026): a burst of refused requests (401, 403, 404) from one
address blocks that address for a while; failed sign-ins that fill one account's bucket
(accounts.attempts) lock it. Either is written to the audit trail once per block and emailed to
the owners of the organisation concerned; staff read them all under "Security events" in the
platform admin. Redis being unreachable lets requests through, like every rate limit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts.models import Membership, User
from compliance.services import record_event
from web import ratelimit
from web.client import client_ip
from web.errors import OUTAGES, error_page

from .models import Tenant
from .suspension import mail_owners

log = logging.getLogger(__name__)

FAILURES = frozenset({401, 403, 404})
SCOPE = "suspicious"
BLOCK = "suspicious-block"


def _block_seconds() -> int:
    return max(60, int(settings.SUSPICIOUS_BLOCK_MINUTES) * 60)


def _refusal(request: HttpRequest, seconds: int) -> HttpResponse:
    minutes = max(1, -(-seconds // 60))
    with translation.override(translation.get_language_from_request(request)):
        message = _blocked_message(minutes)
    response = error_page(
        request, 429, gettext_noop("Too many refused requests"), message,
        code="suspicious_activity",
    )  # fmt: skip
    response["Retry-After"] = str(seconds)
    return response


def _blocked_message(minutes: int) -> str:
    return ngettext(
        "Too many refused requests came from your address, so it is blocked for a while. "
        "Please try again in %(minutes)d minute.",
        "Too many refused requests came from your address, so it is blocked for a while. "
        "Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class SuspiciousActivityMiddleware:
    """Placed after tenant resolution: refuses blocked addresses before anything else runs, and
    counts every 401, 403 and 404 answered to an address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ip = client_ip(request)
        seconds = ratelimit.blocked_for(BLOCK, f"ip:{ip}")
        if seconds:
            return _refusal(request, seconds)
        response = self.get_response(request)
        if response.status_code in FAILURES:
            rate = ratelimit.parse_rate(settings.SUSPICIOUS_FAILURE_RATE)
            full = not ratelimit.hit(SCOPE, f"ip:{ip}", rate).allowed
            if full and ratelimit.block(BLOCK, f"ip:{ip}", _block_seconds()):
                address_blocked(request, ip=ip, status=response.status_code)
        return response


def _tenant_of(request: HttpRequest) -> Tenant | None:
    tenant = getattr(request, "tenant", None)
    return None if tenant is None or tenant.is_public else tenant


def address_blocked(request: HttpRequest, *, ip: str, status: int) -> None:
    tenant = _tenant_of(request)
    record_event(
        action="security.address_blocked",
        actor=None,
        tenant=tenant,
        target=ip,
        data={"ip": ip, "last_status": status, "path": request.path[:200],
              "minutes": _block_seconds() // 60},
    )  # fmt: skip
    log.warning("blocked %s for %d s after a burst of refused requests", ip, _block_seconds())
    if tenant is not None:
        email_owners(tenant=tenant, kind="address", subject_of=ip)


def account_locked(sender: Any, *, request: HttpRequest, email: str, **kwargs: Any) -> None:
    """accounts.attempts says failed sign-ins filled an account's bucket: once per window, audit
    it and tell the owners of the organisation whose site it happened on (on the product's own
    site: of every organisation the person belongs to)."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        return  # no such account: the address's own bucket and block deal with it
    first = True
    with suppress(*OUTAGES):
        window = ratelimit.parse_rate(settings.SIGNIN_THROTTLE_RATE)
        first = cache.add(f"suspicious:account:{user.pk}", 1, window.seconds if window else 300)
    if not first:
        return
    tenant = _tenant_of(request)
    tenants = (
        [tenant]
        if tenant is not None
        else [m.tenant for m in Membership.objects.filter(user=user).select_related("tenant")]
    )
    for each in tenants or [None]:
        record_event(
            action="security.account_locked",
            actor=None,
            tenant=each,
            target=user.email,
            data={"ip": client_ip(request), "path": request.path[:200]},
        )
        if each is not None:
            email_owners(tenant=each, kind="account", subject_of=user.email)


def email_owners(*, tenant: Tenant, kind: str, subject_of: str) -> int:
    """One email per active owner, in their language; returns how many were sent."""
    context = {
        "tenant": tenant,
        "kind": kind,
        "subject_of": subject_of,
        "minutes": _block_seconds() // 60,
    }
    return mail_owners(
        tenant=tenant,
        subject=lambda: (
            _("Suspicious activity on %(organisation)s") % {"organisation": tenant.name}
        ),
        template="tenants/email/suspicious_activity.txt",
        context=context,
    )
