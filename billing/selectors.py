"""Reads of billing: the offers on the pricing page in one currency, with their tax, and an
organisation's billing overview (plan, next invoice, meters, invoices)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from . import currencies, gateway
from .limits import GB, Limits, Usage, limits_of, usage_of
from .models import Invoice, Plan, Price, Subscription, UsageRecord
from .services import can_change_currency


@dataclass(frozen=True)
class Offer:
    plan: Plan
    currency: str
    amount: int | None  # minor units; None: free, or sold on a quote
    price_text: str
    tax_text: str

    @property
    def is_free(self) -> bool:
        return self.amount is None and not self.plan.contact_sales


def tax_text(amount: int, currency: str, rule: currencies.TaxRule, language: str) -> str:
    if rule.rate is None or not rule.inclusive:
        return _("Plus %(tax)s where it applies, calculated at checkout.") % {"tax": rule.name}
    return _("Includes %(rate)s %(tax)s (%(amount)s).") % {
        "rate": currencies.format_rate(rule.rate, language),
        "tax": rule.name,
        "amount": currencies.format_money(
            currencies.tax_in(amount, rule, currency), currency, language
        ),
    }


def offers(*, currency: str, language: str, accept_language: str = "") -> list[Offer]:
    rule = currencies.tax_rule(currency, accept_language)
    prices = {p.plan_id: p.amount for p in Price.objects.filter(currency=currency)}
    found = []
    for plan in Plan.objects.filter(is_public=True):
        amount = None if plan.contact_sales else prices.get(plan.pk) or None
        found.append(
            Offer(
                plan=plan,
                currency=currency,
                amount=amount,
                price_text=currencies.format_money(amount, currency, language) if amount else "",
                tax_text=tax_text(amount, currency, rule, language) if amount else "",
            )
        )
    return found


@dataclass(frozen=True)
class Meter:
    kind: str
    used: float
    limit: float | None

    @property
    def percent(self) -> int | None:
        if not self.limit:
            return None
        return min(100, round(self.used * 100 / self.limit))


def meters(usage: Usage, limits: Limits) -> list[Meter]:
    return [
        Meter(UsageRecord.Kind.STORAGE_BYTES, usage.storage_bytes, limits.storage_bytes),
        Meter(
            UsageRecord.Kind.PROCESSING_SECONDS,
            usage.processing_seconds_this_month,
            limits.processing_seconds,
        ),
        Meter(UsageRecord.Kind.API_CALLS, usage.api_calls_this_month, None),
    ]


def storage_breakdown(tenant: Any) -> dict[str, int]:
    """Bytes held by movies and by recap outputs (the ledger's references say which)."""
    rows = UsageRecord.objects.filter(tenant_id=tenant.pk, kind=UsageRecord.Kind.STORAGE_BYTES)
    movies = rows.filter(reference__startswith="movie:").aggregate(n=Sum("quantity"))["n"] or 0
    recaps = rows.filter(reference__startswith="recap:").aggregate(n=Sum("quantity"))["n"] or 0
    return {"movies": int(movies), "recaps": int(recaps)}


@dataclass(frozen=True)
class Overview:
    plan: Plan | None
    subscription: Subscription
    currency: str
    price_text: str
    next_invoice_at: datetime | None
    meters: list[Meter]
    invoices: list[Invoice]
    offers: list[Offer]
    payments_configured: bool
    can_change_currency: bool
    storage_gb: float
    overdue_invoice: Invoice | None


def overview(*, tenant: Any, subscription: Subscription, language: str) -> Overview:
    plan, currency = tenant.plan, tenant.currency
    price = Price.objects.filter(plan=plan, currency=currency).first() if plan else None
    usage = usage_of(tenant)
    invoices = list(Invoice.objects.filter(tenant_id=tenant.pk)[:24])
    overdue = next((i for i in invoices if i.status == "open" and i.payment_failed), None)
    return Overview(
        plan=plan,
        subscription=subscription,
        currency=currency,
        price_text=currencies.format_money(price.amount, currency, language) if price else "",
        next_invoice_at=(
            subscription.current_period_end
            if subscription.stripe_subscription_id and not subscription.cancel_at_period_end
            else None
        ),
        meters=meters(usage, limits_of(tenant)),
        invoices=invoices,
        offers=offers(currency=currency, language=language),
        payments_configured=gateway.is_configured(),
        can_change_currency=can_change_currency(subscription),
        storage_gb=usage.storage_bytes / GB,
        overdue_invoice=overdue,
    )
