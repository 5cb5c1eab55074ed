"""Who calls the API, read before the access check (see api.auth)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from rest_framework import exceptions

from accounts.middleware import is_open
from web.errors import is_api

from .auth import WWW_AUTHENTICATE, caller_from_header
from .errors import problem_for


class ApiCredentialMiddleware:
    """For API views that are not open to visitors: the caller becomes `request.user`, and the
    credential `request.api_auth`; a bad credential is answered 401 at once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.api_auth = None
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        if not is_api(request) or is_open(view_func):
            return None
        try:
            caller = caller_from_header(request)
        except exceptions.AuthenticationFailed as exc:
            response = problem_for(exc, request)
            response["WWW-Authenticate"] = WWW_AUTHENTICATE
            return response
        if caller is not None:
            request.user, request.api_auth = caller
        return None
