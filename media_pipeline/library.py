"""The version of an organisation's library: a random token that every write to its movies
replaces. Whatever is computed from the movies alone (a page of the API's movie list) is cached
under the version it was computed at, so it is never read again once a movie changes.

Race-free without locks: a reader takes the version before it reads the rows and stores its
page under that version. A write replaces the version when it happens and again once its
transaction commits, so a page read from the rows before the commit is stored under a version
nobody asks for any more. Pages expire on their own; the version is in Redis beside them.

Every way a movie is written goes through here: `Movie.save` and `delete` (signals), and the
movie queryset's `update`, `delete`, `bulk_create` and `bulk_update` (`MovieQuerySet`).
"""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache
from django.db import connection, transaction

from web import cache as shared
from web.errors import OUTAGES

log = logging.getLogger(__name__)

VERSION_KEY = "library:version"  # in the organisation's key space
PAGE_PREFIX = "library:page:"
VERSION_SECONDS = 7 * 24 * 3600
# A page outlives no change of the library; the expiry only bounds what a write made while Redis
# was unreachable (its new version could not be written) may leave behind.
PAGE_SECONDS = 60
MAX_PAGE_BYTES = 512 * 1024

# One round trip: the version (made when there is none) and the page stored under it.
_READ = """
local version = redis.call('GET', KEYS[1])
if not version then
  redis.call('SET', KEYS[1], ARGV[3], 'NX', 'EX', ARGV[4])
  version = redis.call('GET', KEYS[1])
end
return {version, redis.call('GET', ARGV[1] .. version .. ':' .. ARGV[2])}
"""


_read = shared.lua(_READ)


def cached_page(name: str) -> tuple[bytes | None, bytes | None]:
    """(version, page) for the page called `name` in the current schema's library: the page is
    None when it is not cached; both are None when Redis is unreachable (nothing to fill)."""
    try:
        version, page = _read(
            [cache.make_key(VERSION_KEY)],
            [cache.make_key(PAGE_PREFIX), name, secrets.token_hex(8), VERSION_SECONDS],
        )
    except OUTAGES as exc:
        log.warning("library cache unreachable, reading the movies: %s", exc)
        return None, None
    return version, page


def keep_page(version: bytes, name: str, page: bytes) -> None:
    """Store `page` under the version read before its rows were read; nothing when Redis is
    unreachable or the page is unusually large."""
    if len(page) > MAX_PAGE_BYTES:
        return
    key = cache.make_key(PAGE_PREFIX) + version.decode() + ":" + name
    try:
        shared.client().set(key, page, ex=PAGE_SECONDS)
    except OUTAGES as exc:
        log.warning("library page not cached, Redis is unreachable: %s", exc)


def changed() -> None:
    """The current schema's movies are being written: a new version now, and another once the
    transaction commits (a rollback leaves a new version, which only costs a cache miss)."""
    schema = connection.schema_name

    def renew() -> None:
        with shared.in_schema(schema):
            try:
                shared.client().set(
                    cache.make_key(VERSION_KEY), secrets.token_hex(8), ex=VERSION_SECONDS
                )
            except OUTAGES as exc:
                log.warning("library version of %s not renewed, Redis unreachable: %s", schema, exc)

    renew()
    if connection.in_atomic_block:
        transaction.on_commit(renew, robust=True)
