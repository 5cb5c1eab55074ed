"""Stripe's HTTP API played by a local server (the `stripe` library talks real HTTP to it via
STRIPE_API_BASE), answering with objects shaped like Stripe's own; and webhook bodies signed
with Stripe's scheme (`t=<unix time>,v1=<HMAC-SHA256 of "t.body">`)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
_ids = itertools.count(1000)


def new_id(prefix: str) -> str:
    return f"{prefix}_test{next(_ids):08d}"


def price(price_id: str, currency: str, amount: int) -> dict[str, Any]:
    return {
        "id": price_id, "object": "price", "active": True, "currency": currency.lower(),
        "unit_amount": amount, "type": "recurring", "livemode": False,
        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"},
        "tax_behavior": "inclusive", "product": "prod_testrecap",
    }  # fmt: skip


def subscription(
    *,
    sub_id: str,
    customer: str,
    price_obj: dict[str, Any],
    status: str = "active",
    tenant_id: int,
    start: int | None = None,
    cancel_at_period_end: bool = False,
) -> dict[str, Any]:
    start = start or int(time.time())
    return {
        "id": sub_id, "object": "subscription", "customer": customer, "status": status,
        "cancel_at_period_end": cancel_at_period_end, "created": start, "livemode": False,
        "currency": price_obj["currency"], "collection_method": "charge_automatically",
        "metadata": {"tenant_id": str(tenant_id)}, "latest_invoice": None,
        "items": {"object": "list", "has_more": False, "data": [{
            "id": "si_" + sub_id[4:], "object": "subscription_item", "price": price_obj,
            "quantity": 1, "subscription": sub_id,
            "current_period_start": start, "current_period_end": start + 30 * 86400,
        }]},
    }  # fmt: skip


def invoice(
    *,
    inv_id: str,
    customer: str,
    sub_id: str,
    status: str,
    total: int,
    currency: str,
    tax: int = 0,
    attempt_count: int = 1,
    created: int | None = None,
) -> dict[str, Any]:
    created = created or int(time.time())
    return {
        "id": inv_id, "object": "invoice", "customer": customer, "status": status,
        "number": f"RECAP-{inv_id[-4:]}", "currency": currency.lower(), "total": total,
        "total_excluding_tax": total - tax, "amount_due": total,
        "amount_paid": total if status == "paid" else 0,
        "amount_remaining": 0 if status == "paid" else total, "attempt_count": attempt_count,
        "billing_reason": "subscription_cycle", "created": created, "livemode": False,
        "period_start": created - 30 * 86400, "period_end": created,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/acct_test/{inv_id}",
        "parent": {"type": "subscription_details",
                   "subscription_details": {"subscription": sub_id, "metadata": {}}},
    }  # fmt: skip


def event(kind: str, obj: dict[str, Any], *, created: int | None = None) -> dict[str, Any]:
    return {
        "id": new_id("evt"), "object": "event", "api_version": "2026-10-28.endive",
        "created": created or int(time.time()), "livemode": False, "pending_webhooks": 1,
        "request": {"id": new_id("req"), "idempotency_key": None}, "type": kind,
        "data": {"object": obj},
    }  # fmt: skip


def signed(body: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    stamp = at or int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def deliver(client: Any, evt: dict[str, Any], **sign: Any) -> Any:
    body = json.dumps(evt).encode()
    return client.post(
        "/api/stripe/webhook", body, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed(body, **sign),
    )  # fmt: skip


class FakeStripe:
    """Records every request (method, path, form fields, headers) and answers by path."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_paths: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                fake.requests.append(
                    {"method": "POST", "path": self.path, "form": form,
                     "headers": dict(self.headers)}
                )  # fmt: skip
                status, body = fake.answer(self.path, form)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Request-Id", new_id("req"))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if path in self.fail_paths:
            return 402, {"error": {"type": "card_error", "code": "card_declined",
                                   "message": "Your card was declined."}}  # fmt: skip
        now = int(time.time())
        if path == "/v1/customers":
            return 200, {"id": new_id("cus"), "object": "customer", "email": form.get("email"),
                         "name": form.get("name"), "created": now, "livemode": False,
                         "metadata": {"tenant_id": form.get("metadata[tenant_id]")}}  # fmt: skip
        if path == "/v1/checkout/sessions":
            sid = new_id("cs")
            return 200, {"id": sid, "object": "checkout.session", "mode": "subscription",
                         "customer": form.get("customer"), "status": "open",
                         "client_reference_id": form.get("client_reference_id"),
                         "url": f"https://checkout.stripe.com/c/pay/{sid}", "created": now,
                         "livemode": False, "payment_status": "unpaid",
                         "metadata": {"tenant_id": form.get("metadata[tenant_id]")}}  # fmt: skip
        if path == "/v1/billing_portal/sessions":
            return 200, {"id": new_id("bps"), "object": "billing_portal.session",
                         "customer": form.get("customer"), "livemode": False, "created": now,
                         "return_url": form.get("return_url"),
                         "url": "https://billing.stripe.com/p/session/test_portal"}  # fmt: skip
        if path.startswith("/v1/subscription_schedules"):
            return 200, {
                "id": "sub_sched_test1",
                "object": "subscription_schedule",
                "phases": [
                    {
                        "start_date": now - 86400,
                        "end_date": now + 86400,
                        "items": [{"price": "price_old", "quantity": 1}],
                    }
                ],
            }
        if path.startswith("/v1/subscriptions/"):
            return 200, {"id": path.rsplit("/", 1)[1], "object": "subscription",
                         "status": "active"}  # fmt: skip
        if path == "/v1/billing/meter_events":
            return 200, {"object": "billing.meter_event", "event_name": form.get("event_name"),
                         "identifier": form.get("identifier"), "created": now,
                         "livemode": False, "payload": {}, "timestamp": now}  # fmt: skip
        return 404, {"error": {"type": "invalid_request_error", "message": "No such route"}}

    def start(self) -> FakeStripe:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]
