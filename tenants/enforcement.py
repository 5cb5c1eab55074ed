"""Where an organisation's security policy takes effect: one middleware, after tenant
resolution and sign-in, for every request on the organisation's site (pages, API, media
downloads, tus uploads, the sign-in page itself).

Requests from outside the allowed networks or countries are refused with a translated page or
problem+json (`ip_not_allowed`, `country_not_allowed`) and audited; browser sessions past the
organisation's idle or absolute limit are signed out (tenants.sessions). Nobody bypasses it on an
organisation's site, platform staff included; staff repair a policy from the product's own
host, which no organisation's policy governs (decision 0021).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_noop

from compliance.services import record_event
from web.client import ClientPlace, client_place
from web.errors import OUTAGES, error_page

from . import security, sessions
from .models import Tenant

log = logging.getLogger(__name__)

Handler = Callable[[HttpRequest], HttpResponse]
REFUSALS = {
    security.IP_NOT_ALLOWED: gettext_noop(
        "This organisation does not accept requests from your network. If you need access, "
        "ask one of its owners to allow your address."
    ),
    security.COUNTRY_NOT_ALLOWED: gettext_noop(
        "This organisation does not accept requests from your country, or from addresses whose "
        "country is unknown. If you need access, ask one of its owners."
    ),
}
# One audit row per address, rule and organisation in this window: a refused client that keeps
# knocking must not fill the audit trail.
AUDIT_WINDOW_SECONDS = 600


class SecurityPolicyMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_public:
            return self.get_response(request)
        rules = security.rules_for(tenant)
        if rules.limits_places:
            place = client_place(request)
            refused = rules.refusal(place)
            if refused is not None:
                return refuse(request, tenant=tenant, place=place, code=refused[0])
        sessions.check(request, tenant=tenant, rules=rules)
        key_before = request.session.session_key
        response = self.get_response(request)
        sessions.after_view(request, key_before)
        return response


def refuse(request: HttpRequest, *, tenant: Tenant, place: ClientPlace, code: str) -> HttpResponse:
    _audit_refusal(request, tenant=tenant, place=place, code=code)
    return error_page(request, 403, gettext_noop("Access refused"), REFUSALS[code], code=code)


def _audit_refusal(request: HttpRequest, *, tenant: Tenant, place: ClientPlace, code: str) -> None:
    first = True
    with suppress(*OUTAGES):
        first = cache.add(f"security:refused:{code}:{place.ip}", 1, AUDIT_WINDOW_SECONDS)
    if not first:
        return
    user = getattr(request, "user", None)
    record_event(
        action="security.request_refused",
        actor=user if user is not None and user.is_authenticated else None,
        tenant=tenant,
        target=place.ip,
        data={"code": code, "ip": place.ip, "country": place.country, "path": request.path},
    )
    log.info("refused %s from %s (%s): %s", request.path, place.ip, place.country, code)
