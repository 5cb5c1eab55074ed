"""Owners buy through Stripe Checkout and manage payment through the Customer Portal; staff set
plans without Stripe; a plan smaller than current usage is refused; the currency is chosen at
signup and changeable by owners until the first paid invoice."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from billing import quotas, services
from billing.models import Plan, Subscription, UsageRecord
from compliance.models import AuditEvent
from tenants.models import Tenant
from tenants.services import signup_tenant
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db


def test_checkout_opens_a_subscription_session_in_the_organisations_currency(
    tenant_a, owner_a, stripe_api
):
    url = services.start_checkout(
        tenant=tenant_a, plan=Plan.objects.get(code="starter"), acting_user=owner_a,
        success_url="https://alpha.example/billing/?checkout=done",
        cancel_url="https://alpha.example/billing/", language="fr",
    )  # fmt: skip
    assert url.startswith("https://checkout.stripe.com/c/pay/cs_test")
    customer, session = stripe_api.requests
    assert customer["path"] == "/v1/customers"
    assert customer["headers"]["Idempotency-Key"] == f"customer-{tenant_a.pk}"
    assert customer["headers"]["Stripe-Version"] == "2026-10-28.endive"
    form = session["form"]
    assert session["path"] == "/v1/checkout/sessions"
    assert form["mode"] == "subscription"
    assert form["line_items[0][price]"] == "price_starter_eur"
    assert form["client_reference_id"] == str(tenant_a.pk)
    assert form["locale"] == "fr"
    assert "automatic_tax[enabled]" not in form
    assert Subscription.objects.get(tenant=tenant_a).stripe_customer_id.startswith("cus_")
    # Checkout alone changes nothing: the plan waits for Stripe's webhook.
    assert Tenant.objects.get(pk=tenant_a.pk).plan.code == "free"


def test_stripe_tax_is_asked_for_when_configured(tenant_a, owner_a, stripe_api, settings):
    settings.STRIPE_AUTOMATIC_TAX = True
    services.start_checkout(
        tenant=tenant_a, plan=Plan.objects.get(code="starter"), acting_user=owner_a,
        success_url="https://a/", cancel_url="https://a/", language="en",
    )  # fmt: skip
    form = stripe_api.requests[-1]["form"]
    assert form["automatic_tax[enabled]"] == "True" or form["automatic_tax[enabled]"] == "true"
    assert form["customer_update[address]"] == "auto"


def test_only_owners_start_checkout(tenant_a, member_a, stripe_api):
    with pytest.raises(PermissionDenied):
        services.start_checkout(
            tenant=tenant_a, plan=Plan.objects.get(code="starter"), acting_user=member_a,
            success_url="https://a/", cancel_url="https://a/", language="en",
        )  # fmt: skip
    assert stripe_api.requests == []


def test_without_stripe_keys_checkout_says_payments_are_not_set_up(tenant_a, owner_a):
    with pytest.raises(services.PaymentsUnavailable):
        services.start_checkout(
            tenant=tenant_a, plan=Plan.objects.get(code="starter"), acting_user=owner_a,
            success_url="https://a/", cancel_url="https://a/", language="en",
        )  # fmt: skip


def test_a_plan_without_a_price_id_in_the_currency_is_not_sold_online(
    tenant_a, owner_a, stripe_api
):
    Tenant.objects.filter(pk=tenant_a.pk).update(currency="USD")
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    with pytest.raises(ValidationError) as refused:
        services.start_checkout(
            tenant=tenant, plan=Plan.objects.get(code="starter"), acting_user=owner_a,
            success_url="https://a/", cancel_url="https://a/", language="en",
        )  # fmt: skip
    assert refused.value.code == "not_for_sale"


def test_the_portal_opens_for_a_customer(tenant_a, owner_a, stripe_api):
    Subscription.objects.filter(tenant=tenant_a).update(stripe_customer_id="cus_test1")
    url = services.open_portal(
        tenant=tenant_a, acting_user=owner_a, return_url="https://a/billing/", language="de"
    )
    assert url == "https://billing.stripe.com/p/session/test_portal"
    assert stripe_api.requests[-1]["form"] == {
        "customer": "cus_test1",
        "return_url": "https://a/billing/",
        "locale": "de",
    }


def live(tenant: Tenant, plan: str) -> None:
    Subscription.objects.filter(tenant=tenant).update(
        stripe_customer_id="cus_live", stripe_subscription_id="sub_live",
        stripe_item_id="si_live", status="active", current_period_end=timezone.now(),
    )  # fmt: skip
    Tenant.objects.filter(pk=tenant.pk).update(plan=Plan.objects.get(code=plan))


def test_an_upgrade_is_prorated_and_charged_now(tenant_a, owner_a, stripe_api):
    live(tenant_a, "starter")
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    kind = services.change_subscription(
        tenant=tenant, plan=Plan.objects.get(code="professional"), acting_user=owner_a
    )
    assert kind == "upgrade"
    update = stripe_api.requests[-1]
    assert update["path"] == "/v1/subscriptions/sub_live"
    assert update["form"]["proration_behavior"] == "always_invoice"
    assert update["form"]["items[0][price]"] == "price_professional_eur"


def test_a_downgrade_waits_for_the_end_of_the_paid_period(tenant_a, owner_a, stripe_api):
    live(tenant_a, "professional")
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    kind = services.change_subscription(
        tenant=tenant, plan=Plan.objects.get(code="starter"), acting_user=owner_a
    )
    assert kind == "downgrade"
    create, update = stripe_api.requests[-2:]
    assert create["form"] == {"from_subscription": "sub_live"}
    assert update["form"]["phases[1][items][0][price]"] == "price_starter_eur"
    assert update["form"]["proration_behavior"] == "none"
    assert Subscription.objects.get(tenant=tenant_a).scheduled_plan.code == "starter"
    assert Tenant.objects.get(pk=tenant_a.pk).plan.code == "professional"


def test_a_downgrade_below_current_usage_is_refused_with_the_reason(tenant_a, owner_a, stripe_api):
    live(tenant_a, "professional")
    quotas.record_usage(
        tenant=tenant_a, kind=UsageRecord.Kind.STORAGE_BYTES, quantity=150 * quotas.GB,
        reference="movie:big",
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.change_subscription(
            tenant=Tenant.objects.get(pk=tenant_a.pk), plan=Plan.objects.get(code="starter"),
            acting_user=owner_a,
        )  # fmt: skip
    assert "150.0 GB, more than the 100 GB of the Starter plan" in refused.value.messages[0]
    assert not any("subscription" in path for path in stripe_api.paths())


def test_staff_set_a_plan_without_stripe_and_it_is_audited(tenant_a):
    staff = make_user("ops-plan@example.com", is_staff=True)
    services.set_plan(tenant=tenant_a, plan=Plan.objects.get(code="professional"),
                      acting_user=staff)  # fmt: skip
    assert Tenant.objects.get(pk=tenant_a.pk).plan.code == "professional"
    audit = AuditEvent.objects.get(tenant=tenant_a, action="billing.plan_changed")
    assert audit.actor_id == staff.pk and audit.data["to"] == "professional"


def test_enterprise_limits_are_agreed_per_organisation(tenant_a):
    staff = make_user("ops-ent@example.com", is_staff=True)
    services.set_plan(
        tenant=tenant_a, plan=Plan.objects.get(code="enterprise"), acting_user=staff,
        custom_limits={"custom_storage_gb": 5000, "custom_processing_hours": 300,
                       "custom_max_movie_minutes": None},
    )  # fmt: skip
    limits = quotas.limits_of(Tenant.objects.get(pk=tenant_a.pk))
    assert limits.storage_bytes == 5000 * quotas.GB
    assert limits.processing_seconds == 300 * 3600 and limits.processing_overage
    assert AuditEvent.objects.filter(tenant=tenant_a, action="billing.limits_agreed").exists()


def test_only_staff_set_plans(tenant_a, owner_a):
    with pytest.raises(PermissionDenied):
        services.set_plan(tenant=tenant_a, plan=Plan.objects.get(code="professional"),
                          acting_user=owner_a)  # fmt: skip


def test_signup_picks_the_currency_from_the_browser_then_the_region(platform, unique_slug):
    tenant, _owner = signup_tenant(
        slug=unique_slug, name="Kyoto Films", owner_email=f"{unique_slug}@example.com",
        owner_password="correct horse battery staple 42", language="ja",
        region="ap-southeast-1", accept_language="ja-JP,ja;q=0.9",
    )  # fmt: skip
    assert tenant.currency == "JPY"
    other, _owner = signup_tenant(
        slug=unique_slug + "b", name="Singapore Films",
        owner_email=f"{unique_slug}b@example.com",
        owner_password="correct horse battery staple 42", language="en",
        region="ap-southeast-1", accept_language="en",
    )  # fmt: skip
    assert other.currency == "SGD"
    assert Subscription.objects.filter(tenant=tenant).exists()


def test_owners_change_the_currency_until_the_first_paid_invoice(tenant_a, owner_a):
    services.set_currency(tenant=tenant_a, currency="GBP", acting_user=owner_a)
    assert Tenant.objects.get(pk=tenant_a.pk).currency == "GBP"
    Subscription.objects.filter(tenant=tenant_a).update(first_paid_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        services.set_currency(tenant=tenant_a, currency="USD", acting_user=owner_a)
    assert refused.value.code == "currency_fixed"
    admin = make_member(tenant_a, "admin-cur@example.com", role="admin")
    with pytest.raises(PermissionDenied):
        services.set_currency(tenant=tenant_a, currency="USD", acting_user=admin)
