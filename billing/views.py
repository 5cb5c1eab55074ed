"""The public pricing page: every offered plan, its limits and its monthly price."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Plan


@dataclass(frozen=True)
class Offer:
    plan: Plan
    # Monthly price in the currency's main unit; None when the price is agreed per customer.
    monthly_price: Decimal | None
    is_free: bool


def offer_for(plan: Plan) -> Offer:
    # A plan without any limit and without a list price is sold on a quote.
    unlimited = (
        plan.max_movie_minutes is None
        and plan.storage_gb is None
        and plan.processing_hours_per_month is None
    )
    if plan.monthly_price_cents:
        return Offer(plan, Decimal(plan.monthly_price_cents) / 100, is_free=False)
    return Offer(plan, None, is_free=not unlimited)


def pricing(request: HttpRequest) -> HttpResponse:
    offers = [offer_for(plan) for plan in Plan.objects.filter(is_public=True)]
    return render(request, "billing/pricing.html", {"offers": offers})
