"""Counting the integrator API's calls per organisation for the usage ledger: one Redis
increment per answered call (billing.metering flushes them hourly into the ledger)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from billing.metering import count_api_call
from web.errors import is_api


class ApiCallMeterMiddleware:
    """Calls by a signed-in caller (API key, token or session) on an organisation's API that
    got an answer other than a server error; refusals for bad credentials are not counted."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        user = getattr(request, "user", None)
        if (
            tenant is not None
            and not tenant.is_public
            and is_api(request)
            and response.status_code < 500
            and getattr(user, "is_authenticated", False)
        ):
            count_api_call(tenant)
        return response
