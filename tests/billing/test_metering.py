"""Usage metering: API calls counted per hour (Redis, then one ledger row per organisation and
hour), the 80% / 100% alerts once per month by email and webhook, Enterprise overage reported
to Stripe, and the usage and plan endpoints of the platform API."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from billing import metering, quotas, services
from billing.models import Plan, QuotaAlert, Subscription, UsageRecord
from compliance.models import AuditEvent
from tenants.models import Tenant
from tests.factories import make_user
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db
GB = quotas.GB


@pytest.fixture
def clean_counters():
    client = metering._redis()
    for hour in client.smembers(metering.HOURS_KEY):
        client.delete(metering._hour_key(hour.decode()))
    client.delete(metering.HOURS_KEY)
    yield


def test_api_calls_are_counted_per_hour_and_flushed_into_one_ledger_row(
    tenant_a, owner_a, client_for, clean_counters
):
    client = client_for(owner_a, host="alpha.localhost")
    for _ in range(3):
        assert client.get("/api/v1/movies/").status_code == 200
    assert metering.flush_api_calls() == 3
    client.get("/api/v1/movies/")
    assert metering.flush_api_calls() == 1
    rows = UsageRecord.objects.filter(tenant=tenant_a, kind=UsageRecord.Kind.API_CALLS)
    assert rows.count() == 1 and rows.get().quantity == 4
    assert rows.get().reference == f"api:{metering.current_hour()}"
    assert quotas.usage_of(tenant_a).api_calls_this_month == 4


def test_calls_without_credentials_are_not_counted(tenant_a, client_for, clean_counters):
    assert client_for(host="alpha.localhost").get("/api/v1/movies/").status_code == 401
    assert metering.flush_api_calls() == 0


def test_crossing_80_and_100_percent_tells_owners_and_webhooks_once_a_month(
    tenant_a, owner_a, django_capture_on_commit_callbacks
):
    with tenant_context(tenant_a):
        WebhookEndpoint.objects.create(
            url="https://hooks.example.com/r", events=["quota.warning", "quota.exceeded"]
        )
    with django_capture_on_commit_callbacks(execute=True):
        quotas.record_usage(tenant=tenant_a, kind=UsageRecord.Kind.STORAGE_BYTES,
                            quantity=8.5 * GB, reference="movie:1")  # fmt: skip
        quotas.record_usage(tenant=tenant_a, kind=UsageRecord.Kind.STORAGE_BYTES,
                            quantity=0.1 * GB, reference="movie:2")  # fmt: skip
    assert [m.subject for m in mail.outbox] == [
        "Alpha has used 80% of its Storage (bytes; negative when freed)"
    ]
    assert mail.outbox[0].to == ["owner-a@example.com"]
    assert "/billing/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        quotas.record_usage(tenant=tenant_a, kind=UsageRecord.Kind.STORAGE_BYTES,
                            quantity=2 * GB, reference="recap:3")  # fmt: skip
    assert len(mail.outbox) == 2 and "all of its" in mail.outbox[1].subject
    assert sorted(
        QuotaAlert.objects.filter(tenant=tenant_a).values_list("threshold", flat=True)
    ) == [80, 100]
    with tenant_context(tenant_a):
        sent = list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True))
        payload = WebhookDelivery.objects.order_by("pk").last().payload
    assert sent == ["quota.warning", "quota.exceeded"]
    assert payload["data"]["quota"]["kind"] == "storage_bytes"
    assert payload["data"]["quota"]["percent"] == 100


def test_enterprise_overage_is_reported_to_stripe_in_minutes_once(tenant_a, stripe_api):
    staff = make_user("ops-over@example.com", is_staff=True)
    services.set_plan(
        tenant=tenant_a, plan=Plan.objects.get(code="enterprise"), acting_user=staff,
        custom_limits={"custom_processing_hours": 1, "custom_storage_gb": None,
                       "custom_max_movie_minutes": None},
    )  # fmt: skip
    Subscription.objects.filter(tenant=tenant_a).update(stripe_customer_id="cus_ent")
    quotas.record_usage(tenant=tenant_a, kind=UsageRecord.Kind.PROCESSING_SECONDS,
                        quantity=3600 + 150, reference="job:over")  # fmt: skip
    assert metering.report_overage() == 2
    assert metering.report_overage() == 0
    (meter,) = [r for r in stripe_api.requests if r["path"] == "/v1/billing/meter_events"]
    assert meter["form"]["event_name"] == "recap_overage_minutes"
    assert meter["form"]["payload[stripe_customer_id]"] == "cus_ent"
    assert meter["form"]["payload[value]"] == "2"
    # Enterprise processing past the agreed hours is billed, not refused.
    quotas.check_processing(Tenant.objects.get(pk=tenant_a.pk), 3600)


def test_platform_usage_shows_storage_processing_and_api_calls(tenant_a, client_for):
    staff = make_user("ops-usage@example.com", is_staff=True)
    quotas.record_usage(tenant=tenant_a, kind=UsageRecord.Kind.STORAGE_BYTES,
                        quantity=GB, reference="movie:9")  # fmt: skip
    quotas.record_usage(tenant=tenant_a, kind=UsageRecord.Kind.STORAGE_BYTES,
                        quantity=GB // 4, reference="recap:9")  # fmt: skip
    UsageRecord.objects.create(tenant=tenant_a, kind=UsageRecord.Kind.API_CALLS, quantity=42,
                               reference="api:2026-01-01T00")  # fmt: skip
    body = client_for(staff).get(f"/api/platform/tenants/{tenant_a.pk}/usage").json()
    assert body["storage"] == {"movies": GB, "recaps": GB // 4}
    assert body["storage_bytes"] == GB + GB // 4
    assert "api_calls_this_month" in body and "processing_seconds_this_month" in body
    assert body["limits"]["storage_bytes"] == 10 * GB


def test_platform_create_honours_billing_plan_and_plan_changes_are_audited(
    platform, client_for, unique_slug
):
    staff = make_user("ops-create@example.com", is_staff=True)
    client = client_for(staff)
    created = client.post(
        "/api/platform/tenants",
        {"name": unique_slug, "display_name": "Gamma", "billing_plan": "professional",
         "region": "us-east-1"},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["billing_plan"] == "professional" and body["currency"] == "USD"
    changed = client.put(
        f"/api/platform/tenants/{body['id']}/plan", {"billing_plan": "starter"},
        content_type="application/json",
    )  # fmt: skip
    assert changed.status_code == 200 and changed.json()["billing_plan"] == "starter"
    audit = AuditEvent.objects.get(tenant_id=body["id"], action="billing.plan_changed")
    assert audit.actor_id == staff.pk and audit.data["from"] == "professional"
    Tenant.objects.get(pk=body["id"]).delete(force_drop=True)


def test_the_platform_endpoints_are_in_the_openapi_schema(client_for):
    schema = client_for().get("/api/platform/schema/?format=json").json()
    for path in ("/api/platform/tenants", "/api/platform/tenants/{id}/usage",
                 "/api/platform/tenants/{id}/plan"):  # fmt: skip
        assert path in schema["paths"], sorted(schema["paths"])
