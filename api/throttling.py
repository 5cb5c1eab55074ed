"""Rate limits per API key, else per person, else per address. The cache's key function
prefixes every key with the schema, so each organisation has its own buckets."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from web.client import client_ip
from web.errors import OUTAGES

from .models import ApiKey

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from rest_framework.views import APIView


class _LiveRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at request time (DRF binds the rates at import), so settings overrides apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request: Request) -> str:
        # One answer to "who is calling" for every limit: a forged X-Forwarded-For is ignored.
        return client_ip(request)

    def allow_request(self, request: Request, view: APIView) -> bool:
        """A throttle whose cache is down lets the request through (and says so in the log):
        a missing rate limit for a minute is better than refusing every caller."""
        try:
            return super().allow_request(request, view)
        except OUTAGES as exc:
            log.warning("rate limit %s not applied, its cache is unreachable: %s", self.scope, exc)
            return True


class ClientRateThrottle(_LiveRateThrottle):
    scope = "api"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"


class SignInRateThrottle(_LiveRateThrottle):
    """Token endpoints: per address, against password guessing."""

    scope = "auth"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return f"throttle:{self.scope}:ip:{self.get_ident(request)}"
