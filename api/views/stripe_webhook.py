"""Stripe's webhook endpoint, on the product's own host: the body is checked against the
`Stripe-Signature` header with the endpoint secret before anything is read from it, then
handed to billing. Stripe retries anything but a 2xx, so only a forged or stale request and an
outage get one; events we do not use are acknowledged."""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.middleware import open_to_visitors
from billing import gateway
from billing.stripe_sync import apply_stripe_event
from web.problems import problem_json

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
@open_to_visitors
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    try:
        event = gateway.verified_event(request.body, request.headers.get("Stripe-Signature", ""))
    except gateway.BadSignature as exc:
        log.warning("refused a Stripe webhook: %s", exc)
        return problem_json(400, "Invalid signature.", request=request, code="bad_signature")
    outcome = apply_stripe_event(event)
    return JsonResponse({"received": True, "outcome": outcome})
