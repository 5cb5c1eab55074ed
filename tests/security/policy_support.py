"""Helpers of the security policy tests: a tiny GeoIP2 country database built with mmdb-writer,
a policy written through the service, and clients that come from a chosen address."""

from __future__ import annotations

from pathlib import Path

from django.test import Client
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from tenants import security
from tenants.models import Tenant

US_V4, FR_V4, UNKNOWN_V4 = "203.0.113.5", "198.51.100.7", "192.0.2.1"
US_V6, FR_V6, UNKNOWN_V6 = "2001:db8:1::5", "2001:db8:2::7", "2001:db8:ffff::1"
COUNTRIES = {
    "US": ["203.0.113.0/24", "2001:db8:1::/48"],
    "FR": ["198.51.100.0/24", "2001:db8:2::/48"],
}


def build_country_db(path: Path) -> Path:
    writer = MMDBWriter(ip_version=6, database_type="GeoLite2-Country", ipv4_compatible=True)
    for code, networks in COUNTRIES.items():
        writer.insert_network(IPSet(networks), {"country": {"iso_code": code}})
    writer.to_db_file(str(path))
    return path


def set_policy(tenant: Tenant, **changes: object) -> None:
    security.set_security_policy(tenant=tenant, changes=changes, acting_user=None)


def client_from(ip: str, *, host: str = "alpha.localhost", user=None, **headers: str) -> Client:
    client = Client(HTTP_HOST=host, REMOTE_ADDR=ip, **headers)
    if user is not None:
        client.force_login(user)
    return client
