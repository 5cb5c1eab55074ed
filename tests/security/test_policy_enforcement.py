"""An organisation's network and country rules, enforced on every surface of its site: inside
and outside each rule, IPv4 and IPv6, forwarding headers believed only from trusted proxies,
countries from a GeoIP2 database or a trusted CDN's header; refusals translated and audited."""

from __future__ import annotations

import pytest

from compliance.models import AuditEvent
from tests import factories
from tests.api.conftest import make_key

from .policy_support import (
    FR_V4,
    FR_V6,
    UNKNOWN_V4,
    UNKNOWN_V6,
    US_V4,
    US_V6,
    build_country_db,
    client_from,
    set_policy,
)

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
IP_TYPE = "urn:movie-recap:problem:ip_not_allowed"
COUNTRY_TYPE = "urn:movie-recap:problem:country_not_allowed"


@pytest.fixture
def geoip(settings, tmp_path_factory):
    settings.GEOIP_COUNTRY_DB = str(build_country_db(tmp_path_factory.mktemp("geoip") / "c.mmdb"))
    return settings


def refused(response, code: str = "ip_not_allowed") -> bool:
    body = response.content.decode()
    marker = {
        "ip_not_allowed": "does not accept requests from your network",
        "country_not_allowed": "does not accept requests from your country",
    }[code]
    return response.status_code == 403 and marker in body


@pytest.mark.parametrize(
    ("inside", "outside", "network"),
    [(US_V4, FR_V4, "203.0.113.0/24"), (US_V6, FR_V6, "2001:db8:1::/48")],
)
def test_an_allow_list_admits_its_networks_only(tenant_a, inside, outside, network):
    set_policy(tenant_a, allowed_ips=[network])
    assert client_from(inside).get(LOGIN).status_code == 200
    assert refused(client_from(outside).get(LOGIN))


@pytest.mark.parametrize(("blocked", "other"), [(FR_V4, US_V4), (FR_V6, US_V6)])
def test_a_block_list_refuses_its_networks_only(tenant_a, blocked, other):
    set_policy(tenant_a, blocked_ips=["198.51.100.0/24", "2001:db8:2::/48"])
    assert refused(client_from(blocked).get(LOGIN))
    assert client_from(other).get(LOGIN).status_code == 200


def test_a_block_wins_over_an_allow(tenant_a):
    set_policy(tenant_a, allowed_ips=["198.51.100.0/24"], blocked_ips=["198.51.100.7/32"])
    assert refused(client_from(FR_V4).get(LOGIN))
    assert client_from("198.51.100.8").get(LOGIN).status_code == 200


def test_an_ipv4_mapped_ipv6_peer_is_its_ipv4_address(tenant_a):
    set_policy(tenant_a, blocked_ips=["198.51.100.0/24"])
    assert refused(client_from(f"::ffff:{FR_V4}").get(LOGIN))


def test_every_surface_is_refused_pages_api_downloads_and_uploads(tenant_a, owner_a):
    key = make_key(tenant_a, owner_a)
    set_policy(tenant_a, blocked_ips=["198.51.100.0/24"])
    outside = client_from(FR_V4, user=owner_a)
    for path in ("/", "/movies/", "/settings/", "/media/tenants/t_alpha/movies/1/a.mp4"):
        assert refused(outside.get(path)), path
    upload = outside.post("/uploads/", HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="10")
    assert refused(upload)
    api = client_from(FR_V4, HTTP_AUTHORIZATION=f"Api-Key {key}").get("/api/v1/me/")
    assert api.status_code == 403
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["type"] == IP_TYPE
    inside = client_from(US_V4, HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert inside.get("/api/v1/me/").status_code == 200
    assert client_from(US_V4, user=owner_a).get("/movies/").status_code == 200


def test_platform_staff_are_not_exempt_on_an_organisations_site(tenant_a):
    staff = factories.make_user("ops@example.com", is_staff=True)
    set_policy(tenant_a, blocked_ips=["198.51.100.0/24"])
    assert refused(client_from(FR_V4, user=staff).get("/"))


def test_the_product_host_is_governed_by_no_organisations_policy(tenant_a):
    set_policy(tenant_a, blocked_ips=["198.51.100.0/24"])
    assert client_from(FR_V4, host="localhost").get("/").status_code == 200


def test_a_refusal_is_audited_once_per_address_and_rule(tenant_a):
    set_policy(tenant_a, blocked_ips=["198.51.100.0/24"])
    for _ in range(3):
        assert refused(client_from(FR_V4).get(LOGIN))
    events = AuditEvent.objects.filter(action="security.request_refused", tenant=tenant_a)
    assert events.count() == 1
    assert events.get().data == {
        "code": "ip_not_allowed",
        "ip": FR_V4,
        "country": None,
        "path": LOGIN,
    }


def test_refusals_speak_the_visitors_language(tenant_a, owner_a):
    key = make_key(tenant_a, owner_a)
    set_policy(tenant_a, blocked_ips=["198.51.100.0/24"])
    page = client_from(FR_V4, HTTP_ACCEPT_LANGUAGE="ar").get(LOGIN)
    assert page.status_code == 403
    text = page.content.decode()
    assert 'dir="rtl"' in text
    assert "لا تقبل هذه المؤسسة الطلبات الواردة من شبكتك" in text
    api = client_from(FR_V4, HTTP_AUTHORIZATION=f"Api-Key {key}", HTTP_ACCEPT_LANGUAGE="ar").get(
        "/api/v1/me/"
    )
    assert api.json()["type"] == IP_TYPE
    assert "شبكتك" in api.json()["detail"]
    english = client_from(FR_V4, HTTP_ACCEPT_LANGUAGE="en").get(LOGIN).content.decode()
    assert "This organisation does not accept requests from your network." in english


# Forwarding headers: believed from trusted proxies only.
def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(tenant_a, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    set_policy(tenant_a, allowed_ips=["203.0.113.0/24"])
    spoofed = client_from(FR_V4, HTTP_X_FORWARDED_FOR=US_V4).get(LOGIN)
    assert refused(spoofed)
    event = AuditEvent.objects.get(action="security.request_refused")
    assert event.target == FR_V4


def test_a_trusted_proxys_forwarded_for_is_honoured(tenant_a, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    set_policy(tenant_a, allowed_ips=["203.0.113.0/24", "2001:db8:1::/48"])
    # The client may put anything on the left; our proxies append on the right.
    via_proxies = f"{FR_V4}, {US_V4}, 10.1.2.3"
    assert client_from("10.0.0.1", HTTP_X_FORWARDED_FOR=via_proxies).get(LOGIN).status_code == 200
    assert client_from("fd00::1", HTTP_X_FORWARDED_FOR=US_V6).get(LOGIN).status_code == 200
    assert refused(client_from("10.0.0.1", HTTP_X_FORWARDED_FOR=f"{US_V4}, {FR_V4}").get(LOGIN))


def test_a_counted_proxy_chain_takes_the_address_its_first_proxy_saw(tenant_a, settings):
    settings.TRUSTED_PROXIES = []
    settings.TRUSTED_PROXY_COUNT = 2
    set_policy(tenant_a, allowed_ips=["203.0.113.0/24"])
    chain = f"{FR_V4}, {US_V4}, 10.1.2.3"  # spoofed, client, first proxy; the peer is the second
    assert client_from("10.0.0.1", HTTP_X_FORWARDED_FOR=chain).get(LOGIN).status_code == 200
    assert refused(client_from("10.0.0.1", HTTP_X_FORWARDED_FOR=f"{US_V4}, {FR_V4}, 10.1.2.3")
                   .get(LOGIN))  # fmt: skip


# Countries.
@pytest.mark.parametrize(("inside", "outside"), [(US_V4, FR_V4), (US_V6, FR_V6)])
def test_a_country_allow_list_with_the_geoip_database(geoip, tenant_a, inside, outside):
    set_policy(tenant_a, allowed_countries=["US", "CA", "MX"])
    assert client_from(inside).get(LOGIN).status_code == 200
    assert refused(client_from(outside).get(LOGIN), "country_not_allowed")


@pytest.mark.parametrize("unknown", [UNKNOWN_V4, UNKNOWN_V6])
def test_an_unknown_country_fails_an_allow_list_and_passes_a_block_list(geoip, tenant_a, unknown):
    set_policy(tenant_a, allowed_countries=["US"])
    assert refused(client_from(unknown).get(LOGIN), "country_not_allowed")
    set_policy(tenant_a, allowed_countries=[], blocked_countries=["FR"])
    assert client_from(unknown).get(LOGIN).status_code == 200
    assert refused(client_from(FR_V6).get(LOGIN), "country_not_allowed")


def test_without_a_database_every_country_is_unknown(settings, tenant_a, owner_a):
    settings.GEOIP_COUNTRY_DB = ""
    key = make_key(tenant_a, owner_a)
    set_policy(tenant_a, allowed_countries=["US"])
    api = client_from(US_V4, HTTP_AUTHORIZATION=f"Api-Key {key}").get("/api/v1/me/")
    assert api.status_code == 403
    assert api.json()["type"] == COUNTRY_TYPE


def test_a_cdn_country_header_is_believed_from_a_trusted_proxy_only(geoip, tenant_a):
    geoip.TRUSTED_PROXIES = ["10.0.0.0/8"]
    geoip.GEOIP_COUNTRY_HEADER = "CF-IPCountry"
    set_policy(tenant_a, allowed_countries=["CA"])
    via_cdn = client_from("10.0.0.1", HTTP_X_FORWARDED_FOR=FR_V4, HTTP_CF_IPCOUNTRY="CA")
    assert via_cdn.get(LOGIN).status_code == 200
    # From anyone else the header is ignored: the database says FR.
    direct = client_from(FR_V4, HTTP_CF_IPCOUNTRY="CA")
    assert refused(direct.get(LOGIN), "country_not_allowed")
    # The CDN's "unknown" fails the allow-list.
    unknown = client_from("10.0.0.1", HTTP_X_FORWARDED_FOR=US_V4, HTTP_CF_IPCOUNTRY="XX")
    assert refused(unknown.get(LOGIN), "country_not_allowed")


def test_a_policy_change_takes_effect_on_the_next_request(tenant_a):
    client = client_from(FR_V4)
    assert client.get(LOGIN).status_code == 200  # the empty rules are cached now
    set_policy(tenant_a, blocked_ips=["198.51.100.0/24"])
    assert refused(client.get(LOGIN))
    set_policy(tenant_a, blocked_ips=[])
    assert client.get(LOGIN).status_code == 200
