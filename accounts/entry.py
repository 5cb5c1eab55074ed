"""Where a signed-in person lands in an organisation, on its subdomain or under /t/<slug>/."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest

from web.sites import tenant_base_url

from .models import User

if TYPE_CHECKING:
    from tenants.models import Tenant


def tenant_entry_url(request: HttpRequest, tenant: Tenant, user: User) -> str:
    """The URL that opens `tenant`'s dashboard for `user`, signing them in there if needed.

    Sessions are per host, so moving to a subdomain goes through the hand-off of
    accounts/handoff.py; under the /t/<slug>/ prefix the session is the same and none is needed.
    """
    base = tenant_base_url(tenant, request)
    if settings.TENANT_URL_MODE == "path" or not request.user.is_authenticated:
        return f"{base}/"
    # The organisation's host starts the hand-off, so the token is bound to this browser.
    return f"{base}/accounts/handoff/"


def sign_in(request: HttpRequest, user: User) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
