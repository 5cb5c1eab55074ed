"""Where a request comes from (web.client): forwarding headers believed from trusted proxies
only and read from the right, IPv4 and IPv6, the country from a trusted CDN header or the
GeoIP2 database."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from web.client import client_country, client_ip, client_place

from .policy_support import FR_V4, FR_V6, UNKNOWN_V4, US_V4, US_V6, build_country_db


def request(peer: str, forwarded: str | None = None, **headers: str):
    meta = {"REMOTE_ADDR": peer, **headers}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.fixture
def proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    settings.TRUSTED_PROXY_COUNT = 0
    return settings


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = [], 0
    assert client_ip(request(FR_V4, US_V4)) == FR_V4
    assert client_ip(request(FR_V6, US_V6)) == FR_V6


def test_a_trusted_list_reads_the_chain_from_the_right(proxies):
    assert client_ip(request("10.0.0.1", f"{FR_V4}, {US_V4}, 10.9.9.9")) == US_V4
    assert client_ip(request("fd00::1", f"{FR_V6}, {US_V6}, fd00::2")) == US_V6
    # From an untrusted peer, the same header means nothing.
    assert client_ip(request(FR_V4, f"{US_V4}, 10.9.9.9")) == FR_V4
    # A chain of nothing but our proxies, or garbage, leaves the peer.
    assert client_ip(request("10.0.0.1", "10.9.9.9")) == "10.0.0.1"
    assert client_ip(request("10.0.0.1", "unknown, not-an-ip")) == "10.0.0.1"


def test_a_proxy_count_takes_the_nth_entry_from_the_right(settings):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = [], 1
    assert client_ip(request("10.0.0.1", f"{FR_V4}, {US_V4}")) == US_V4
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request("10.0.0.1", US_V4)) == "10.0.0.1"  # the chain is too short


def test_an_ipv4_mapped_peer_reads_as_ipv4(settings):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = [], 0
    assert client_ip(request(f"::ffff:{US_V4}")) == US_V4


def test_countries_from_the_database_and_a_trusted_cdn_header(proxies, tmp_path):
    proxies.GEOIP_COUNTRY_DB = str(build_country_db(tmp_path / "countries.mmdb"))
    proxies.GEOIP_COUNTRY_HEADER = "CF-IPCountry"
    assert client_country(request(US_V4)) == "US"
    assert client_country(request(FR_V6)) == "FR"
    assert client_country(request(UNKNOWN_V4)) is None
    assert client_country(request("10.0.0.1", FR_V4, HTTP_CF_IPCOUNTRY="ca")) == "CA"
    assert client_country(request("10.0.0.1", FR_V4, HTTP_CF_IPCOUNTRY="XX")) is None
    # A client cannot choose its country by sending the header itself.
    assert client_country(request(FR_V4, HTTP_CF_IPCOUNTRY="US")) == "FR"
    place = client_place(request("10.0.0.1", US_V6))
    assert (place.ip, place.country) == (US_V6, "US")


def test_an_unreadable_database_means_unknown_countries(settings, tmp_path):
    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(b"not a database")
    settings.GEOIP_COUNTRY_DB = str(broken)
    assert client_country(request(US_V4)) is None
