"""Billing pages: the public pricing page in any of the eight currencies, and an organisation's
billing page (plan, next invoice, meters, invoices) with the owners' buttons: Checkout, plan
changes, the Customer Portal and the currency."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import access

from . import currencies, selectors, services
from .models import Plan

ACCEPT_LANGUAGE = "HTTP_ACCEPT_LANGUAGE"


def _currency_choices(language: str) -> list[tuple[str, str]]:
    return [(code, currencies.currency_name(code, language)) for code in currencies.CURRENCIES]


@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    accept = request.META.get(ACCEPT_LANGUAGE, "")
    currency = request.GET.get("currency", "").upper()
    if currency not in currencies.CURRENCIES:
        currency = currencies.currency_for_signup(region="", accept_language=accept)
    language = request.LANGUAGE_CODE
    context = {
        "offers": selectors.offers(currency=currency, language=language, accept_language=accept),
        "currency": currency,
        "currency_choices": _currency_choices(language),
        "tax_inclusive": currencies.tax_rule(currency, accept).inclusive,
    }
    return render(request, "billing/pricing.html", context)


def _page_url(request: HttpRequest, query: str = "") -> str:
    return request.build_absolute_uri(reverse("billing")) + query


@require_GET
def billing_page(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    access.require_role(
        user=request.user,
        tenant=tenant,
        roles=access.MANAGER_ROLES,
        message=_("Only owners and admins see the organisation's billing."),
    )
    if request.GET.get("checkout") == "done":
        messages.info(
            request, _("Thank you. The new plan starts as soon as Stripe confirms the payment.")
        )
    subscription = services.subscription_of(tenant)
    context = {
        "overview": selectors.overview(
            tenant=tenant, subscription=subscription, language=request.LANGUAGE_CODE
        ),
        "is_owner": access.holds_role(user=request.user, tenant=tenant, roles=access.OWNER_ROLES),
        "has_subscription": services.has_live_subscription(subscription),
        "currency_choices": _currency_choices(request.LANGUAGE_CODE),
    }
    return render(request, "billing/billing.html", context)


def _refused(request: HttpRequest, exc: Exception) -> HttpResponseRedirect:
    if isinstance(exc, ValidationError):
        text = exc.messages[0]
    else:
        text = getattr(exc, "message", None) or str(exc)
    messages.error(request, text)
    return HttpResponseRedirect(reverse("billing"))


@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    plan = get_object_or_404(Plan, code=request.POST.get("plan", ""), contact_sales=False)
    try:
        if services.has_live_subscription(services.subscription_of(request.tenant)):
            kind = services.change_subscription(
                tenant=request.tenant, plan=plan, acting_user=request.user
            )
            messages.success(
                request,
                _("Upgraded: the difference for this period is charged now.")
                if kind == "upgrade"
                else _("The plan changes at the end of the period already paid."),
            )
            return HttpResponseRedirect(reverse("billing"))
        url = services.start_checkout(
            tenant=request.tenant,
            plan=plan,
            acting_user=request.user,
            success_url=_page_url(request, "?checkout=done"),
            cancel_url=_page_url(request),
            language=request.LANGUAGE_CODE,
        )
    except (ValidationError, PermissionDenied, services.PaymentsUnavailable) as exc:
        return _refused(request, exc)
    return HttpResponseRedirect(url, status=303)


@require_POST
def portal(request: HttpRequest) -> HttpResponse:
    try:
        url = services.open_portal(
            tenant=request.tenant,
            acting_user=request.user,
            return_url=_page_url(request),
            language=request.LANGUAGE_CODE,
        )
    except (PermissionDenied, services.PaymentsUnavailable) as exc:
        return _refused(request, exc)
    return HttpResponseRedirect(url, status=303)


@require_POST
def change_currency(request: HttpRequest) -> HttpResponse:
    try:
        services.set_currency(
            tenant=request.tenant,
            currency=request.POST.get("currency", ""),
            acting_user=request.user,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, exc)
    messages.success(request, _("Prices are now shown and billed in this currency."))
    return HttpResponseRedirect(reverse("billing"))
