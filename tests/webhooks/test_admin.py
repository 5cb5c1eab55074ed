"""The organisation console lists endpoints and deliveries and runs the webhook actions."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from tests import factories
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tenant_a) -> Client:
    user = factories.make_user("ops@example.com", is_staff=True)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(user)
    # The console needs a session that passed two-factor sign-in (decision 0022).
    factories.verify_session(client, factories.enrol_two_factor(user))
    return client


def test_staff_create_an_endpoint_and_send_it_a_test_event(
    staff, tenant_a, receiver, queued, django_capture_on_commit_callbacks
):
    rx = receiver()
    added = staff.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"url": rx.url, "description": "Ops", "events": ["recap.failed"], "is_active": "on"},
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    with tenant_context(tenant_a):
        endpoint = WebhookEndpoint.objects.get()
    rx.secret = endpoint.secret
    page = staff.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            "/admin/webhooks/webhookendpoint/",
            {"action": "send_test_event", "_selected_action": [endpoint.pk]},
        )
    assert queued.run() == ["succeeded"] and rx.requests[0].signature_ok
    listing = staff.get(f"/admin/webhooks/webhookdelivery/?endpoint__id__exact={endpoint.pk}")
    assert listing.status_code == 200 and "webhook.test" in listing.content.decode()


def test_the_console_refuses_a_private_url_in_production(staff, tenant_a, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = staff.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"url": "https://10.0.0.1/hook", "events": ["recap.failed"], "is_active": "on"},
    )
    assert response.status_code == 200
    assert "private or reserved network address" in response.content.decode()
    with tenant_context(tenant_a):
        assert not WebhookEndpoint.objects.exists()


def test_staff_turn_a_disabled_endpoint_back_on(staff, tenant_a, owner_a):
    with tenant_context(tenant_a):
        endpoint = services.create_endpoint(
            url="http://127.0.0.1:9/", events=["recap.failed"], acting_user=owner_a
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_active=False, consecutive_failures=20, disabled_reason="Disabled after 20"
        )
    staff.post(
        "/admin/webhooks/webhookendpoint/",
        {"action": "enable", "_selected_action": [endpoint.pk]},
    )
    with tenant_context(tenant_a):
        endpoint.refresh_from_db()
        assert endpoint.is_active and endpoint.consecutive_failures == 0
        assert not WebhookDelivery.objects.exists()
