"""Request plumbing: health probes first, then tenant resolution (the membership check that
follows it is accounts.middleware.AccessMiddleware)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, set_script_prefix, set_urlconf
from django.utils.translation import gettext_noop

from web import cache as shared
from web.errors import error_page

from . import health
from .resolution import ConflictingTenant, Resolution, UnknownTenant, resolve
from .suspension import contact_url, suspension_reason

Handler = Callable[[HttpRequest], HttpResponse]


class HealthCheckMiddleware:
    """Serve /health* before anything looks at the host: probes arrive by pod IP."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/health" or request.path.startswith("/health/"):
            return health.dispatch(request)
        return self.get_response(request)


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
                extra={"detail": suspension_reason(tenant), "contact_url": contact_url()},
            )
        request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        with shared.prefetching(request):
            return self._on_tenant(request, resolution)

    def _on_tenant(self, request: HttpRequest, resolution: Resolution) -> HttpResponse:
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
