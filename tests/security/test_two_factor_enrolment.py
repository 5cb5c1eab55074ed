"""Setting up two-factor sign-in on the security page: the QR code and secret, the first code,
recovery codes shown once, renewing them and turning it off, each after the password."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from compliance.models import AuditEvent
from tenants.models import TenantSecurityPolicy
from tests import factories

ALPHA = "alpha.localhost"


def code_for(client) -> str:
    return factories.totp_code(TOTPDevice(key=client.session["two_factor_enrolment"]))


@pytest.fixture
def owner(owner_a, client_for):
    return owner_a, client_for(owner_a, host=ALPHA)


def test_the_page_shows_a_qr_code_and_the_secret_and_a_code_turns_it_on(owner):
    user, client = owner
    page = client.get("/accounts/security/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "<path" in body and "http" not in body.split("<svg", 1)[1][:40]
    secret = client.session["two_factor_enrolment"]
    shown = two_factor.Enrolment(key=secret).secret
    assert shown in body
    assert "otpauth://totp/Movie%20Recap%3Aowner-a%40example.com" in (
        two_factor.Enrolment(key=secret).config_url(user)
    )
    # The same secret until it is confirmed: reloading the page does not change the app's entry.
    client.get("/accounts/security/")
    assert client.session["two_factor_enrolment"] == secret

    done = client.post("/accounts/security/", {"form": "confirm", "code": code_for(client)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT == len(set(codes))
    assert all(code in done.content.decode() for code in codes)
    assert two_factor.has_two_factor(user)
    assert client.session[DEVICE_ID_SESSION_KEY] == two_factor.authenticator(user).persistent_id
    assert AuditEvent.objects.filter(action="user.two_factor_enabled", actor=user).exists()
    # Shown once: the page afterwards only counts them.
    later = client.get("/accounts/security/").content.decode()
    assert codes[0] not in later
    assert 'data-testid="two-factor-on"' in later


def test_a_wrong_first_code_changes_nothing(owner):
    user, client = owner
    client.get("/accounts/security/")
    for code in ("", "12345", "abcdef", "000000"):
        response = client.post("/accounts/security/", {"form": "confirm", "code": code})
        assert response.status_code == 400, code
        assert response.context["confirm_form"].errors["code"], code
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()


def test_the_first_code_is_checked_in_the_readers_language(owner_a, client_for):
    owner_a.language = "ar"
    owner_a.save(update_fields=["language"])
    client = client_for(owner_a, host=ALPHA)
    client.get("/accounts/security/")
    response = client.post("/accounts/security/", {"form": "confirm", "code": "111111"})
    assert response.status_code == 400
    assert 'dir="rtl"' in response.content.decode()
    assert "That code is not right" not in response.content.decode()


@pytest.fixture
def enabled(owner_a, client_for):
    device = factories.enrol_two_factor(owner_a)
    client = client_for(owner_a, host=ALPHA)
    factories.verify_session(client, device)
    return owner_a, client


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(enabled):
    user, client = enabled
    wrong = client.post(
        "/accounts/security/", {"form": "regenerate", "regenerate-password": "not it"}
    )
    assert wrong.status_code == 400
    assert wrong.context["regenerate_form"].errors["password"]
    assert StaticToken.objects.filter(device__user=user, token="recover00").exists()

    done = client.post(
        "/accounts/security/", {"form": "regenerate", "regenerate-password": factories.PASSWORD}
    )
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert not StaticToken.objects.filter(device__user=user, token="recover00").exists()
    assert two_factor.verify(user=user, code=codes[0]).name == "recovery"


def test_turning_it_off_needs_the_password(enabled):
    user, client = enabled
    wrong = client.post("/accounts/security/", {"form": "disable", "disable-password": ""})
    assert wrong.status_code == 400
    assert two_factor.has_two_factor(user)

    done = client.post(
        "/accounts/security/", {"form": "disable", "disable-password": factories.PASSWORD}
    )
    assert done.status_code == 302
    assert not two_factor.has_two_factor(user)
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="user.two_factor_disabled", actor=user).exists()


def test_it_stays_on_while_an_organisation_requires_it(enabled, tenant_a):
    user, client = enabled
    TenantSecurityPolicy.objects.create(tenant=tenant_a, require_2fa=True)
    refused = client.post(
        "/accounts/security/", {"form": "disable", "disable-password": factories.PASSWORD}
    )
    assert refused.status_code == 400
    assert "Alpha requires two-factor authentication" in refused.content.decode()
    assert two_factor.has_two_factor(user)


def test_changes_are_for_sessions_that_passed_the_second_step(owner_a, client_for):
    factories.enrol_two_factor(owner_a)
    client = client_for(owner_a, host=ALPHA)
    response = client.post(
        "/accounts/security/", {"form": "disable", "disable-password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
    assert two_factor.has_two_factor(owner_a)


def test_an_unknown_change_is_refused(owner):
    user, client = owner
    response = client.post("/accounts/security/", {"form": "disable"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=user).exists()
