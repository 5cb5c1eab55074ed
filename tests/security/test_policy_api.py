"""The security policy as seed 000 specifies it, over the platform API (staff) and on the
organisation's settings page (owners): each field, each refusal changing nothing, every change
audited."""

from __future__ import annotations

import pytest
from django.test import Client

from compliance.models import AuditEvent
from tenants.models import TenantSecurityPolicy
from tests import factories

from .policy_support import FR_V4, build_country_db, client_from, set_policy

pytestmark = pytest.mark.django_db

MAIN = {"HTTP_HOST": "localhost", "HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def staff(platform):
    return factories.make_user("ops@example.com", is_staff=True)


@pytest.fixture
def ops(staff) -> Client:
    return Client(**MAIN, HTTP_AUTHORIZATION=f"Bearer {token_for(staff)}")


def token_for(user) -> str:
    response = Client(**MAIN).post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["access"]


def url(tenant) -> str:
    return f"/api/platform/tenants/{tenant.pk}/security"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_the_seed_body_works_as_written(ops, staff, tenant_a, method):
    body = {"allowed_countries": ["US", "CA", "MX"], "require_2fa": True}
    response = getattr(ops, method)(url(tenant_a), body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "allowed_countries": ["CA", "MX", "US"],
        "blocked_countries": [],
        "allowed_ips": [],
        "blocked_ips": [],
        "require_2fa": True,
        "session_timeout_minutes": 720,
    }
    stored = TenantSecurityPolicy.objects.get(tenant=tenant_a)
    assert (stored.allowed_countries, stored.require_2fa) == (["CA", "MX", "US"], True)
    event = AuditEvent.objects.get(action="tenant.security_policy_changed", tenant=tenant_a)
    assert event.actor_id == staff.pk
    assert event.data["allowed_countries"] == {"from": [], "to": ["CA", "MX", "US"]}
    assert ops.get(url(tenant_a)).json()["allowed_countries"] == ["CA", "MX", "US"]


def test_a_patch_changes_only_what_it_gives(ops, tenant_a):
    full = {
        "allowed_countries": ["de"],
        "blocked_countries": ["RU"],
        "allowed_ips": ["10.0.0.0/8", "2001:db8::/32"],
        "blocked_ips": ["10.6.6.0/24", "2001:db8:bad::/48"],
        "require_2fa": False,
        "session_timeout_minutes": 30,
    }
    assert ops.put(url(tenant_a), full, content_type="application/json").status_code == 200
    patched = ops.patch(
        url(tenant_a), {"session_timeout_minutes": 45}, content_type="application/json"
    )
    assert patched.status_code == 200
    assert patched.json() == {**full, "allowed_countries": ["DE"], "session_timeout_minutes": 45}
    assert ops.get(f"/api/platform/tenants/{tenant_a.pk}").json()["security"] == patched.json()


INVALID_BODIES = [
    ({"allowed_countries": ["US", "XY"]}, "allowed_countries",
     "XY is not a country code (ISO 3166-1, such as US or DE)."),
    ({"blocked_countries": ["EU"]}, "blocked_countries",
     "EU is not a country code (ISO 3166-1, such as US or DE)."),
    ({"allowed_ips": ["10.0.0.1/8"]}, "allowed_ips",
     "10.0.0.1/8 is not a network such as 192.0.2.0/24 or 2001:db8::/32."),
    ({"blocked_ips": ["2001:db8::/129"]}, "blocked_ips",
     "2001:db8::/129 is not a network such as 192.0.2.0/24 or 2001:db8::/32."),
    ({"blocked_ips": ["0.0.0.0/0"]}, "blocked_ips",
     "0.0.0.0/0 would block too much of the internet. Block narrower ranges (at most /8), "
     "or list the allowed networks instead."),
    ({"blocked_ips": ["::/0"]}, "blocked_ips",
     "::/0 would block too much of the internet. Block narrower ranges (at most /16), "
     "or list the allowed networks instead."),
    ({"session_timeout_minutes": 4}, "session_timeout_minutes", "Use 5 to 1440 minutes."),
    ({"allowed_cidrs": ["10.0.0.0/8"]}, "allowed_cidrs", "This setting does not exist."),
]  # fmt: skip


@pytest.mark.parametrize("method", ["put", "patch"])
def test_each_invalid_field_is_refused_and_changes_nothing(ops, tenant_a, method):
    for body, field, message in INVALID_BODIES:
        response = getattr(ops, method)(url(tenant_a), body, content_type="application/json")
        assert response.status_code == 400, body
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"] == {field: [message]}
    assert not TenantSecurityPolicy.objects.filter(tenant=tenant_a).exists()
    assert not AuditEvent.objects.filter(action="tenant.security_policy_changed").exists()


def test_a_refusal_speaks_arabic(ops, tenant_a):
    response = ops.patch(
        url(tenant_a),
        {"allowed_countries": ["XY"]},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert response.status_code == 400
    message = response.json()["errors"]["allowed_countries"][0]
    assert "XY" in message
    assert "ISO 3166-1" in message
    assert "is not a country code" not in message


def test_only_staff_reach_the_platform_security_api(client_for, owner_a, tenant_a):
    owner = client_for(owner_a)
    body = {"require_2fa": True}
    assert owner.patch(url(tenant_a), body, content_type="application/json").status_code == 403
    assert Client(**MAIN).get(url(tenant_a)).status_code == 401
    assert not TenantSecurityPolicy.objects.filter(tenant=tenant_a).exists()


# The settings page: owners edit the same policy.
def security_post(**overrides: str) -> dict[str, str]:
    return {
        "section": "security",
        "security-allowed_countries": "",
        "security-blocked_countries": "RU, KP",
        "security-allowed_ips": "127.0.0.0/8\n2001:db8::/32",
        "security-blocked_ips": "198.51.100.0/24",
        "security-require_2fa": "on",
        "security-session_timeout_minutes": "60",
        **overrides,
    }


def test_an_owner_edits_the_policy_on_the_settings_page(client_for, owner_a, tenant_a):
    client = client_for(owner_a, host="alpha.localhost")
    page = client.get("/settings/").content.decode()
    assert "Security policy" in page
    response = client.post("/settings/", security_post())
    assert response.status_code == 302, response.content.decode()
    stored = TenantSecurityPolicy.objects.get(tenant=tenant_a)
    assert stored.blocked_countries == ["KP", "RU"]
    assert stored.allowed_ips == ["127.0.0.0/8", "2001:db8::/32"]
    assert stored.blocked_ips == ["198.51.100.0/24"]
    assert (stored.require_2fa, stored.session_timeout_minutes) == (True, 60)
    event = AuditEvent.objects.get(action="tenant.security_policy_changed", tenant=tenant_a)
    assert event.actor_id == owner_a.pk
    # The policy now requires two-factor sign-in, and the owner has no authenticator yet: the
    # next page is the enrolment, which also shows the confirmation.
    following = client.get("/settings/")
    assert following.status_code == 302
    assert following["Location"].startswith("/accounts/security/")
    assert "The security policy is saved." in client.get(following["Location"]).content.decode()


BAD_PAGE_CHANGES = [
    ({"security-allowed_countries": "US, ZZZ"},
     "ZZZ is not a country code (ISO 3166-1, such as US or DE)."),
    ({"security-blocked_ips": "0.0.0.0/0"}, "0.0.0.0/0 would block too much of the internet."),
    ({"security-session_timeout_minutes": "2"}, "Use 5 to 1440 minutes."),
    ({"security-session_timeout_minutes": "soon"}, "Enter a number of minutes."),
    # The owner's own address (the test client's, 127.0.0.1) would be refused.
    ({"security-allowed_ips": "192.0.2.0/24"},
     "This policy would refuse your own address (127.0.0.1) and lock you out."),
    ({"security-blocked_ips": "127.0.0.0/8"},
     "This policy would refuse your own address (127.0.0.1) and lock you out."),
    # Loopback has no country: a country allow-list would refuse it.
    ({"security-allowed_countries": "US"},
     "This policy would lock you out: the country of your address (127.0.0.1) is unknown"),
]  # fmt: skip


def test_a_bad_policy_on_the_settings_page_is_refused_and_changes_nothing(
    client_for, owner_a, tenant_a
):
    client = client_for(owner_a, host="alpha.localhost")
    for change, message in BAD_PAGE_CHANGES:
        response = client.post("/settings/", security_post(**change))
        assert response.status_code == 400, change
        assert message in response.content.decode().replace("&#x27;", "'"), change
    assert not TenantSecurityPolicy.objects.filter(tenant=tenant_a).exists()
    assert not AuditEvent.objects.filter(action="tenant.security_policy_changed").exists()


def test_an_admin_reads_the_policy_but_cannot_change_it(client_for, tenant_a):
    admin = factories.make_member(tenant_a, "admin-a@example.com", role="admin")
    client = client_for(admin, host="alpha.localhost")
    page = client.get("/settings/").content.decode()
    assert "Only owners can change the organisation's security policy." in page
    assert 'name="security-allowed_ips"' not in page
    refused = client.post("/settings/", security_post())
    assert refused.status_code == 403
    assert not TenantSecurityPolicy.objects.filter(tenant=tenant_a).exists()


def test_the_policy_reads_in_arabic_with_country_names(client_for, tenant_a):
    set_policy(tenant_a, blocked_countries=["US", "MX"], blocked_ips=["198.51.100.0/24"])
    viewer = factories.make_member(tenant_a, "viewer-a@example.com", role="viewer")
    viewer.language = "ar"
    viewer.save(update_fields=["language"])
    page = client_for(viewer, host="alpha.localhost").get("/settings/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "سياسة الأمان" in page
    assert "الولايات المتحدة" in page
    assert "المكسيك" in page
    assert '<bdi dir="ltr">198.51.100.0/24</bdi>' in page


def test_an_owner_cannot_block_their_own_country(settings, tmp_path, owner_a, tenant_a):
    settings.GEOIP_COUNTRY_DB = str(build_country_db(tmp_path / "countries.mmdb"))
    client = client_from(FR_V4, user=owner_a)
    assert "Country: FR." in client.get("/settings/").content.decode()
    no_networks = {"security-allowed_ips": "", "security-blocked_ips": ""}
    response = client.post(
        "/settings/", security_post(**no_networks, **{"security-blocked_countries": "FR"})
    )
    assert response.status_code == 400
    assert "This policy would refuse your own country (FR) and lock you out." in (
        response.content.decode()
    )
    allowed = client.post(
        "/settings/", security_post(**no_networks, **{"security-allowed_countries": "FR, BE"})
    )
    assert allowed.status_code == 302
    assert TenantSecurityPolicy.objects.get(tenant=tenant_a).allowed_countries == ["BE", "FR"]


def test_staff_outside_the_organisation_may_set_networks_they_are_not_in(ops, tenant_a):
    # Staff edit from the product's own host, which no organisation's policy governs.
    body = {"allowed_ips": ["192.0.2.0/24"], "allowed_countries": ["US"]}
    response = ops.patch(url(tenant_a), body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["allowed_ips"] == ["192.0.2.0/24"]
