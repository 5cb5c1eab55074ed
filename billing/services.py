"""Writes of billing that people start: the currency, Checkout and the Customer Portal for
owners, a change of plan (owners through Stripe, staff directly), agreed limits. Each one is
keyword-only, checks the caller through accounts.access, and audits in its transaction.

What Stripe decides (a subscription's state, invoices, payments) is written only from its
webhooks, in billing.stripe_sync."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import access
from compliance.services import record_event

from . import gateway, quotas
from .currencies import CURRENCIES
from .models import Plan, Price, Subscription

# Statuses of a Stripe subscription that still bills the organisation.
LIVE_STATUSES = frozenset(
    {
        Subscription.Status.ACTIVE,
        Subscription.Status.TRIALING,
        Subscription.Status.PAST_DUE,
        Subscription.Status.UNPAID,
        Subscription.Status.INCOMPLETE,
        Subscription.Status.PAUSED,
    }
)


class PaymentsUnavailable(Exception):
    """Stripe is not configured, or refused; `message` is translated for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def owners_only() -> str:
    return _("Only the organisation's owners manage its plan and payments.")


def subscription_of(tenant: Any) -> Subscription:
    subscription, _created = Subscription.objects.get_or_create(tenant_id=tenant.pk)
    return subscription


def _locked(tenant: Any) -> Subscription:
    subscription_of(tenant)
    return Subscription.objects.select_for_update().get(tenant_id=tenant.pk)


def has_live_subscription(subscription: Subscription) -> bool:
    return bool(subscription.stripe_subscription_id) and subscription.status in LIVE_STATUSES


def can_change_currency(subscription: Subscription) -> bool:
    return subscription.first_paid_at is None and not has_live_subscription(subscription)


@transaction.atomic
def set_currency(*, tenant: Any, currency: str, acting_user: Any) -> str:
    """Owners choose the currency they are billed in, until the first invoice is paid."""
    access.require_role(
        user=acting_user, tenant=tenant, roles=access.OWNER_ROLES, message=owners_only()
    )
    if currency not in CURRENCIES:
        raise ValidationError(_("Choose one of the offered currencies."), code="bad_currency")
    subscription = _locked(tenant)
    if not can_change_currency(subscription):
        raise ValidationError(
            _("The currency is fixed once an invoice has been paid. Contact us to change it."),
            code="currency_fixed",
        )
    previous = tenant.currency
    if previous != currency:
        type(tenant).objects.filter(pk=tenant.pk).update(currency=currency)
        tenant.currency = currency
        record_event(
            action="billing.currency_changed",
            actor=acting_user,
            tenant=tenant,
            target=tenant.slug,
            data={"from": previous, "to": currency},
        )
    return currency


def _price_for(plan: Plan, currency: str) -> tuple[Price, str]:
    price = Price.objects.filter(plan=plan, currency=currency).first()
    stripe_price = gateway.price_id(plan.code, currency)
    if price is None or plan.contact_sales or not stripe_price:
        raise ValidationError(
            _("The %(plan)s plan cannot be bought online in %(currency)s. Contact us.")
            % {"plan": plan.name, "currency": currency},
            code="not_for_sale",
        )
    return price, stripe_price


def start_checkout(
    *,
    tenant: Any,
    plan: Plan,
    acting_user: Any,
    success_url: str,
    cancel_url: str,
    language: str,
) -> str:
    """The Stripe Checkout page (subscription mode) for `plan` in the organisation's currency;
    the plan changes when Stripe's webhook confirms the subscription, not before."""
    access.require_role(
        user=acting_user, tenant=tenant, roles=access.OWNER_ROLES, message=owners_only()
    )
    if not gateway.is_configured():
        raise PaymentsUnavailable(_("Online payments are not set up yet. Contact us."))
    _price, stripe_price = _price_for(plan, tenant.currency)
    try:
        quotas.check_plan_fits(tenant, plan)
    except quotas.QuotaExceeded as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    subscription = subscription_of(tenant)
    if has_live_subscription(subscription):
        raise ValidationError(
            _("This organisation already has a subscription: change its plan instead."),
            code="already_subscribed",
        )
    try:
        customer = _customer_of(tenant, subscription, acting_user)
        session = gateway.create_checkout_session(
            customer=customer,
            price=stripe_price,
            tenant_id=tenant.pk,
            plan_code=plan.code,
            success_url=success_url,
            cancel_url=cancel_url,
            locale=_stripe_locale(language),
        )
    except gateway.GatewayError as exc:
        raise PaymentsUnavailable(_("Stripe could not be reached. Try again in a minute.")) from exc
    with transaction.atomic():
        record_event(
            action="billing.checkout_started",
            actor=acting_user,
            tenant=tenant,
            target=tenant.slug,
            data={"plan": plan.code, "currency": tenant.currency, "session": session["id"]},
        )
    return session["url"]


def _customer_of(tenant: Any, subscription: Subscription, acting_user: Any) -> str:
    if subscription.stripe_customer_id:
        return subscription.stripe_customer_id
    customer = gateway.create_customer(
        name=str(tenant.name),
        email=acting_user.email,
        tenant_id=tenant.pk,
        currency=tenant.currency,
    )
    Subscription.objects.filter(pk=subscription.pk, stripe_customer_id="").update(
        stripe_customer_id=customer["id"]
    )
    return customer["id"]


def _stripe_locale(language: str) -> str:
    # Stripe's pages speak these of our languages; the rest let Stripe follow the browser.
    offered = {"en", "fr", "de", "es", "it", "pt", "ru", "ja", "ko", "he", "hi"}
    if language == "zh-hans":
        return "zh"
    return language if language in offered else "auto"


def open_portal(*, tenant: Any, acting_user: Any, return_url: str, language: str) -> str:
    """Stripe's Customer Portal: payment methods, invoices and cancellation."""
    access.require_role(
        user=acting_user, tenant=tenant, roles=access.OWNER_ROLES, message=owners_only()
    )
    subscription = subscription_of(tenant)
    if not gateway.is_configured() or not subscription.stripe_customer_id:
        raise PaymentsUnavailable(_("There is nothing to manage yet: choose a paid plan first."))
    try:
        session = gateway.create_portal_session(
            customer=subscription.stripe_customer_id,
            return_url=return_url,
            locale=_stripe_locale(language),
        )
    except gateway.GatewayError as exc:
        raise PaymentsUnavailable(_("Stripe could not be reached. Try again in a minute.")) from exc
    return session["url"]


def change_subscription(*, tenant: Any, plan: Plan, acting_user: Any) -> str:
    """Owners move a live Stripe subscription to another plan: an upgrade is prorated and
    charged now, a downgrade waits for the end of the paid period. Returns "upgrade" or
    "downgrade"; the plan itself changes when Stripe's webhook says so."""
    access.require_role(
        user=acting_user, tenant=tenant, roles=access.OWNER_ROLES, message=owners_only()
    )
    subscription = subscription_of(tenant)
    if not gateway.is_configured() or not has_live_subscription(subscription):
        raise PaymentsUnavailable(_("There is nothing to manage yet: choose a paid plan first."))
    price, stripe_price = _price_for(plan, tenant.currency)
    current = Price.objects.filter(plan=tenant.plan, currency=tenant.currency).first()
    upgrade = current is None or price.amount > current.amount
    if not upgrade:
        try:
            quotas.check_plan_fits(tenant, plan)
        except quotas.QuotaExceeded as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
    try:
        gateway.change_subscription_price(
            subscription=subscription.stripe_subscription_id,
            item=subscription.stripe_item_id,
            price=stripe_price,
            plan_code=plan.code,
            upgrade=upgrade,
            period_end=subscription.current_period_end,
        )
    except gateway.GatewayError as exc:
        raise PaymentsUnavailable(
            _("Stripe refused the change (is the card still valid?). Nothing was changed.")
        ) from exc
    with transaction.atomic():
        locked = _locked(tenant)
        locked.scheduled_plan = None if upgrade else plan
        locked.save(update_fields=["scheduled_plan", "updated_at"])
        record_event(
            action="billing.plan_change_requested",
            actor=acting_user,
            tenant=tenant,
            target=tenant.slug,
            data={"to": plan.code, "kind": "upgrade" if upgrade else "downgrade"},
        )
    return "upgrade" if upgrade else "downgrade"


def apply_plan(*, tenant: Any, plan: Plan, actor: Any, reason: str) -> bool:
    """Put `plan` in force (in the caller's transaction), audited; False if it already was."""
    previous = getattr(tenant.plan, "code", None)
    if previous == plan.code:
        return False
    type(tenant).objects.filter(pk=tenant.pk).update(plan=plan)
    tenant.plan = plan
    record_event(
        action="billing.plan_changed",
        actor=actor,
        tenant=tenant,
        target=tenant.slug,
        data={"from": previous, "to": plan.code, "reason": reason},
    )
    return True


def set_plan(
    *,
    tenant: Any,
    plan: Plan,
    acting_user: Any,
    custom_limits: dict[str, int | None] | None = None,
) -> Subscription:
    """Staff put an organisation on a plan without Stripe (a quote, a gift, no keys set) and,
    for a plan sold on a quote, set its agreed limits. A plan smaller than current usage is
    refused with the reason."""
    access.require_staff(user=acting_user)
    try:
        quotas.check_plan_fits(tenant, plan)
    except quotas.QuotaExceeded as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    with transaction.atomic():
        quotas.lock_organisation(tenant)
        locked = _locked(tenant)
        apply_plan(tenant=tenant, plan=plan, actor=acting_user, reason="staff")
        if custom_limits is not None:
            before = {field: getattr(locked, field) for field in custom_limits}
            for field, value in custom_limits.items():
                setattr(locked, field, value)
            locked.save()
            if before != custom_limits:
                record_event(
                    action="billing.limits_agreed",
                    actor=acting_user,
                    tenant=tenant,
                    target=tenant.slug,
                    data={"from": before, "to": custom_limits},
                )
    return locked
