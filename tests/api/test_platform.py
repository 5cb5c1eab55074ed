"""The platform API on the product's own host: staff only (session or a JWT issued there),
never an organisation's API key; organisations, usage, security policy, suspension."""

from __future__ import annotations

import pytest
from django.test import Client

from billing.models import UsageRecord
from compliance.models import AuditEvent
from tenants import suspension
from tenants.models import Tenant, TenantSecurityPolicy, TenantStatus
from tests import factories

pytestmark = pytest.mark.django_db

MAIN = {"HTTP_HOST": "localhost", "HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def staff(platform):
    return factories.make_user("ops@example.com", is_staff=True)


@pytest.fixture
def ops(staff) -> Client:
    token = Client(**MAIN).post(
        "/api/v1/auth/token/",
        {"email": staff.email, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 200, token.content
    return Client(**MAIN, HTTP_AUTHORIZATION=f"Bearer {token.json()['access']}")


def test_staff_create_an_organisation(ops, staff):
    response = ops.post(
        "/api/platform/tenants",
        {"name": "gamma-films", "display_name": "Gamma Films", "plan": "starter",
         "region": "us-east-1"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["display_name"], body["plan"], body["region"]) == (
        "gamma-films",
        "Gamma Films",
        "starter",
        "us-east-1",
    )
    assert body["domains"] == ["gamma-films.localhost"]
    assert body["security"] == {
        "allowed_countries": [],
        "blocked_countries": [],
        "allowed_ips": [],
        "blocked_ips": [],
        "require_2fa": False,
        "session_timeout_minutes": 720,
    }
    assert Tenant.objects.get(slug="gamma-films").schema_name == body["schema_name"]
    assert AuditEvent.objects.filter(action="tenant.created", actor_id=staff.pk).exists()
    taken = ops.post(
        "/api/platform/tenants",
        {"name": "gamma-films", "display_name": "Again"},
        content_type="application/json",
    )
    assert taken.status_code == 400
    assert taken.json()["errors"]["name"] == ["This address is already taken."]


def test_staff_list_and_read_organisations_and_their_usage(ops, tenant_a, tenant_b):
    UsageRecord.objects.create(tenant=tenant_a, kind="storage_bytes", quantity=5000)
    UsageRecord.objects.create(tenant=tenant_a, kind="processing_seconds", quantity=90)
    listed = ops.get("/api/platform/tenants").json()
    assert {"alpha", "bravo"} <= {t["name"] for t in listed["results"]}
    assert "public" not in {t["name"] for t in listed["results"]}
    assert ops.get(f"/api/platform/tenants/{tenant_a.pk}").json()["name"] == "alpha"
    usage = ops.get(f"/api/platform/tenants/{tenant_a.pk}/usage").json()
    assert usage["storage_bytes"] == 5000
    assert usage["processing_seconds_this_month"] == 90
    assert usage["plan"] == "free"
    assert usage["limits"] == {
        "storage_bytes": 10 * 1024**3,
        "max_movie_minutes": 120,
        "processing_seconds_per_month": 10 * 3600,
    }


def test_staff_set_the_security_policy(ops, tenant_a):
    policy = {
        "require_2fa": True,
        "session_timeout_minutes": 60,
        "allowed_ips": ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"],
    }
    response = ops.put(
        f"/api/platform/tenants/{tenant_a.pk}/security", policy, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["allowed_ips"] == ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32"]
    stored = TenantSecurityPolicy.objects.get(tenant=tenant_a)
    assert (stored.require_2fa, stored.session_timeout_minutes) == (True, 60)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"session_timeout_minutes": 4}, "session_timeout_minutes"),
        ({"session_timeout_minutes": 1441}, "session_timeout_minutes"),
        ({"allowed_ips": ["10.0.0.1/8"]}, "allowed_ips"),
        ({"allowed_ips": ["intranet"]}, "allowed_ips"),
    ],
)
def test_an_invalid_security_policy_is_refused(ops, tenant_a, change, field):
    policy = {"require_2fa": False, "session_timeout_minutes": 30, "allowed_ips": []}
    response = ops.put(
        f"/api/platform/tenants/{tenant_a.pk}/security",
        {**policy, **change},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not TenantSecurityPolicy.objects.filter(tenant=tenant_a).exists()


def test_staff_suspend_and_reactivate_with_a_reason_the_owners_receive(
    ops, tenant_a, key_a, owner_a, mailoutbox, django_capture_on_commit_callbacks
):
    reason = "Unpaid invoices since June"
    with django_capture_on_commit_callbacks(execute=True):
        suspended = ops.post(
            f"/api/platform/tenants/{tenant_a.pk}/suspend",
            {"reason": reason},
            content_type="application/json",
        )
    assert suspended.json()["status"] == TenantStatus.SUSPENDED
    api = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Api-Key {key_a}")
    assert api.get("/api/v1/me/").status_code == 403
    assert [m.to for m in mailoutbox] == [[owner_a.email]]
    assert reason in mailoutbox[0].body
    assert suspension.suspension_reason(Tenant.objects.get(pk=tenant_a.pk)) == reason
    with django_capture_on_commit_callbacks(execute=True):
        back = ops.post(
            f"/api/platform/tenants/{tenant_a.pk}/reactivate",
            {"reason": "Paid"},
            content_type="application/json",
        )
    assert back.json()["status"] == "active"
    assert api.get("/api/v1/me/").status_code == 200
    assert len(mailoutbox) == 2


@pytest.mark.parametrize("body", [{}, {"reason": "   "}, {"reason": "x" * 501}])
def test_a_status_change_without_a_usable_reason_is_refused(ops, tenant_a, mailoutbox, body):
    refused = ops.post(
        f"/api/platform/tenants/{tenant_a.pk}/suspend", body, content_type="application/json"
    )
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["reason"]
    assert Tenant.objects.get(pk=tenant_a.pk).status == TenantStatus.ACTIVE
    assert mailoutbox == []


def test_a_session_of_staff_works_and_of_anyone_else_does_not(staff, owner_a, client_for):
    assert client_for(staff).get("/api/platform/tenants").status_code == 200
    refused = client_for(owner_a).get("/api/platform/tenants")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert client_for(None).get("/api/platform/tenants").status_code == 401


def test_an_organisations_api_key_never_works_here(key_a, staff):
    for scheme in ("Api-Key", "Bearer"):
        response = Client(**MAIN, HTTP_AUTHORIZATION=f"{scheme} {key_a}").get(
            "/api/platform/tenants"
        )
        assert response.status_code == 401
        assert response.json()["detail"] == (
            "API keys belong to one organisation and work only on its API."
        )


def test_only_staff_get_a_token_on_the_main_host_and_tenant_tokens_do_not_work_here(owner_a, staff):
    main = Client(**MAIN)
    credentials = {"email": owner_a.email, "password": factories.PASSWORD}
    assert (
        main.post("/api/v1/auth/token/", credentials, content_type="application/json").status_code
        == 401
    )
    staff_on_alpha = Client(HTTP_HOST="alpha.localhost").post(
        "/api/v1/auth/token/",
        {"email": staff.email, "password": factories.PASSWORD},
        content_type="application/json",
    )
    token = staff_on_alpha.json()["access"]
    refused = Client(**MAIN, HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/platform/tenants")
    assert refused.status_code == 401
