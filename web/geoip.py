"""The one module that reads a GeoIP2 / GeoLite2 country database (settings.GEOIP_COUNTRY_DB,
a MaxMind `.mmdb` file); nothing else imports `geoip2`."""

from __future__ import annotations

import logging
from functools import lru_cache

import geoip2.database
import geoip2.errors
import maxminddb
from django.conf import settings

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _reader(path: str) -> geoip2.database.Reader | None:
    try:
        return geoip2.database.Reader(path, mode=maxminddb.MODE_MMAP)
    except (OSError, maxminddb.InvalidDatabaseError) as exc:
        log.error("GeoIP database %s cannot be read: %s", path, exc)
        return None


def country_of_address(address: str) -> str | None:
    """The ISO code of the country `address` is registered in, or None when no database is
    configured or the address is not in it (private, loopback, unknown)."""
    path = settings.GEOIP_COUNTRY_DB
    reader = _reader(str(path)) if path else None
    if reader is None:
        return None
    try:
        found = reader.country(address)
    except (geoip2.errors.AddressNotFoundError, ValueError):
        return None
    code = found.country.iso_code or found.registered_country.iso_code
    return code.upper() if code else None
