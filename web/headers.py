"""Response headers Django has no setting for: Permissions-Policy (settings.PERMISSIONS_POLICY);
and the one relaxation of the Content-Security-Policy: Django's own admin pages carry style
attributes and a <style> element, so there, and only there, inline styles are allowed.
Scripts stay as strict as everywhere."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Django's admin writes style attributes and, on lists without actions, a <style> element.
ADMIN_STYLES = {
    "style-src-attr": ["'unsafe-inline'"],
    "style-src-elem": ["'self'", "'unsafe-inline'"],
}


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.app_name == "admin":
            response._csp_update = ADMIN_STYLES  # read by CSPMiddleware
        return response
