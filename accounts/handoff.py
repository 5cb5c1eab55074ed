"""Signing in across hosts, bound to the browser that asked (docs/decisions/0001, 0023).

A hand-off starts on the organisation's host, which puts a random value in a cookie of its own
and sends the browser to the product's host; there the signed-in person gets a token carrying a
digest of that value, and back on the organisation's host the token signs in only the browser
holding the cookie. A token someone obtained in their own browser signs nobody else in."""

from __future__ import annotations

import hashlib
import re
import secrets
from urllib.parse import urlencode

from django.apps import apps
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from web.sites import public_base_url, tenant_base_url

from . import access
from .entry import verified_device_id
from .middleware import open_to_visitors
from .models import Membership
from .services import HANDOFF_MAX_AGE, make_handoff_token

COOKIE = "recap_handoff"
BINDING = re.compile(r"^[0-9a-f]{64}$")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def binding_of(request: HttpRequest) -> str:
    """The digest of this browser's hand-off cookie on this host ("" without one)."""
    value = request.COOKIES.get(COOKIE, "")
    return _digest(value) if value else ""


def forget(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(COOKIE, samesite="Lax")
    return response


def start(request: HttpRequest) -> HttpResponse:
    """On the organisation's host: remember a fresh value in this browser, then ask the
    product's host for a token bound to it."""
    value = secrets.token_urlsafe(32)
    query = {"tenant": request.tenant.slug, "binding": _digest(value)}
    # Where to land on this host afterwards (the handoff view accepts only a path of this host).
    if request.GET.get("next", "").startswith("/"):
        query["next"] = request.GET["next"]
    query = urlencode(query)
    response = HttpResponseRedirect(
        f"{public_base_url(request)}{reverse('accounts:handoff_issue')}?{query}"
    )
    response.set_cookie(
        COOKIE,
        value,
        max_age=HANDOFF_MAX_AGE * 2,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


@open_to_visitors
def issue(request: HttpRequest) -> HttpResponse:
    """On the product's host: the signed-in person's token for the organisation, bound to the
    browser value the organisation's host set, sent back there."""
    if not request.tenant.is_public:
        raise Http404
    binding = request.GET.get("binding", "")
    if not BINDING.match(binding):
        raise Http404
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("accounts:login"))
    slug = request.GET.get("tenant", "")
    membership = (
        Membership.objects.filter(user=request.user, tenant__slug=slug)
        .select_related("tenant")
        .first()
    )
    if membership is not None:
        tenant = membership.tenant
    elif access.is_staff(request.user):  # platform staff open any organisation's console
        tenant = apps.get_model("tenants", "Tenant").objects.filter(slug=slug).first()
        if tenant is None:
            raise Http404
    else:
        raise Http404
    token = make_handoff_token(
        user=request.user, tenant=tenant, binding=binding, device=verified_device_id(request)
    )
    query = {"token": token}
    if request.GET.get("next", "").startswith("/"):
        query["next"] = request.GET["next"]
    base = tenant_base_url(tenant, request)
    return HttpResponseRedirect(f"{base}{reverse('accounts:handoff')}?{urlencode(query)}")
