"""Where a signed-in person lands in an organisation, on its subdomain or under /t/<slug>/, and
the session's side of two-factor sign-in: a sign-in waiting for its second step, and whether
this session passed it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import django_otp
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY

from web.sites import tenant_base_url

from .models import User

if TYPE_CHECKING:
    from tenants.models import Tenant

# A password accepted, the second step not yet passed: {"user": id, "next": url, "at": time}.
PENDING_SESSION_KEY = "two_factor_pending"
PENDING_SECONDS = 5 * 60


def tenant_entry_url(request: HttpRequest, tenant: Tenant, user: User) -> str:
    """The URL that opens `tenant`'s dashboard for `user`, signing them in there if needed.

    Sessions are per host, so moving to a subdomain goes through the hand-off of
    accounts/handoff.py (bound to this browser, and saying whether this session passed
    two-factor sign-in); under the /t/<slug>/ prefix the session is the same and none is needed.
    """
    base = tenant_base_url(tenant, request)
    if settings.TENANT_URL_MODE == "path" or not request.user.is_authenticated:
        return f"{base}/"
    # The organisation's host starts the hand-off, so the token is bound to this browser.
    return f"{base}/accounts/handoff/"


def sign_in(request: HttpRequest, user: User, *, device: Any = None) -> None:
    """Sign `user` in; with the two-factor `device` that accepted their code, if any."""
    request.session.pop(PENDING_SESSION_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        django_otp.login(request, device)


def verified_device_id(request: HttpRequest) -> str | None:
    """The device this session passed two-factor sign-in with, None if it did not."""
    session = getattr(request, "session", None)
    return session.get(DEVICE_ID_SESSION_KEY) if session is not None else None


def mark_verified(request: HttpRequest, device: Any) -> None:
    django_otp.login(request, device)


def forget_verification(request: HttpRequest) -> None:
    request.session.pop(DEVICE_ID_SESSION_KEY, None)


def begin_second_step(request: HttpRequest, user: User, *, next_url: str | None) -> None:
    """Remember a sign-in whose password was right; no one is signed in until the code is."""
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "next": next_url or "",
        "at": int(time.time()),
    }


def pending_sign_in(request: HttpRequest) -> tuple[User, str] | None:
    """The person (and where they were going) waiting for their second step, while fresh."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None:
        return None
    return user, pending.get("next") or ""


def end_pending_sign_in(request: HttpRequest) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)
