"""Signup creates a working organisation, or nothing at all with a clear form error."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import Membership, User
from compliance.models import AuditEvent
from tenants.models import Domain, Tenant

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Northwind Films",
    "slug": "northwind",
    "region": "eu-west-1",
    "full_name": "Nora North",
    "email": "nora@northwind.example",
    "password": "a long and unusual passphrase 7",
}


def test_signup_creates_schema_domain_owner_and_lands_on_the_dashboard(client_for, platform):
    client = client_for(host="localhost")
    response = client.post("/signup/", VALID)
    assert response.status_code == 302
    assert response["Location"] == "http://northwind.localhost/accounts/handoff/"

    tenant = Tenant.objects.get(slug="northwind")
    assert schema_exists(tenant.schema_name)
    assert Domain.objects.filter(tenant=tenant, domain="northwind.localhost").exists()
    owner = User.objects.get(email="nora@northwind.example")
    assert Membership.objects.get(tenant=tenant, user=owner).role == "owner"
    assert AuditEvent.objects.filter(tenant=tenant, action="tenant.created").exists()
    with tenant_context(tenant):
        from media_pipeline.models import Movie

        assert Movie.objects.count() == 0  # the schema has the product tables

    tenant_host = client_for(host="northwind.localhost")
    handoff = tenant_host.get(hand_off_link(client, tenant_host), follow=True)
    assert handoff.status_code == 200
    assert handoff.context["tenant"] == tenant
    assert handoff.redirect_chain[-1][0] == "/"
    # No welcome message left behind on the main site's session, in the signup's language.
    later = client.get("/pricing/")
    assert later.status_code == 200 and list(later.context["messages"]) == []


def hand_off_link(public, tenant_host) -> str:
    """The organisation's host starts the hand-off, the product's host issues the token link."""
    issue = tenant_host.get("/accounts/handoff/")["Location"]
    return "/" + public.get("/" + issue.split("/", 3)[3])["Location"].split("/", 3)[3]


def test_handoff_token_is_single_use_and_bound_to_its_tenant(client_for, platform, tenant_a):
    client = client_for(host="localhost")
    client.post("/signup/", VALID)
    tenant_host = client_for(host="northwind.localhost")
    path = hand_off_link(client, tenant_host)
    cookie = tenant_host.cookies["recap_handoff"].value
    elsewhere = client_for(host="alpha.localhost")
    elsewhere.cookies["recap_handoff"] = cookie
    assert elsewhere.get(path)["Location"] == "/accounts/login/"
    first = tenant_host.get(path)
    assert first["Location"] == "/"
    again = client_for(host="northwind.localhost")
    again.cookies["recap_handoff"] = cookie
    assert again.get(path)["Location"] == "/accounts/login/"


def test_signup_in_path_mode_lands_under_the_prefix(client_for, platform, settings):
    settings.TENANT_URL_MODE = "path"
    client = client_for(host="localhost")
    response = client.post("/signup/", VALID)
    assert response["Location"] == "http://localhost/t/northwind/"
    dashboard = client.get("/t/northwind/")
    assert dashboard.status_code == 200
    assert "Northwind Films" in dashboard.content.decode()


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("www", "reserved"),
        ("admin", "reserved"),
        ("api", "reserved"),
        ("public", "reserved"),
        ("pg-catalog", "reserved"),
        ("alpha", "already taken"),
        ("Bad Slug", "lowercase letters"),
        ("a", "lowercase letters"),
        ("-dash", "lowercase letters"),
        ("dash-", "lowercase letters"),
        ("double--dash", "lowercase letters"),
        ("x" * 41, "at most 40 characters"),
        ("under_score", "lowercase letters"),
    ],
)
def test_bad_slugs_get_a_form_error_and_create_nothing(client_for, tenant_a, slug, message):
    tenants_before = Tenant.objects.count()
    users_before = User.objects.count()
    schemas_before = _schemas()
    response = client_for(host="localhost").post("/signup/", {**VALID, "slug": slug})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Tenant.objects.count() == tenants_before
    assert User.objects.count() == users_before
    assert _schemas() == schemas_before


def test_bad_slug_error_is_translated(client_for, platform):
    response = client_for(host="localhost").post(
        "/signup/", {**VALID, "slug": "www"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    assert "This address is reserved" not in response.content.decode()


def test_existing_email_is_refused_and_nothing_is_created(client_for, platform):
    from tests.factories import make_user

    make_user("nora@northwind.example")
    response = client_for(host="localhost").post("/signup/", VALID)
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert not Tenant.objects.filter(slug="northwind").exists()


def test_weak_password_is_refused(client_for, platform):
    response = client_for(host="localhost").post("/signup/", {**VALID, "password": "123"})
    assert response.status_code == 400
    assert not Tenant.objects.filter(slug="northwind").exists()


def test_signed_in_person_creates_another_organisation(client_for, owner_a):
    client = client_for(owner_a, host="localhost")
    response = client.post("/signup/", {"name": "Second", "slug": "second", "region": "us-east-1"})
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="second")
    assert tenant.region == "us-east-1"
    assert Membership.objects.get(tenant=tenant, user=owner_a).role == "owner"


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT schema_name FROM information_schema.schemata")
        return {row[0] for row in cursor.fetchall()}
