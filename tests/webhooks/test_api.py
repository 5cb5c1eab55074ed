"""The webhook API for integrators, through the product's own API authentication."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhook-endpoints/"
ALL = ["movie.uploaded", "recap.started", "recap.completed", "recap.failed"]


def api_key_client(tenant, user, scope: str = "write") -> Client:
    from api.services import create_api_key

    with tenant_context(tenant):
        issued = create_api_key(name="CI", scope=scope, acting_user=user)
    return Client(HTTP_HOST=f"{tenant.slug}.localhost", HTTP_AUTHORIZATION=f"Api-Key {issued.key}")


@pytest.fixture
def owner_api(tenant_a, owner_a) -> Client:
    return api_key_client(tenant_a, owner_a)


def create(client: Client, url: str, events=ALL, **extra):
    body = {"url": url, "events": events, **extra}
    return client.post(BASE, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def test_an_owner_creates_lists_changes_and_deletes_an_endpoint(owner_api, receiver, tenant_a):
    rx = receiver()
    created = create(owner_api, rx.url, events=["recap.completed"], description="Build farm")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["recap.completed"]
    assert body["is_active"] is True and body["description"] == "Build farm"
    pk = body["id"]

    listed = owner_api.get(BASE).json()
    items = listed["results"] if isinstance(listed, dict) else listed
    assert [item["id"] for item in items] == [pk]
    assert owner_api.get(f"{BASE}{pk}/").json()["url"] == rx.url

    changed = owner_api.patch(
        f"{BASE}{pk}/", {"events": ALL, "description": "All"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["events"] == ALL

    assert owner_api.delete(f"{BASE}{pk}/").status_code == 204
    assert owner_api.get(f"{BASE}{pk}/").status_code == 404
    with tenant_context(tenant_a):
        assert not WebhookEndpoint.objects.exists()


def test_rotate_secret_test_event_and_deliveries(
    owner_api, receiver, tenant_a, queued, django_capture_on_commit_callbacks
):
    rx = receiver()
    endpoint = create(owner_api, rx.url).json()
    rotated = owner_api.post(f"{BASE}{endpoint['id']}/rotate-secret/")
    assert rotated.status_code == 200 and rotated.json()["secret"] != endpoint["secret"]
    rx.secret = rotated.json()["secret"]

    with django_capture_on_commit_callbacks(execute=True):
        sent = owner_api.post(f"{BASE}{endpoint['id']}/test/")
    assert sent.status_code == 202, sent.content
    assert sent.json()["event"] == "webhook.test" and sent.json()["status"] == "pending"
    assert queued.run() == ["succeeded"]
    assert rx.requests[0].signature_ok

    deliveries = owner_api.get(f"{BASE}{endpoint['id']}/deliveries/").json()
    rows = deliveries["results"] if isinstance(deliveries, dict) else deliveries
    assert [(r["event"], r["status"], r["response_status"]) for r in rows] == [
        ("webhook.test", "succeeded", 204)
    ]


def test_a_refused_url_is_a_400_with_the_reason(owner_api, settings, tenant_a):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = create(owner_api, "https://169.254.169.254/latest/meta-data/")
    assert response.status_code == 400
    assert "private or reserved network address" in response.content.decode()
    assert create(owner_api, "https://hooks.example.invalid/x").status_code == 400
    assert create(owner_api, "https://93.184.215.14/x", events=["nope"]).status_code == 400
    with tenant_context(tenant_a):
        assert not WebhookEndpoint.objects.exists()


def test_members_read_without_the_secret_and_cannot_write(owner_api, tenant_a, member_a, receiver):
    rx = receiver()
    pk = create(owner_api, rx.url).json()["id"]
    member = Client(HTTP_HOST="alpha.localhost")
    member.force_login(member_a)
    seen = member.get(f"{BASE}{pk}/")
    assert seen.status_code == 200 and seen.json()["secret"] is None
    assert create(member, rx.url).status_code == 403
    assert member.post(f"{BASE}{pk}/rotate-secret/").status_code == 403
    assert member.delete(f"{BASE}{pk}/").status_code == 403
    with tenant_context(tenant_a):
        assert WebhookEndpoint.objects.count() == 1


def test_a_read_only_key_cannot_write(tenant_a, owner_a, receiver):
    reader = api_key_client(tenant_a, owner_a, scope="read")
    assert reader.get(BASE).status_code == 200
    assert create(reader, receiver().url).status_code == 403


def test_another_organisation_cannot_see_or_touch_the_endpoint(
    owner_api, tenant_b, owner_b, receiver
):
    pk = create(owner_api, receiver().url).json()["id"]
    theirs = api_key_client(tenant_b, owner_b)
    assert theirs.get(f"{BASE}{pk}/").status_code == 404
    assert theirs.delete(f"{BASE}{pk}/").status_code == 404
    assert theirs.post(f"{BASE}{pk}/test/").status_code == 404
    # Their key on our host is refused outright.
    on_ours = Client(
        HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=theirs.defaults["HTTP_AUTHORIZATION"]
    )
    assert on_ours.get(f"{BASE}{pk}/").status_code in (401, 403)
    # Signed in as a person of bravo on alpha's host: not a member, so nothing is confirmed.
    person = Client(HTTP_HOST="alpha.localhost")
    person.force_login(owner_b)
    assert person.get(f"{BASE}{pk}/").status_code == 404


def test_anonymous_callers_are_refused(tenant_a):
    assert Client(HTTP_HOST="alpha.localhost").get(BASE).status_code == 401


def test_the_openapi_schema_describes_every_webhook_operation(owner_api):
    schema = owner_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = {p: set(ops) for p, ops in schema["paths"].items() if "webhook" in p}
    assert paths == {
        "/api/v1/webhook-endpoints/": {"get", "post"},
        "/api/v1/webhook-endpoints/{id}/": {"get", "put", "patch", "delete"},
        "/api/v1/webhook-endpoints/{id}/test/": {"post"},
        "/api/v1/webhook-endpoints/{id}/rotate-secret/": {"post"},
        "/api/v1/webhook-endpoints/{id}/deliveries/": {"get"},
    }
    for path, ops in schema["paths"].items():
        if "webhook" in path:
            for op in ops.values():
                assert op["tags"] == ["webhooks"] and op.get("summary")
    components = schema["components"]["schemas"]
    assert {"WebhookEndpoint", "WebhookDelivery"} <= set(components)
    assert set(components["WebhookEndpoint"]["properties"]) >= {"secret", "events", "url"}


def test_deliveries_list_only_this_endpoint_s(owner_api, receiver, tenant_a, queued):
    first = create(owner_api, receiver().url).json()["id"]
    second = create(owner_api, receiver().url).json()["id"]
    owner_api.post(f"{BASE}{second}/test/")
    rows = owner_api.get(f"{BASE}{first}/deliveries/").json()
    assert (rows["results"] if isinstance(rows, dict) else rows) == []
    with tenant_context(tenant_a):
        assert WebhookDelivery.objects.filter(endpoint_id=second).count() == 1


def test_creating_an_endpoint_honours_the_idempotency_key(owner_api, receiver, tenant_a):
    rx = receiver()

    def post(events):
        return owner_api.post(
            BASE,
            {"url": rx.url, "events": events},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="endpoint-1",
        )

    first, again = post(ALL), post(ALL)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    # The secret is shown once: the replay never carries it.
    assert first.json()["secret"] and again.json()["secret"] is None
    assert post(["recap.failed"]).status_code == 422
    with tenant_context(tenant_a):
        assert WebhookEndpoint.objects.count() == 1
