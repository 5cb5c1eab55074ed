"""Organisation settings: owners and admins rename the organisation and pick its default
language; everyone else reads them; nobody outside the organisation sees them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from compliance.models import AuditEvent
from tenants import services
from tenants.models import Tenant
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db


def settings_post(**overrides: str) -> dict[str, str]:
    return {"name": "Alpha Pictures", "default_language": "fr", **overrides}


def test_owner_renames_the_organisation_and_sets_its_default_language(
    client_for, owner_a, tenant_a
):
    client = client_for(owner_a, host="alpha.localhost")
    response = client.post("/settings/", settings_post())
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    assert (tenant.name, tenant.default_language) == ("Alpha Pictures", "fr")
    event = AuditEvent.objects.get(action="tenant.settings_changed", tenant=tenant)
    assert event.actor_id == owner_a.pk
    assert event.data["default_language"] == {"from": "en", "to": "fr"}
    assert (
        "The organisation&#x27;s settings are saved." in client.get("/settings/").content.decode()
    )


def test_an_admin_may_change_the_settings(client_for, tenant_a):
    admin = make_member(tenant_a, "admin-a@example.com", role="admin")
    response = client_for(admin, host="alpha.localhost").post("/settings/", settings_post())
    assert response.status_code == 302
    assert Tenant.objects.get(pk=tenant_a.pk).name == "Alpha Pictures"


def test_a_name_per_language_shows_to_visitors_in_that_language(client_for, owner_a, tenant_a):
    client_for(owner_a, host="alpha.localhost").post(
        "/settings/", settings_post(name_ar="ألفا للأفلام", default_language="en")
    )
    arabic = make_member(tenant_a, "arabic@example.com")
    arabic.language = "ar"
    arabic.save()
    in_arabic = client_for(arabic, host="alpha.localhost").get("/").content.decode()
    assert "ألفا للأفلام" in in_arabic
    in_english = client_for(owner_a, host="alpha.localhost").get("/").content.decode()
    assert "Alpha Pictures" in in_english
    assert "ألفا للأفلام" not in in_english


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_members_and_viewers_read_the_settings_without_a_form(client_for, tenant_a, role):
    person = make_member(tenant_a, f"{role}-reader@example.com", role=role)
    page = client_for(person, host="alpha.localhost").get("/settings/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="name"' not in body
    assert "Alpha" in body
    assert "European Union (Ireland)" in body
    assert "Free" in body
    assert "Only owners and admins can change these settings." in body


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_a_post_from_a_member_or_viewer_is_refused_and_changes_nothing(client_for, tenant_a, role):
    person = make_member(tenant_a, f"{role}-writer@example.com", role=role)
    response = client_for(person, host="alpha.localhost").post("/settings/", settings_post())
    assert response.status_code == 403
    assert "Only owners and admins can change the organisation" in response.content.decode()
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    assert (tenant.name, tenant.default_language) == ("Alpha", "en")
    assert not AuditEvent.objects.filter(action="tenant.settings_changed").exists()


def test_an_empty_name_is_refused_and_changes_nothing(client_for, owner_a, tenant_a):
    response = client_for(owner_a, host="alpha.localhost").post(
        "/settings/", settings_post(name="   ")
    )
    assert response.status_code == 400
    assert "Enter the organisation&#x27;s name." in response.content.decode()
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    assert (tenant.name, tenant.default_language) == ("Alpha", "en")


def test_an_unknown_default_language_is_refused_and_changes_nothing(client_for, owner_a, tenant_a):
    response = client_for(owner_a, host="alpha.localhost").post(
        "/settings/", settings_post(default_language="xx")
    )
    assert response.status_code == 400
    assert "Choose one of the offered languages." in response.content.decode()
    assert Tenant.objects.get(pk=tenant_a.pk).name == "Alpha"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_member_of_another_organisation_gets_404(client_for, tenant_a, owner_b, method):
    client = client_for(owner_b, host="alpha.localhost")
    response = getattr(client, method)("/settings/", settings_post())
    assert response.status_code == 404
    assert Tenant.objects.get(pk=tenant_a.pk).name == "Alpha"


def test_the_settings_page_shows_region_and_plan_and_speaks_arabic(client_for, owner_a):
    owner_a.language = "ar"
    owner_a.save()
    body = client_for(owner_a, host="alpha.localhost").get("/settings/").content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert 'for="id_name"' in body
    assert 'for="id_name_ar"' in body
    assert "مجاني" in body  # the Free plan, named in Arabic by the plan copy


def test_every_member_finds_settings_in_the_header(client_for, member_a):
    body = client_for(member_a, host="alpha.localhost").get("/").content.decode()
    assert 'href="/settings/"' in body


def test_update_tenant_settings_refuses_people_who_are_not_owners_or_admins(member_a, tenant_a):
    with pytest.raises(PermissionDenied):
        services.update_tenant_settings(
            tenant=tenant_a, name="Taken over", default_language="en", acting_user=member_a
        )
    assert Tenant.objects.get(pk=tenant_a.pk).name == "Alpha"


def test_staff_may_change_any_organisations_settings(tenant_a):
    staff = make_user("ops@example.com", is_staff=True)
    tenant = services.update_tenant_settings(
        tenant=tenant_a, name="Alpha Studio", default_language="de", acting_user=staff
    )
    assert (tenant.name, tenant.default_language) == ("Alpha Studio", "de")


def test_a_new_organisation_has_its_name_in_every_language(platform, unique_slug):
    with translation.override("ar"):
        tenant = services.create_tenant(slug=unique_slug, name="Cinema Club")
    fresh = Tenant.objects.get(pk=tenant.pk)
    for code in ("en", "ar", "ja", "zh-hans"):
        with translation.override(code):
            assert fresh.name == "Cinema Club"
