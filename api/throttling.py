"""Rate limits of the API, in Redis and shared by every worker (web.ratelimit): per API key, else
per person, at the organisation's plan rate; per address on the token endpoints. Callers without
a credential are limited per address by api.middleware. Redis being down lets the request
through (and says so in the log)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.db import connection
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from billing.models import Plan
from web import ratelimit
from web.client import client_ip

from .models import ApiKey

if TYPE_CHECKING:
    from rest_framework.views import APIView

# Plan rates change rarely; each worker re-reads the small table this often.
PLAN_RATES_SECONDS = 60
_plan_rates: dict[int, int | None] = {}
_plan_rates_read_at = 0.0


def plan_rate_per_minute(plan_id: int | None) -> int | None:
    """The API rate a plan grants (None: the platform default)."""
    global _plan_rates, _plan_rates_read_at
    if plan_id is None:
        return None
    if time.monotonic() - _plan_rates_read_at > PLAN_RATES_SECONDS:
        _plan_rates = dict(Plan.objects.values_list("pk", "api_requests_per_minute"))
        _plan_rates_read_at = time.monotonic()
    return _plan_rates.get(plan_id)


class _RedisThrottle(BaseThrottle):
    scope = ""

    def __init__(self) -> None:
        self.decision = ratelimit.ALLOWED

    def rate(self, request: Request) -> ratelimit.Rate | None:
        # Read at request time (DRF binds the rates at import), so settings overrides apply.
        return ratelimit.parse_rate(api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))

    def ident(self, request: Request) -> str | None:
        """The bucket of this request, or None when this limit does not apply to it."""
        return f"ip:{client_ip(request)}"

    def get_ident(self, request: Request) -> str:
        # One answer to "who is calling" for every limit: a forged X-Forwarded-For is ignored.
        return client_ip(request)

    def allow_request(self, request: Request, view: APIView) -> bool:
        ident = self.ident(request)
        if ident is None:
            return True
        self.decision = ratelimit.hit(self.scope, ident, self.rate(request))
        return self.decision.allowed

    def wait(self) -> float | None:
        return self.decision.retry_after or None


class ClientRateThrottle(_RedisThrottle):
    """Per API key (keys belong to one organisation), else per person, at the plan's rate."""

    scope = "api"

    def rate(self, request: Request) -> ratelimit.Rate | None:
        per_minute = plan_rate_per_minute(getattr(connection.tenant, "plan_id", None))
        if per_minute is not None:
            return ratelimit.Rate(per_minute, 60)
        return super().rate(request)

    def ident(self, request: Request) -> str | None:
        if isinstance(request.auth, ApiKey):
            return f"key:{connection.schema_name}:{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return None


class SignInRateThrottle(_RedisThrottle):
    """Token endpoints: per address, against password guessing (failures are limited per
    account and address on top, by accounts.attempts)."""

    scope = "auth"
