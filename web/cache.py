"""Shared-cache entries that their owner drops the moment the rows under them change (tenants by
host, API keys, callers): read through, fill without overwriting, forget with a tombstone.

Forgetting writes a short-lived tombstone rather than deleting, once at the change and again
when its transaction commits: a request that read the old row just before the change and fills
just after cannot put it back, because `fill` never overwrites and a tombstone reads as a miss.
Keys live in the key space of the connection's schema (the cache's KEY_FUNCTION prefixes it), so
owners read only in the schema the entry belongs to and forget in it by name.

`RedisCache` is the backend of settings.CACHES: Django's own, reusing its client objects.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import nullcontext, suppress
from typing import Any

from django.core.cache import cache
from django.core.cache.backends import redis as django_redis
from django.db import connection, transaction
from django_tenants.utils import schema_context

from .errors import OUTAGES

log = logging.getLogger(__name__)

# What `read` answers for an entry that is absent or forgotten.
MISS = object()
TOMBSTONE = "web.cache:forgotten"
# Longer than any request takes between reading a row and filling the cache with it.
TOMBSTONE_SECONDS = 15


def read(key: str) -> Any:
    """The cached value of `key` in the current schema's key space, or MISS (also when the cache
    is unreachable: the owner reads its rows from the database instead)."""
    try:
        value = cache.get(key, MISS)
    except OUTAGES as exc:
        log.warning("cache unreachable, reading %s from the database: %s", key, exc)
        return MISS
    if isinstance(value, str) and value == TOMBSTONE:
        return MISS
    return value


def fill(key: str, value: Any, timeout: int) -> None:
    """Cache `value` unless the entry exists (a fresher value, or a tombstone); nothing when the
    cache is unreachable."""
    with suppress(*OUTAGES):
        cache.add(key, value, timeout)


def forget(keys: Iterable[str], *, schema: str) -> None:
    """Drop `keys` of `schema`'s key space now and once more after the current transaction
    commits; a rollback keeps the tombstones, which only cost a database read.

    Unlike reads, forgetting fails loudly when the cache is unreachable: the change it belongs
    to (a revoked key, a removed member) is refused rather than left behind a stale entry."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return

    def bury() -> None:
        same = connection.schema_name == schema
        with nullcontext() if same else schema_context(schema):
            cache.set_many(dict.fromkeys(keys, TOMBSTONE), TOMBSTONE_SECONDS)

    bury()
    if connection.in_atomic_block:
        transaction.on_commit(bury, robust=True)


class _ReusedClients(django_redis.RedisCacheClient):
    """Django builds a new redis.Redis for every cache operation, which costs more than the round
    trip itself on a local socket; a client object is thread-safe, so one per pool serves all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClients
