"""The platform admin on the main host: staff see organisations, their plan and usage, and
suspend or reactivate them with a reason the owners receive."""

from __future__ import annotations

import pytest
from django.core import mail

from billing import quotas
from billing.limits import GB
from billing.models import UsageRecord
from compliance.models import AuditEvent
from tenants.models import Tenant
from tests.factories import bound_handoff_token, make_user, url_path, walk_handoff

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    user = make_user("ops@example.com", is_staff=True)
    user.is_superuser = True
    user.save()
    return user


def suspend(client, tenant, **extra):
    return client.post(
        "/admin/tenants/tenant/",
        {"action": "suspend", "_selected_action": [tenant.pk], **extra},
    )


def test_staff_list_organisations_with_their_status_region_plan_and_usage(
    client_for, tenant_a, tenant_b, operator
):
    quotas.record_usage(
        tenant=tenant_a, kind=UsageRecord.Kind.STORAGE_BYTES, quantity=3 * GB, reference="movie:1"
    )
    quotas.record_usage(
        tenant=tenant_a, kind=UsageRecord.Kind.PROCESSING_SECONDS, quantity=5400, reference="job:1"
    )
    page = client_for(operator, host="localhost").get("/admin/tenants/tenant/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Alpha" in body and "Bravo" in body
    assert "European Union" in body
    assert "Free" in body  # the plan
    assert "3.0\xa0GB" in body and "1.5 h" in body


def test_the_organisation_page_shows_usage_against_the_plan_and_a_link_to_its_site(
    client_for, tenant_a, operator
):
    quotas.record_usage(
        tenant=tenant_a, kind=UsageRecord.Kind.STORAGE_BYTES, quantity=2 * GB, reference="movie:1"
    )
    page = client_for(operator, host="localhost").get(
        f"/admin/tenants/tenant/{tenant_a.pk}/change/"
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="usage"' in body
    assert "2.0\xa0GB" in body and "10.0\xa0GB" in body and "20%" in body
    assert 'href="http://alpha.localhost:8000/"' in body
    assert f"/admin/tenants/tenant/{tenant_a.pk}/console/" in body


def test_the_organisation_form_folds_the_translated_names_and_offers_languages(
    client_for, tenant_a, operator
):
    body = (
        client_for(operator, host="localhost")
        .get(f"/admin/tenants/tenant/{tenant_a.pk}/change/")
        .content.decode()
    )
    # One fieldset, folded (a <details> element), holds the 14 other languages' names.
    folded = body.split("<details")[1].split("</details>")[0]
    assert folded.count('name="name_') == 14 and 'name="name_en"' not in folded
    assert '<select name="default_language"' in body and 'value="ar"' in body
    # Address and region are fixed at signup: shown, not editable.
    assert 'name="slug"' not in body and 'name="region"' not in body
    assert "Add organisation" not in body


def test_the_organisation_form_saves_through_the_audited_settings_service(
    client_for, tenant_a, operator
):
    client = client_for(operator, host="localhost")
    form = {"name_en": "Alpha Films", "name_fr": "Films Alpha", "default_language": "fr"}
    form.update({"domains-TOTAL_FORMS": 0, "domains-INITIAL_FORMS": 0})
    form.update({"memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0})
    response = client.post(f"/admin/tenants/tenant/{tenant_a.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    assert (tenant.name_en, tenant.name_fr, tenant.default_language) == (
        "Alpha Films", "Films Alpha", "fr",
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="tenant.settings_changed", actor=operator).exists()


def test_a_language_outside_the_list_is_refused_and_changes_nothing(client_for, tenant_a, operator):
    form = {"name_en": "Alpha", "default_language": "xx"}
    form.update({"domains-TOTAL_FORMS": 0, "domains-INITIAL_FORMS": 0})
    form.update({"memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0})
    response = client_for(operator, host="localhost").post(
        f"/admin/tenants/tenant/{tenant_a.pk}/change/", form
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Tenant.objects.get(pk=tenant_a.pk).default_language == "en"


def test_suspend_asks_for_confirmation_and_a_reason_first(client_for, tenant_a, operator):
    client = client_for(operator, host="localhost")
    page = suspend(client, tenant_a)
    assert page.status_code == 200
    assert "Yes, suspend" in page.content.decode() and "Alpha" in page.content.decode()
    refused = suspend(client, tenant_a, confirm="yes", reason="   ")
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    assert Tenant.objects.get(pk=tenant_a.pk).status == "active"
    assert not AuditEvent.objects.filter(action="tenant.status_changed", tenant=tenant_a).exists()
    assert mail.outbox == []


def test_suspend_with_a_reason_emails_the_owners_and_their_page_says_why(
    client_for, tenant_a, owner_a, operator, django_capture_on_commit_callbacks
):
    client = client_for(operator, host="localhost")
    with django_capture_on_commit_callbacks(execute=True):
        response = suspend(client, tenant_a, confirm="yes", reason="Unpaid invoice INV-42.")
    assert response.status_code == 302
    assert Tenant.objects.get(pk=tenant_a.pk).status == "suspended"
    event = AuditEvent.objects.get(action="tenant.status_changed", tenant=tenant_a)
    assert event.actor == operator
    assert event.data == {"from": "active", "to": "suspended", "reason": "Unpaid invoice INV-42."}
    [email] = mail.outbox
    assert email.to == [owner_a.email] and "Alpha is suspended" in email.subject
    assert "Unpaid invoice INV-42." in email.body and "/contact/" in email.body

    page = client_for(owner_a, host="alpha.localhost").get("/")
    assert page.status_code == 403
    body = page.content.decode()
    assert "Unpaid invoice INV-42." in body and "/contact/" in body and "Contact us" in body


def test_reactivate_also_takes_a_reason_and_tells_the_owners(
    client_for, tenant_a, owner_a, operator, django_capture_on_commit_callbacks
):
    Tenant.objects.filter(pk=tenant_a.pk).update(status="suspended")
    client = client_for(operator, host="localhost")
    form = {"action": "reactivate", "_selected_action": [tenant_a.pk], "confirm": "yes"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/tenants/tenant/", {**form, "reason": "Invoice paid."})
    assert response.status_code == 302
    assert Tenant.objects.get(pk=tenant_a.pk).status == "active"
    [email] = mail.outbox
    assert "open again" in email.subject and "Invoice paid." in email.body
    assert client_for(owner_a, host="alpha.localhost").get("/").status_code == 200


def test_the_owners_email_is_in_their_language(
    client_for, tenant_a, owner_a, operator, django_capture_on_commit_callbacks
):
    owner_a.language = "fr"
    owner_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        suspend(client_for(operator, host="localhost"), tenant_a, confirm="yes", reason="Abus.")
    [email] = mail.outbox
    assert "suspendue" in email.subject


def test_staff_open_an_organisations_console_without_a_second_sign_in(
    client_for, tenant_a, operator
):
    client = client_for(operator, host="localhost")
    response = client.get(
        f"/admin/tenants/tenant/{tenant_a.pk}/console/?next=/admin/media_pipeline/recapjob/"
    )
    assert response.status_code == 302
    target = response["Location"]
    assert target.startswith("http://alpha.localhost")
    assert AuditEvent.objects.filter(
        action="staff.opened_console", actor=operator, tenant=tenant_a
    ).exists()
    # The organisation's host, with no session of its own yet: the hand-off signs staff in.
    there = client_for(None, host="alpha.localhost")
    landed, link = walk_handoff(client, there, url_path(target))
    assert landed.status_code == 302 and landed["Location"] == "/admin/media_pipeline/recapjob/"
    assert there.get("/admin/media_pipeline/recapjob/").status_code == 200
    # The token link signs no other browser in (nor this one twice).
    again = client_for(None, host="alpha.localhost").get(link)
    assert again["Location"].startswith("/accounts/login")


def test_the_console_hand_off_goes_nowhere_but_the_console(client_for, tenant_a, operator):
    client = client_for(operator, host="localhost")
    response = client.get(
        f"/admin/tenants/tenant/{tenant_a.pk}/console/?next=//evil.example.com/admin/"
    )
    assert "next=%2Fadmin%2F&" in response["Location"] or response["Location"].endswith(
        "next=%2Fadmin%2F"
    )


def test_members_who_are_not_staff_cannot_open_a_console(client_for, tenant_a, owner_a):
    response = client_for(owner_a, host="localhost").get(
        f"/admin/tenants/tenant/{tenant_a.pk}/console/"
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not AuditEvent.objects.filter(action="staff.opened_console").exists()


def test_the_platform_admin_is_not_served_on_tenant_hosts(client_for, tenant_a, operator):
    response = client_for(operator, host="alpha.localhost").get("/admin/tenants/tenant/")
    assert response.status_code == 404


def test_under_a_path_prefix_the_console_opens_on_the_same_session(
    client_for, tenant_a, operator, settings
):
    settings.TENANT_URL_MODE = "path"
    client = client_for(operator, host="localhost")
    response = client.get(f"/admin/tenants/tenant/{tenant_a.pk}/console/")
    assert response["Location"] == "http://localhost/t/alpha/admin/"
    assert client.get("/t/alpha/admin/").status_code == 200


# One token per test: two made in the same second are the same token, and it is single use.
@pytest.mark.parametrize("wanted", ["//evil.example.com/admin/", "https://evil.example.com/"])
def test_the_hand_off_lands_only_on_its_own_host(client_for, tenant_a, owner_a, wanted):
    from urllib.parse import urlencode

    there = client_for(None, host="alpha.localhost")
    token = bound_handoff_token(there, user=owner_a, tenant=tenant_a)
    query = urlencode({"token": token, "next": wanted})
    landed = there.get(f"/accounts/handoff/?{query}")
    assert landed["Location"] == "/"
