"""The owners' billing page: plan, meters, upgrade buttons, invoices; without Stripe keys it
says payments are not configured; a past-due organisation sees the banner."""

from __future__ import annotations

import pytest
from django.utils import timezone

from billing.models import Invoice
from tenants.models import Tenant, TenantStatus

pytestmark = pytest.mark.django_db


def test_without_stripe_keys_the_page_says_payments_are_not_configured(
    tenant_a, owner_a, client_for
):
    body = client_for(owner_a, host="alpha.localhost").get("/billing/").content.decode()
    assert 'data-testid="payments-off"' in body
    assert "Switch to" not in body
    for meter in ("storage_bytes", "processing_seconds", "api_calls"):
        assert f'data-testid="meter-{meter}"' in body


def test_with_stripe_the_owner_sees_upgrade_buttons_and_invoices(
    tenant_a, owner_a, client_for, stripe_api
):
    Invoice.objects.create(
        tenant=tenant_a, stripe_id="in_test_page", number="RECAP-0001", status="paid",
        currency="EUR", total=2900, created=timezone.now(),
    )  # fmt: skip
    body = client_for(owner_a, host="alpha.localhost").get("/billing/").content.decode()
    assert "Switch to Starter" in body and "Switch to Professional" in body
    assert "RECAP-0001" in body and "€29.00" in body
    response = client_for(owner_a, host="alpha.localhost").post(
        "/billing/checkout/", {"plan": "starter"}
    )
    assert response.status_code == 303
    assert response["Location"].startswith("https://checkout.stripe.com/")


def test_members_do_not_see_billing(tenant_a, member_a, client_for):
    assert client_for(member_a, host="alpha.localhost").get("/billing/").status_code == 403


def test_a_past_due_organisation_sees_the_banner_and_still_reaches_its_pages(
    tenant_a, owner_a, client_for
):
    Tenant.objects.filter(pk=tenant_a.pk).update(status=TenantStatus.PAST_DUE)
    response = client_for(owner_a, host="alpha.localhost").get("/movies/")
    assert response.status_code == 200
    assert 'data-testid="past-due"' in response.content.decode()
