"""Request plumbing: health probes first, then tenant resolution, then the membership check.

The membership check is the isolation boundary: on an organisation's site, a signed-in person
who is not a member (and not staff) gets 404 for every URL, pages, admin and files alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse, set_script_prefix, set_urlconf
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .resolution import ConflictingTenant, UnknownTenant, resolve

Handler = Callable[[HttpRequest], HttpResponse]

# Paths on an organisation's site that a visitor may open without being a member.
OPEN_PATHS = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/handoff/",
    "/accounts/password-reset/",
    "/accounts/reset/",
    "/invitations/",
    "/i18n/",
    "/static/",
    # The API answers 401/403/404 as problem+json itself (api.permissions.TenantMember).
    "/api/",
)


class HealthCheckMiddleware:
    """Serve /health* before anything looks at the host: probes arrive by pod IP."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/health" or request.path.startswith("/health/"):
            from . import health

            return health.dispatch(request)
        return self.get_response(request)


API_PATH = re.compile(r"^(/t/[^/]+)?/api/")


def error_page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    """A translated error page in the visitor's language, outside any tenant.

    API clients get the same refusal as `application/problem+json`, like every other API error.
    """
    language = translation.get_language_from_request(request)
    if API_PATH.match(request.path):
        from api.errors import PROBLEM_CONTENT_TYPE, problem

        with translation.override(language):
            body = problem(status, _(message), request=request)
        return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    # Outside any tenant: links on the page point at the product's own site.
    request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
    set_urlconf(request.urlconf)
    with translation.override(language):
        return render(
            request,
            "error.html",
            {"status": status, "title": _(title), "message": _(message), "tenant": None},
            status=status,
        )


class TenantResolutionMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        connection.set_schema_to_public()
        try:
            resolution = resolve(request.path, request.META, request.get_host())
        except ConflictingTenant:
            return error_page(
                request,
                400,
                gettext_noop("Conflicting organisation"),
                gettext_noop(
                    "This request names two different organisations. Use one address only."
                ),
            )
        except UnknownTenant:
            return error_page(
                request,
                404,
                gettext_noop("Organisation not found"),
                gettext_noop(
                    "No organisation lives at this address. "
                    "Check the link, or sign up to create it."
                ),
            )

        tenant = resolution.tenant
        request.tenant = tenant
        connection.set_tenant(tenant)
        if tenant.is_public:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return self.get_response(request)

        if not tenant.is_active:
            return error_page(
                request,
                403,
                gettext_noop("Organisation unavailable"),
                gettext_noop(
                    "This organisation is suspended. Its owners can contact support to restore it."
                ),
            )
        request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        if resolution.path_info is None:
            return self.get_response(request)

        # Serve /t/<slug>/... as if it were the tenant's own host: views see the path below the
        # prefix, and reverse() puts the prefix back on every link.
        previous_prefix = get_script_prefix()
        request.path_info = resolution.path_info
        set_script_prefix(f"{request.META.get('SCRIPT_NAME', '')}{resolution.prefix}/")
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(previous_prefix)


def is_open_path(path_info: str) -> bool:
    return any(path_info.startswith(prefix) for prefix in OPEN_PATHS)


class TenantMembershipMiddleware:
    """Only members (and staff) reach an organisation's site; others see a 404 or the login."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        request.membership = None
        if tenant is None or tenant.is_public or is_open_path(request.path_info):
            return self.get_response(request)

        user = request.user
        if not user.is_authenticated:
            login = reverse("accounts:login")
            return HttpResponseRedirect(f"{login}?next={quote(request.get_full_path())}")

        from accounts.models import Membership

        request.membership = Membership.objects.filter(user=user, tenant=tenant).first()
        if request.membership is None and not user.is_staff:
            return error_page(
                request,
                404,
                gettext_noop("Page not found"),
                gettext_noop("This page does not exist, or you do not have access to it."),
            )
        return self.get_response(request)
