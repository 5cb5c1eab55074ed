"""Staff open an organisation's own console from the platform console: audited, and signed in
on the organisation's host by the hand-off token (decision 0001), with no second sign-in."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest

from accounts import access
from accounts.models import User
from compliance.services import record_event
from web.sites import tenant_base_url

from .models import Tenant

CONSOLE_PATH = "/admin/"


def console_path(next_path: str) -> str:
    """`next_path` if it is a page of the organisation console, else the console's index."""
    if next_path.startswith(CONSOLE_PATH) and "//" not in next_path and "\\" not in next_path:
        return next_path
    return CONSOLE_PATH


def open_console(
    *, tenant: Tenant, acting_user: User, next_path: str = "", request: HttpRequest | None = None
) -> str:
    """The URL that opens `tenant`'s console for the staff member `acting_user`; the visit is
    written to the audit trail of that organisation."""
    access.require_staff(user=acting_user)
    path = console_path(next_path)
    record_event(
        action="staff.opened_console",
        actor=acting_user,
        tenant=tenant,
        target=tenant.slug,
        data={"path": path},
    )
    base = tenant_base_url(tenant, request)
    if settings.TENANT_URL_MODE == "path":  # one host, one session
        return f"{base}{path}"
    # The organisation's host starts the hand-off, bound to this browser (accounts/handoff.py).
    return f"{base}/accounts/handoff/?{urlencode({'next': path})}"
