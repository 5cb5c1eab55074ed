"""Tenant resolution from the shared cache: a warm request asks the database nothing about the
organisation, and every change to an organisation or a domain is seen by the very next request.
The search path is set once per request and still follows every switch of tenant."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from billing.models import Plan
from tenants.models import Domain
from tenants.services import set_tenant_status, update_tenant_settings
from tests import factories

pytestmark = pytest.mark.django_db


def tenancy_queries(client, path: str = "/", **extra) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    sql = [q["sql"] for q in queries.captured_queries]
    by_host_or_slug = ('FROM "tenants_domain"', '"tenants_tenant"."slug" =')
    return response.status_code, [s for s in sql if any(part in s for part in by_host_or_slug)]


@pytest.mark.parametrize(
    ("host", "path", "header"),
    [("alpha.localhost", "/", None), ("localhost", "/t/alpha/", None), ("localhost", "/", "alpha")],
)
def test_a_warm_request_reads_its_organisation_from_the_cache(
    client_for, owner_a, host, path, header
):
    extra = {"HTTP_X_TENANT_ID": header} if header else {}
    client = client_for(owner_a, host=host)
    status, cold = tenancy_queries(client, path, **extra)
    assert status == 200 and cold
    status, warm = tenancy_queries(client, path, **extra)
    assert status == 200 and warm == []


@pytest.mark.parametrize(("host", "path"), [("alpha.localhost", "/"), ("localhost", "/t/alpha/")])
def test_suspension_and_reactivation_are_seen_by_the_next_request(
    client_for, tenant_a, owner_a, host, path
):
    client = client_for(owner_a, host=host)
    assert client.get(path).status_code == 200
    set_tenant_status(tenant=tenant_a, status="suspended", acting_user=None)
    assert client.get(path).status_code == 403
    set_tenant_status(tenant=tenant_a, status="active", acting_user=None)
    assert client.get(path).status_code == 200


def test_a_new_plan_is_seen_by_the_next_request(client_for, tenant_a, owner_a):
    client = client_for(owner_a, host="alpha.localhost")
    before = client.get("/").context["tenant"].plan_id
    tenant_a.plan = Plan.objects.exclude(pk=before).get(code="professional")
    tenant_a.save()
    response = client.get("/")
    assert response.context["tenant"].plan_id == tenant_a.plan_id != before
    assert "of 1,000 GB" in response.content.decode()  # the new plan's storage


def test_a_new_name_is_seen_by_the_next_request(client_for, tenant_a, owner_a):
    client = client_for(owner_a, host="alpha.localhost")
    assert "Alpha" in client.get("/").content.decode()
    update_tenant_settings(
        tenant=tenant_a, name="Alpha Pictures", default_language="en", acting_user=owner_a
    )
    assert "Alpha Pictures" in client.get("/").content.decode()


def test_a_custom_domain_answers_as_soon_as_it_is_added_and_stops_when_removed(
    client_for, tenant_a, owner_a
):
    client = client_for(owner_a, host="films.alpha.example")
    assert client.get("/").status_code == 404  # unknown, and remembered as unknown
    domain = Domain.objects.create(domain="films.alpha.example", tenant=tenant_a)
    assert client.get("/").status_code == 200
    domain.delete()
    assert client.get("/").status_code == 404


def test_a_renamed_domain_stops_answering_at_its_old_name(client_for, tenant_a, owner_a):
    domain = Domain.objects.create(domain="old.alpha.example", tenant=tenant_a)
    old = client_for(owner_a, host="old.alpha.example")
    assert old.get("/").status_code == 200
    domain.domain = "new.alpha.example"
    domain.save()
    assert old.get("/").status_code == 404
    assert client_for(owner_a, host="new.alpha.example").get("/").status_code == 200


def test_a_deleted_organisation_is_unknown_at_once(client_for, platform, unique_slug):
    tenant = factories.make_tenant(unique_slug)
    owner = factories.make_member(tenant, f"owner@{unique_slug}.example", role="owner")
    by_host = client_for(owner, host=f"{unique_slug}.localhost")
    by_path = client_for(owner, host="localhost")
    assert by_host.get("/").status_code == 200
    assert by_path.get(f"/t/{unique_slug}/").status_code == 200
    tenant.delete(force_drop=True)
    assert by_host.get("/").status_code == 404
    assert by_path.get(f"/t/{unique_slug}/").status_code == 404


def test_an_address_taken_at_signup_stops_being_unknown(client_for, platform, unique_slug):
    assert client_for(host=f"{unique_slug}.localhost").get("/").status_code == 404
    assert client_for(host="localhost").get(f"/t/{unique_slug}/").status_code == 404
    factories.make_tenant(unique_slug)
    assert client_for(host=f"{unique_slug}.localhost").get("/").status_code == 302  # sign in
    assert client_for(host="localhost").get(f"/t/{unique_slug}/").status_code == 302


def test_the_search_path_is_set_once_per_request(client_for, owner_a):
    client = client_for(owner_a, host="alpha.localhost")
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    sets = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SET search_path")]
    assert sets == ['SET search_path = "t_alpha","public"']


def current_schemas() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schemas(false)")
        return cursor.fetchone()[0]


def test_the_search_path_follows_every_switch_on_one_connection(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        assert current_schemas() == ["t_alpha", "public"]
        with tenant_context(tenant_b):
            assert current_schemas() == ["t_bravo", "public"]
        assert current_schemas() == ["t_alpha", "public"]
    assert current_schemas() == ["public"]


def test_a_rolled_back_savepoint_does_not_leave_the_search_path_behind(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        assert current_schemas() == ["t_alpha", "public"]
        with pytest.raises(RuntimeError), transaction.atomic():
            connection.set_tenant(tenant_b)
            # Bravo's SET runs inside the savepoint, and rolling it back undoes it in PostgreSQL.
            assert current_schemas() == ["t_bravo", "public"]
            raise RuntimeError
        assert connection.schema_name == "t_bravo"
        assert current_schemas() == ["t_bravo", "public"]
