"""Stripe's webhooks, the only source of subscription state: each event applied once (its id
is stored in the same transaction), older news never written over newer (each object keeps the
`created` second of the last event applied to it, and a final state is never left), unknown
types acknowledged and ignored. Dunning: a failed payment makes the organisation past due, a
paid invoice makes it active again; `suspend_overdue` suspends it after the grace period."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from compliance.services import record_event

from . import events
from .models import Invoice, Plan, StripeEvent, Subscription
from .services import apply_plan

log = logging.getLogger(__name__)

SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
    }
)
INVOICE_EVENTS = frozenset(
    {
        "invoice.created",
        "invoice.finalized",
        "invoice.updated",
        "invoice.paid",
        "invoice.payment_succeeded",
        "invoice.payment_failed",
        "invoice.voided",
        "invoice.marked_uncollectible",
    }
)
FINAL_SUBSCRIPTION = frozenset({Subscription.Status.CANCELED, "incomplete_expired"})
FINAL_INVOICE = frozenset({Invoice.Status.PAID, Invoice.Status.VOID, "uncollectible"})


def _when(seconds: int | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds else None


def apply_stripe_event(event: dict[str, Any]) -> str:
    """Apply a verified event; returns what happened: "applied", "duplicate", "stale",
    "ignored" (a type we do not use) or "unknown" (an object of no organisation of ours)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    stripe_id=event["id"],
                    type=event.get("type", ""),
                    created=int(event.get("created") or 0),
                    outcome="received",
                )
        except IntegrityError:
            return "duplicate"
        kind, obj = event.get("type", ""), event.get("data", {}).get("object", {})
        created = int(event.get("created") or 0)
        if kind == "checkout.session.completed":
            outcome = _checkout_completed(obj)
        elif kind in SUBSCRIPTION_EVENTS:
            outcome = _subscription_changed(obj, created)
        elif kind in INVOICE_EVENTS:
            outcome = _invoice_changed(kind, obj, created)
        else:
            outcome = "ignored"
        record.outcome = outcome
        record.save(update_fields=["outcome"])
    log.info("stripe event %s (%s): %s", event["id"], kind, outcome)
    return outcome


def _subscription_for(obj: dict[str, Any]) -> Subscription | None:
    """The organisation a Stripe object belongs to: by subscription, customer, or the tenant id
    our Checkout put in its metadata."""
    found = Subscription.objects.select_for_update(of=("self",)).select_related(
        "tenant", "tenant__plan"
    )
    sub_id = obj.get("subscription") if obj.get("object") != "subscription" else obj.get("id")
    if isinstance(sub_id, str) and sub_id:
        match = found.filter(stripe_subscription_id=sub_id).first()
        if match is not None:
            return match
    customer = obj.get("customer")
    if isinstance(customer, str) and customer:
        match = found.filter(stripe_customer_id=customer).first()
        if match is not None:
            return match
    tenant_id = (obj.get("metadata") or {}).get("tenant_id") or obj.get("client_reference_id")
    if tenant_id and str(tenant_id).isdigit():
        return found.filter(tenant_id=int(tenant_id)).first()
    return None


def _checkout_completed(session: dict[str, Any]) -> str:
    if session.get("mode") != "subscription":
        return "ignored"
    subscription = _subscription_for(session)
    if subscription is None:
        return "unknown"
    subscription.stripe_customer_id = session.get("customer") or subscription.stripe_customer_id
    if not subscription.stripe_subscription_id or subscription.status in FINAL_SUBSCRIPTION:
        subscription.stripe_subscription_id = session.get("subscription") or ""
    subscription.save()
    _audit(subscription, "billing.checkout_completed", {"session": session.get("id")})
    return "applied"


def _plan_for_price(price: dict[str, Any] | str | None, metadata: dict[str, Any]) -> Plan | None:
    price_id = price.get("id") if isinstance(price, dict) else price
    for key, value in settings.STRIPE_PRICE_IDS.items():
        if value == price_id:
            return Plan.objects.filter(code=key.split(".", 1)[0]).first()
    code = metadata.get("plan")
    return Plan.objects.filter(code=code).first() if code else None


def _subscription_changed(obj: dict[str, Any], created: int) -> str:
    subscription = _subscription_for(obj)
    if subscription is None:
        return "unknown"
    same = subscription.stripe_subscription_id in ("", obj.get("id"))
    if same and subscription.status in FINAL_SUBSCRIPTION and subscription.stripe_subscription_id:
        return "stale"  # a canceled subscription never comes back; Checkout makes a new one
    if same and created < subscription.stripe_state_at:
        return "stale"
    if (
        not same
        and subscription.status not in FINAL_SUBSCRIPTION
        and obj.get("status") in (FINAL_SUBSCRIPTION)
    ):
        return "stale"  # the end of an older subscription, after a newer one began
    items = (obj.get("items") or {}).get("data") or [{}]
    item = items[0]
    previous_status = subscription.status
    subscription.stripe_subscription_id = obj.get("id", "")
    subscription.stripe_customer_id = obj.get("customer") or subscription.stripe_customer_id
    subscription.stripe_item_id = item.get("id", "")
    subscription.status = obj.get("status", Subscription.Status.NONE)
    # Since API version 2025-03-31 the period is on the item; older payloads have it on top.
    subscription.current_period_start = _when(
        item.get("current_period_start") or obj.get("current_period_start")
    )
    subscription.current_period_end = _when(
        item.get("current_period_end") or obj.get("current_period_end")
    )
    subscription.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    subscription.stripe_state_at = created
    tenant = subscription.tenant
    if subscription.status in FINAL_SUBSCRIPTION:
        plan, reason = Plan.objects.filter(code="free").first(), "subscription_ended"
        subscription.scheduled_plan = None
    else:
        plan, reason = _plan_for_price(item.get("price"), obj.get("metadata") or {}), "stripe"
        if plan is not None and subscription.scheduled_plan_id == plan.pk:
            subscription.scheduled_plan = None
    subscription.save()
    if plan is not None and subscription.status != Subscription.Status.INCOMPLETE:
        apply_plan(tenant=tenant, plan=plan, actor=None, reason=reason)
    if previous_status != subscription.status:
        _audit(
            subscription,
            "billing.subscription_changed",
            {
                "from": previous_status,
                "to": subscription.status,
                "plan": getattr(plan, "code", None),
            },
        )
    return "applied"


def _invoice_changed(kind: str, obj: dict[str, Any], created: int) -> str:
    subscription = _subscription_for(_with_subscription(obj))
    if subscription is None:
        return "unknown"
    invoice = Invoice.objects.select_for_update().filter(stripe_id=obj.get("id")).first()
    if invoice is not None and (
        invoice.status in FINAL_INVOICE or created < invoice.stripe_state_at
    ):
        return "stale"  # paid, void and uncollectible are final; older news changes nothing
    invoice = invoice or Invoice(tenant_id=subscription.tenant_id, stripe_id=obj["id"])
    total = int(obj.get("total") or 0)
    invoice.number = obj.get("number") or ""
    invoice.status = obj.get("status") or Invoice.Status.DRAFT
    invoice.currency = (obj.get("currency") or "").upper()
    invoice.total = total
    invoice.tax = total - int(obj.get("total_excluding_tax") or total)
    invoice.amount_paid = int(obj.get("amount_paid") or 0)
    invoice.attempt_count = int(obj.get("attempt_count") or 0)
    invoice.hosted_invoice_url = obj.get("hosted_invoice_url") or ""
    invoice.period_start = _when(obj.get("period_start"))
    invoice.period_end = _when(obj.get("period_end"))
    invoice.created = _when(obj.get("created")) or timezone.now()
    invoice.stripe_state_at = created
    if kind == "invoice.payment_failed":
        invoice.payment_failed = True
    invoice.save()
    if invoice.status == Invoice.Status.PAID:
        _paid(subscription, invoice)
    elif kind == "invoice.payment_failed":
        _payment_failed(subscription, invoice)
    return "applied"


def _with_subscription(invoice: dict[str, Any]) -> dict[str, Any]:
    # Since 2025-03-31 an invoice names its subscription under parent.subscription_details.
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return {**invoice, "subscription": invoice.get("subscription") or details.get("subscription")}


def _paid(subscription: Subscription, invoice: Invoice) -> None:
    if subscription.first_paid_at is None and invoice.total > 0:
        subscription.first_paid_at = timezone.now()
    was_overdue = subscription.past_due_since is not None
    subscription.past_due_since = None
    subscription.save(update_fields=["first_paid_at", "past_due_since", "updated_at"])
    _audit(subscription, "billing.invoice_paid", {"invoice": invoice.stripe_id})
    status = subscription.tenant.status
    # A suspension that billing did not cause (staff, abuse) is not lifted by a payment.
    if status == events.Standing.PAST_DUE or (was_overdue and status == events.Standing.SUSPENDED):
        events.publish(
            events.StandingChanged(
                tenant=subscription.tenant, standing=events.Standing.ACTIVE, reason="invoice_paid"
            )
        )


def _payment_failed(subscription: Subscription, invoice: Invoice) -> None:
    if subscription.past_due_since is None:
        subscription.past_due_since = timezone.now()
        subscription.save(update_fields=["past_due_since", "updated_at"])
    _audit(
        subscription,
        "billing.payment_failed",
        {"invoice": invoice.stripe_id, "attempts": invoice.attempt_count},
    )
    if subscription.tenant.status == events.Standing.ACTIVE:
        events.publish(
            events.StandingChanged(
                tenant=subscription.tenant,
                standing=events.Standing.PAST_DUE,
                reason="payment_failed",
            )
        )


def suspend_overdue(*, now: datetime | None = None) -> list[int]:
    """Suspend the organisations whose payment has been overdue for the grace period; returns
    their ids. Run by a periodic task."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.BILLING_GRACE_DAYS)
    suspended = []
    overdue = Subscription.objects.filter(
        past_due_since__lte=cutoff, tenant__status=events.Standing.PAST_DUE
    ).values_list("pk", flat=True)
    for pk in overdue:
        with transaction.atomic():
            subscription = (
                Subscription.objects.select_for_update().select_related("tenant").get(pk=pk)
            )
            if subscription.past_due_since is None or subscription.past_due_since > cutoff:
                continue
            events.publish(
                events.StandingChanged(
                    tenant=subscription.tenant,
                    standing=events.Standing.SUSPENDED,
                    reason="grace_period_over",
                )
            )
            suspended.append(subscription.tenant_id)
    return suspended


def _audit(subscription: Subscription, action: str, data: dict[str, Any]) -> None:
    record_event(
        action=action,
        actor=None,
        tenant=subscription.tenant,
        target=subscription.stripe_subscription_id or subscription.tenant.slug,
        data=data,
    )
