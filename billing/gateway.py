"""Stripe, and nothing else: the only module that imports the `stripe` library. The rest of
the product sees plain dicts shaped like Stripe's objects and a few verbs of our own.

The API version is pinned here, so Stripe's objects keep the shape this code reads whatever
the account's default version is; webhook endpoints must be created with the same version.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import stripe
from django.conf import settings

API_VERSION = "2026-10-28.endive"


class GatewayError(Exception):
    """Stripe refused or could not be reached; the message is for logs, not for people."""


class BadSignature(Exception):
    """A webhook whose signature, timestamp or body does not check out."""


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def price_id(plan_code: str, currency: str) -> str | None:
    return settings.STRIPE_PRICE_IDS.get(f"{plan_code}.{currency.upper()}") or None


def _client() -> stripe.StripeClient:
    if not is_configured():
        raise GatewayError("STRIPE_SECRET_KEY is not set")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        stripe_version=API_VERSION,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=2,
    )


def _plain(obj: Any) -> dict[str, Any]:
    return obj.to_dict(recursive=True) if hasattr(obj, "to_dict") else dict(obj)


def _call(method: Any, params: dict[str, Any], **options: Any) -> dict[str, Any]:
    try:
        return _plain(method(params, options or None))
    except stripe.StripeError as exc:
        raise GatewayError(f"{type(exc).__name__}: {exc.user_message or exc}") from exc


def create_customer(*, name: str, email: str, tenant_id: int, currency: str) -> dict[str, Any]:
    return _call(
        _client().v1.customers.create,
        {
            "name": name,
            "email": email,
            "metadata": {"tenant_id": str(tenant_id), "currency": currency},
        },
        idempotency_key=f"customer-{tenant_id}",
    )


def create_checkout_session(
    *,
    customer: str,
    price: str,
    tenant_id: int,
    plan_code: str,
    success_url: str,
    cancel_url: str,
    locale: str,
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "mode": "subscription",
        "customer": customer,
        "client_reference_id": str(tenant_id),
        "line_items": [{"price": price, "quantity": 1}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": locale,
        "metadata": {"tenant_id": str(tenant_id), "plan": plan_code},
        "subscription_data": {"metadata": {"tenant_id": str(tenant_id), "plan": plan_code}},
    }
    if settings.STRIPE_AUTOMATIC_TAX:
        params["automatic_tax"] = {"enabled": True}
        params["customer_update"] = {"address": "auto", "name": "auto"}
        params["tax_id_collection"] = {"enabled": True}
    return _call(_client().v1.checkout.sessions.create, params)


def create_portal_session(*, customer: str, return_url: str, locale: str) -> dict[str, Any]:
    return _call(
        _client().v1.billing_portal.sessions.create,
        {"customer": customer, "return_url": return_url, "locale": locale},
    )


def change_subscription_price(
    *,
    subscription: str,
    item: str,
    price: str,
    plan_code: str,
    upgrade: bool,
    period_end: datetime | None,
) -> dict[str, Any]:
    """An upgrade takes effect now and invoices the prorated difference at once. A downgrade
    keeps the paid period: a subscription schedule changes the price when the period ends
    (no credit, no refund), then lets the subscription go on by itself."""
    client = _client()
    if upgrade:
        return _call(
            lambda p, o: client.v1.subscriptions.update(subscription, p, o),
            {
                "items": [{"id": item, "price": price}],
                "metadata": {"plan": plan_code},
                "proration_behavior": "always_invoice",
                "payment_behavior": "error_if_incomplete",
                "cancel_at_period_end": False,
            },
        )
    schedule = _call(client.v1.subscription_schedules.create, {"from_subscription": subscription})
    current = schedule["phases"][0]
    end = int(period_end.timestamp()) if period_end else current["end_date"]
    return _call(
        lambda p, o: client.v1.subscription_schedules.update(schedule["id"], p, o),
        {
            "end_behavior": "release",
            "proration_behavior": "none",
            "phases": [
                {
                    "items": [
                        {"price": i["price"], "quantity": i.get("quantity", 1)}
                        for i in current["items"]
                    ],
                    "start_date": current["start_date"],
                    "end_date": end,
                },
                {
                    "items": [{"price": price, "quantity": 1}],
                    "metadata": {"plan": plan_code},
                    "duration": {"interval": "month", "interval_count": 1},
                },
            ],
        },
    )


def report_overage(
    *, customer: str, minutes: int, identifier: str, timestamp: int
) -> dict[str, Any]:
    """Processing past an Enterprise agreement, to the billing meter of the overage price.
    `identifier` makes a repeated report of the same increment count once."""
    return _call(
        _client().v1.billing.meter_events.create,
        {
            "event_name": settings.STRIPE_OVERAGE_METER_EVENT,
            "payload": {"stripe_customer_id": customer, "value": str(minutes)},
            "identifier": identifier,
            "timestamp": timestamp,
        },
    )


def verified_event(payload: bytes, signature: str) -> dict[str, Any]:
    """The event in a webhook body, once its `Stripe-Signature` (t=…,v1=HMAC-SHA256 of
    "t.body" with the endpoint secret) checks out within the tolerance window."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise BadSignature("STRIPE_WEBHOOK_SECRET is not set")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature, secret, settings.STRIPE_WEBHOOK_TOLERANCE
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise BadSignature(str(exc)) from exc
    if not isinstance(event, dict) or event.get("object") != "event" or "id" not in event:
        raise BadSignature("not a Stripe event")
    return event
