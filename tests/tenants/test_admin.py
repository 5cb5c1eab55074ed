"""The platform admin on the main host: staff see organisations and act on them."""

from __future__ import annotations

import pytest

from compliance.models import AuditEvent
from tenants.models import Tenant
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return make_user("ops@example.com", is_staff=True)


def test_staff_list_organisations_with_their_status_and_region(client_for, tenant_a, operator):
    operator.is_superuser = True
    operator.save()
    page = client_for(operator, host="localhost").get("/admin/tenants/tenant/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Alpha" in body and "Bravo" in body
    assert "eu-west-1" in body or "European Union" in body


def test_staff_suspend_an_organisation_with_an_audit_row(client_for, tenant_a, owner_a, operator):
    operator.is_superuser = True
    operator.save()
    response = client_for(operator, host="localhost").post(
        "/admin/tenants/tenant/",
        {"action": "suspend", "_selected_action": [tenant_a.pk]},
    )
    assert response.status_code == 302
    assert Tenant.objects.get(pk=tenant_a.pk).status == "suspended"
    event = AuditEvent.objects.get(action="tenant.status_changed", tenant=tenant_a)
    assert event.actor == operator and event.data == {"from": "active", "to": "suspended"}
    assert client_for(owner_a, host="alpha.localhost").get("/").status_code == 403


def test_the_platform_admin_is_not_served_on_tenant_hosts(client_for, tenant_a, operator):
    operator.is_superuser = True
    operator.save()
    response = client_for(operator, host="alpha.localhost").get("/admin/tenants/tenant/")
    assert response.status_code == 404
