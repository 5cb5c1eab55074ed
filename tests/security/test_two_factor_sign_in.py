"""Two-factor sign-in in the browser: the second step after the password, wrong codes, recovery
codes, the organisation's policy, and the hand-off from the main host to a tenant host."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import two_factor
from compliance.models import AuditEvent
from tenants.models import TenantSecurityPolicy
from tests import factories

ALPHA = "alpha.localhost"


def require_two_factor(tenant, required: bool = True) -> None:
    TenantSecurityPolicy.objects.update_or_create(tenant=tenant, defaults={"require_2fa": required})


def password_step(client: Client, user, **extra):
    return client.post(
        "/accounts/login/", {"username": user.email, "password": factories.PASSWORD, **extra}
    )


@pytest.fixture
def enrolled(owner_a):
    return factories.enrol_two_factor(owner_a)


def test_the_password_alone_signs_no_one_in_when_the_person_has_two_factor(
    owner_a, enrolled, tenant_a
):
    client = Client(HTTP_HOST=ALPHA)
    response = password_step(client, owner_a)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/"
    # Not signed in yet: the dashboard sends them back to sign in.
    assert client.get("/")["Location"].startswith("/accounts/login/")
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    assert "authenticator app" in page.content.decode()

    done = client.post("/accounts/two-factor/", {"code": factories.totp_code(enrolled)})
    assert done.status_code == 302
    assert done["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == enrolled.persistent_id


def test_a_wrong_code_is_refused_in_the_readers_language_and_tries_are_limited(
    owner_a, enrolled, tenant_a
):
    client = Client(HTTP_HOST=ALPHA, HTTP_ACCEPT_LANGUAGE="de")
    password_step(client, owner_a)
    wrong = client.post("/accounts/two-factor/", {"code": "000000"})
    assert wrong.status_code == 400
    assert "Dieser Code stimmt nicht" in wrong.content.decode()
    assert client.get("/")["Location"].startswith("/accounts/login/")

    for _attempt in range(two_factor.MAX_FAILURES - 2):
        assert client.post("/accounts/two-factor/", {"code": "abcdef"}).status_code == 400
    locked = client.post("/accounts/two-factor/", {"code": "123456"})
    assert locked.status_code == 429
    assert "Zu viele falsche Codes" in locked.content.decode()
    # The sign-in waiting for its code has ended; even the right code is refused for a while.
    assert client.post("/accounts/two-factor/", {"code": factories.totp_code(enrolled)})[
        "Location"
    ].startswith("/accounts/login/")
    password_step(client, owner_a)
    refused = client.post("/accounts/two-factor/", {"code": factories.totp_code(enrolled)})
    assert refused.status_code == 429
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_a_recovery_code_signs_in_once(owner_a, enrolled, tenant_a):
    first = Client(HTTP_HOST=ALPHA)
    password_step(first, owner_a)
    response = first.post("/accounts/two-factor/", {"code": "RECOVER03"})
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert two_factor.recovery_codes_left(owner_a) == 9
    assert AuditEvent.objects.filter(action="user.recovery_code_used", actor=owner_a).exists()

    second = Client(HTTP_HOST=ALPHA)
    password_step(second, owner_a)
    again = second.post("/accounts/two-factor/", {"code": "recover03"})
    assert again.status_code == 400
    assert second.get("/")["Location"].startswith("/accounts/login/")


def test_the_second_step_without_a_password_first_goes_back_to_sign_in(tenant_a, enrolled):
    response = Client(HTTP_HOST=ALPHA).post("/accounts/two-factor/", {"code": "123456"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_a_policy_sends_people_without_two_factor_to_set_it_up_first(owner_a, tenant_a, client_for):
    require_two_factor(tenant_a)
    client = Client(HTTP_HOST=ALPHA)
    response = password_step(client, owner_a)
    assert response["Location"].startswith("/accounts/security/")
    for path in ("/", "/movies/", "/team/", "/accounts/profile/"):
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert blocked["Location"].startswith("/accounts/security/?next="), path
    api = client.get("/api/v1/movies/")
    assert api.status_code == 403
    assert api.json()["type"].endswith(":otp_required")

    setup = client.get("/accounts/security/")
    assert setup.status_code == 200
    assert 'data-testid="two-factor-required"' in setup.content.decode()
    enrolment = two_factor.Enrolment(key=client.session["two_factor_enrolment"])
    code = _code_for_key(enrolment.key)
    done = client.post("/accounts/security/", {"form": "confirm", "code": code, "next": "/"})
    assert done.status_code == 200
    assert client.get("/").status_code == 200


def test_a_policy_turned_on_holds_from_the_next_request(owner_a, tenant_a, client_for):
    client = client_for(owner_a, host=ALPHA)
    assert client.get("/").status_code == 200
    require_two_factor(tenant_a)
    assert client.get("/")["Location"].startswith("/accounts/security/")
    require_two_factor(tenant_a, required=False)
    assert client.get("/").status_code == 200


def test_people_with_two_factor_pass_the_policy_only_with_a_code(
    owner_a, enrolled, tenant_a, client_for
):
    require_two_factor(tenant_a)
    unverified = client_for(owner_a, host=ALPHA)
    assert unverified.get("/")["Location"].startswith("/accounts/two-factor/?next=")
    response = unverified.post(
        "/accounts/two-factor/?next=/movies/", {"code": factories.totp_code(enrolled)}
    )
    assert response["Location"] == "/movies/"
    assert unverified.get("/movies/").status_code == 200
    # Once passed, the second step has nothing more to ask.
    assert unverified.get("/accounts/two-factor/?next=/team/")["Location"] == "/team/"


def test_the_hand_off_to_a_tenant_host_carries_the_second_step(
    owner_a, enrolled, tenant_a, settings
):
    settings.TENANT_URL_MODE = "subdomain"
    require_two_factor(tenant_a)
    main = Client(HTTP_HOST="localhost")
    assert password_step(main, owner_a)["Location"] == "/accounts/two-factor/"
    main.post("/accounts/two-factor/", {"code": factories.totp_code(enrolled)})
    choose = main.get("/accounts/choose/")
    assert choose.status_code == 302
    assert urlsplit(choose["Location"]).hostname == ALPHA

    tenant_site = Client(HTTP_HOST=ALPHA)
    start = factories.url_path(choose["Location"])
    landed, _link = factories.walk_handoff(main, tenant_site, start)
    assert landed.status_code == 302
    assert landed["Location"] == "/"
    assert tenant_site.get("/").status_code == 200


def test_a_hand_off_from_a_session_without_the_second_step_does_not_pass_it(
    owner_a, enrolled, tenant_a, client_for
):
    require_two_factor(tenant_a)
    tenant_site = Client(HTTP_HOST=ALPHA)
    token = factories.bound_handoff_token(tenant_site, user=owner_a, tenant=tenant_a)
    landed = tenant_site.get("/accounts/handoff/", {"token": token})
    assert landed["Location"].startswith("/accounts/two-factor/")
    assert tenant_site.get("/")["Location"].startswith("/accounts/two-factor/")


def _code_for_key(hex_key: str) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return factories.totp_code(TOTPDevice(key=hex_key))
