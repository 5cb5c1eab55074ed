"""Both admin sites need a session that passed two-factor sign-in; staff without an
authenticator are led to set one up, and staff with one to the second step."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories

SITES = [
    ("localhost", "/admin/tenants/tenant/"),
    ("alpha.localhost", "/admin/media_pipeline/movie/"),
]


@pytest.fixture
def operator(platform):
    user = factories.make_user("operator@example.com", is_staff=True)
    user.is_superuser = True
    user.save()
    return user


@pytest.mark.parametrize(("host", "page"), SITES)
def test_a_password_only_session_never_reaches_the_admin(operator, tenant_a, host, page):
    client = Client(HTTP_HOST=host)
    client.force_login(operator)
    refused = client.get(page)
    assert refused.status_code == 302
    assert refused["Location"].startswith("/admin/login/")
    login = client.get(refused["Location"])
    assert login.status_code == 302
    assert login["Location"].startswith("/accounts/security/?next=")
    assert client.get(login["Location"]).status_code == 200


@pytest.mark.parametrize(("host", "page"), SITES)
def test_staff_reach_the_admin_after_the_second_step(operator, tenant_a, host, page):
    device = factories.enrol_two_factor(operator)
    client = Client(HTTP_HOST=host)
    assert client.get(page).status_code == 302
    login = client.get(f"/admin/login/?next={page}")
    assert login["Location"].startswith("/accounts/login/?next=")
    password = client.post(
        "/accounts/login/",
        {"username": operator.email, "password": factories.PASSWORD, "next": page},
    )
    assert password["Location"] == "/accounts/two-factor/"
    assert client.get(page).status_code == 302
    done = client.post("/accounts/two-factor/", {"code": factories.totp_code(device)})
    assert done["Location"] == page
    assert client.get(page).status_code == 200


def test_a_removed_device_closes_the_admin_to_sessions_that_used_it(operator, client_for):
    client = client_for(operator)
    assert client.get("/admin/").status_code == 200
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=operator).delete()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_members_who_are_not_staff_stay_out_even_with_two_factor(owner_a, tenant_a):
    device = factories.enrol_two_factor(owner_a)
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(owner_a)
    factories.verify_session(client, device)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_reset_the_two_factor_authentication_of_someone_who_lost_everything(
    operator, owner_a, member_a, client_for
):
    from accounts import two_factor
    from compliance.models import AuditEvent

    factories.enrol_two_factor(owner_a)
    client = client_for(operator)
    listing = client.get("/admin/accounts/user/")
    assert listing.status_code == 200
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [owner_a.pk, member_a.pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "reset for 1 person" in body
    assert "1 person had no two-factor authentication: nothing changed." in body
    assert not two_factor.has_two_factor(owner_a)
    assert two_factor.recovery_codes_left(owner_a) == 0
    assert AuditEvent.objects.filter(action="user.two_factor_reset", actor=operator).count() == 1


def test_only_staff_may_reset_two_factor_authentication(owner_a, member_a):
    from django.core.exceptions import PermissionDenied

    from accounts import two_factor

    factories.enrol_two_factor(member_a)
    with pytest.raises(PermissionDenied):
        two_factor.reset(user=member_a, acting_user=owner_a)
    assert two_factor.has_two_factor(member_a)
