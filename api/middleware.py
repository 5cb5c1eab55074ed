"""Who calls the API, read before the access check (see api.auth)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from rest_framework import exceptions
from rest_framework.settings import api_settings

from accounts.middleware import is_open
from web import ratelimit
from web.client import client_ip
from web.errors import is_api

from .auth import WWW_AUTHENTICATE, caller_from_header
from .errors import problem_for


def address_limit(request: HttpRequest) -> HttpResponse | None:
    """Calls without a valid credential (open endpoints, guessed keys, anonymous probes) count
    per address in one bucket across all organisations; the refusal once it is full."""
    rate = ratelimit.parse_rate(api_settings.DEFAULT_THROTTLE_RATES.get("ip"))
    decision = ratelimit.hit("ip", f"ip:{client_ip(request)}", rate)
    return None if decision.allowed else ratelimit.refusal(request, decision)


class ApiCredentialMiddleware:
    """For API views that are not open to visitors: the caller becomes `request.user`, and the
    credential `request.api_auth`; a bad credential is answered 401 at once. Callers without a
    valid credential pass the per-address limit first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.api_auth = None
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        if not is_api(request):
            return None
        if is_open(view_func):
            view_class = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
            if request.user.is_authenticated or getattr(view_class, "signed_link", False):
                return None
            return address_limit(request)
        try:
            caller = caller_from_header(request)
        except exceptions.AuthenticationFailed as exc:
            response = address_limit(request) or problem_for(exc, request)
            response["WWW-Authenticate"] = WWW_AUTHENTICATE
            return response
        if caller is not None:
            request.user, request.api_auth = caller
        elif not request.user.is_authenticated:
            return address_limit(request)
        return None
