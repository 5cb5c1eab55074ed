"""Stripe's webhooks are the only source of subscription state: signed with Stripe's real
scheme, applied once, older news never over newer, unknown types acknowledged; a failed payment
walks the organisation active → past_due → suspended → active."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Invoice, StripeEvent, Subscription
from billing.stripe_sync import suspend_overdue
from compliance.models import AuditEvent
from tenants.models import Tenant, TenantStatus
from tests.billing.stripe_fake import deliver, event, invoice, new_id, price, subscription

pytestmark = pytest.mark.django_db

STARTER = price("price_starter_eur", "EUR", 2900)
PROFESSIONAL = price("price_professional_eur", "EUR", 9900)


@pytest.fixture
def customer(tenant_a, stripe_api):
    record = Subscription.objects.get(tenant=tenant_a)
    record.stripe_customer_id = new_id("cus")
    record.save()
    return record.stripe_customer_id


@pytest.fixture
def stripe_client(client_for):
    return client_for(host="localhost")


def fresh(tenant: Tenant) -> Tenant:
    return Tenant.objects.select_related("plan").get(pk=tenant.pk)


def sub_event(kind, tenant, customer, sub_id, price_obj, *, created, status="active"):
    obj = subscription(
        sub_id=sub_id, customer=customer, price_obj=price_obj, status=status,
        tenant_id=tenant.pk, start=created,
    )  # fmt: skip
    return event(kind, obj, created=created)


def test_a_signed_subscription_event_puts_its_plan_in_force_and_audits_it(
    stripe_client, tenant_a, customer
):
    sub_id = new_id("sub")
    response = deliver(
        stripe_client,
        sub_event("customer.subscription.created", tenant_a, customer, sub_id, STARTER,
                  created=int(time.time())),
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["outcome"] == "applied"
    record = Subscription.objects.get(tenant=tenant_a)
    assert (record.status, record.stripe_subscription_id) == ("active", sub_id)
    assert record.current_period_end is not None
    assert fresh(tenant_a).plan.code == "starter"
    change = AuditEvent.objects.get(tenant=tenant_a, action="billing.plan_changed")
    assert change.data == {"from": "free", "to": "starter", "reason": "stripe"}


def test_a_forged_signature_changes_nothing(stripe_client, tenant_a, customer):
    evt = sub_event("customer.subscription.created", tenant_a, customer, new_id("sub"),
                    STARTER, created=int(time.time()))  # fmt: skip
    response = deliver(stripe_client, evt, secret="whsec_somebody_else")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert not StripeEvent.objects.filter(stripe_id=evt["id"]).exists()
    assert fresh(tenant_a).plan.code == "free"


def test_a_stale_timestamp_changes_nothing(stripe_client, tenant_a, customer):
    evt = sub_event("customer.subscription.created", tenant_a, customer, new_id("sub"),
                    STARTER, created=int(time.time()))  # fmt: skip
    response = deliver(stripe_client, evt, at=int(time.time()) - 3600)
    assert response.status_code == 400
    assert fresh(tenant_a).plan.code == "free"


def test_a_body_altered_after_signing_is_refused(stripe_client, tenant_a, customer):
    evt = sub_event("customer.subscription.created", tenant_a, customer, new_id("sub"),
                    STARTER, created=int(time.time()))  # fmt: skip
    import json

    body = json.dumps(evt).encode()
    from tests.billing.stripe_fake import signed

    header = signed(body)
    tampered = body.replace(b"price_starter_eur", b"price_professional_eur")
    response = stripe_client.post(
        "/api/stripe/webhook", tampered, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )  # fmt: skip
    assert response.status_code == 400
    assert fresh(tenant_a).plan.code == "free"


def test_a_replayed_event_id_is_applied_once(stripe_client, tenant_a, customer):
    now = int(time.time())
    sub_id = new_id("sub")
    first = sub_event("customer.subscription.created", tenant_a, customer, sub_id, STARTER,
                      created=now)  # fmt: skip
    assert deliver(stripe_client, first).json()["outcome"] == "applied"
    # The same event again, after a newer one moved the subscription on: nothing goes back.
    newer = sub_event("customer.subscription.updated", tenant_a, customer, sub_id,
                      PROFESSIONAL, created=now + 5)  # fmt: skip
    deliver(stripe_client, newer)
    replay = deliver(stripe_client, first)
    assert replay.status_code == 200 and replay.json()["outcome"] == "duplicate"
    assert fresh(tenant_a).plan.code == "professional"
    assert StripeEvent.objects.filter(stripe_id=first["id"]).count() == 1


def test_events_in_reverse_order_end_in_the_right_state(stripe_client, tenant_a, customer):
    now, sub_id = int(time.time()), new_id("sub")
    history = [
        sub_event("customer.subscription.created", tenant_a, customer, sub_id, STARTER,
                  created=now, status="incomplete"),
        event("invoice.paid", invoice(inv_id=new_id("in"), customer=customer, sub_id=sub_id,
                                      status="paid", total=2900, currency="eur", tax=542,
                                      created=now + 1), created=now + 1),
        sub_event("customer.subscription.updated", tenant_a, customer, sub_id, STARTER,
                  created=now + 2),
        sub_event("customer.subscription.updated", tenant_a, customer, sub_id, PROFESSIONAL,
                  created=now + 3),
    ]  # fmt: skip
    outcomes = [deliver(stripe_client, e).json()["outcome"] for e in reversed(history)]
    assert outcomes == ["applied", "stale", "applied", "stale"]
    record = Subscription.objects.get(tenant=tenant_a)
    assert record.status == "active"
    assert fresh(tenant_a).plan.code == "professional"
    paid = Invoice.objects.get(tenant=tenant_a)
    assert (paid.status, paid.total, paid.tax) == ("paid", 2900, 542)
    assert record.first_paid_at is not None


def test_a_deleted_subscription_is_final_and_returns_to_the_free_plan(
    stripe_client, tenant_a, customer
):
    now, sub_id = int(time.time()), new_id("sub")
    deliver(
        stripe_client,
        sub_event(
            "customer.subscription.created", tenant_a, customer, sub_id, STARTER, created=now
        ),
    )
    deliver(
        stripe_client,
        sub_event(
            "customer.subscription.deleted",
            tenant_a,
            customer,
            sub_id,
            STARTER,
            created=now + 10,
            status="canceled",
        ),
    )
    late = deliver(
        stripe_client,
        sub_event(
            "customer.subscription.updated", tenant_a, customer, sub_id, STARTER, created=now + 20
        ),
    )
    assert late.json()["outcome"] == "stale"
    assert Subscription.objects.get(tenant=tenant_a).status == "canceled"
    assert fresh(tenant_a).plan.code == "free"


def test_unknown_event_types_are_acknowledged_and_ignored(stripe_client, tenant_a, customer):
    response = deliver(
        stripe_client, event("customer.tax_id.created", {"id": "txi_1", "object": "tax_id"})
    )
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"


def test_a_failed_payment_walks_past_due_suspended_and_back_to_active(
    stripe_client, tenant_a, customer, settings
):
    now, sub_id = int(time.time()), new_id("sub")
    deliver(stripe_client, sub_event("customer.subscription.created", tenant_a, customer,
                                     sub_id, STARTER, created=now))  # fmt: skip
    inv_id = new_id("in")
    failed = event("invoice.payment_failed", invoice(
        inv_id=inv_id, customer=customer, sub_id=sub_id, status="open", total=2900,
        currency="eur", attempt_count=1, created=now + 1), created=now + 1)  # fmt: skip
    assert deliver(stripe_client, failed).json()["outcome"] == "applied"
    assert fresh(tenant_a).status == TenantStatus.PAST_DUE
    assert Invoice.objects.get(stripe_id=inv_id).payment_failed

    # Within the grace period nothing more happens; after it, the organisation is suspended.
    assert suspend_overdue() == []
    later = timezone.now() + timedelta(days=settings.BILLING_GRACE_DAYS, hours=1)
    assert suspend_overdue(now=later) == [tenant_a.pk]
    assert fresh(tenant_a).status == TenantStatus.SUSPENDED

    paid = event("invoice.paid", invoice(
        inv_id=inv_id, customer=customer, sub_id=sub_id, status="paid", total=2900,
        currency="eur", attempt_count=2, created=now + 1), created=now + 100)  # fmt: skip
    assert deliver(stripe_client, paid).json()["outcome"] == "applied"
    assert fresh(tenant_a).status == TenantStatus.ACTIVE
    assert Subscription.objects.get(tenant=tenant_a).past_due_since is None
    walk = list(
        AuditEvent.objects.filter(tenant=tenant_a, action="tenant.status_changed")
        .order_by("pk").values_list("data", flat=True)
    )  # fmt: skip
    assert [(d["from"], d["to"]) for d in walk] == [
        ("active", "past_due"),
        ("past_due", "suspended"),
        ("suspended", "active"),
    ]


def test_a_payment_does_not_lift_a_suspension_billing_did_not_cause(
    stripe_client, tenant_a, customer
):
    now, sub_id = int(time.time()), new_id("sub")
    Tenant.objects.filter(pk=tenant_a.pk).update(status=TenantStatus.SUSPENDED)
    paid = event("invoice.paid", invoice(
        inv_id=new_id("in"), customer=customer, sub_id=sub_id, status="paid", total=2900,
        currency="eur", created=now), created=now)  # fmt: skip
    deliver(stripe_client, paid)
    assert fresh(tenant_a).status == TenantStatus.SUSPENDED
