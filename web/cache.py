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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from contextvars import ContextVar
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


# Entries a request will read, fetched together when it reaches its organisation (`prefetching`).
_prefetched: ContextVar[dict[str, Any] | None] = ContextVar("web.cache.prefetched", default=None)
_providers: list[Callable[[Any], Iterable[str]]] = []
_ABSENT = object()


def prefetched_by(provider: Callable[[Any], Iterable[str]]) -> Callable[[Any], Iterable[str]]:
    """Register `provider(request)`: the keys (in the organisation's key space) that a request
    to an organisation will read, so they come in one round trip instead of one each."""
    _providers.append(provider)
    return provider


@contextmanager
def prefetching(request: Any) -> Iterator[None]:
    """While the request runs on its organisation's schema: the entries the providers name,
    read together. Each is served once by `read`, as it was at the start of the request;
    `fill` and `forget` drop what is left, so a change within the request is read afresh."""
    keys = list(dict.fromkeys(key for provider in _providers for key in provider(request)))
    memo = None
    if keys:
        try:
            found = cache.get_many(keys)
        except OUTAGES as exc:
            log.warning("cache unreachable, reading entries one by one: %s", exc)
        else:
            memo = {cache.make_key(key): found.get(key, MISS) for key in keys}
    token = _prefetched.set(memo)
    try:
        yield
    finally:
        _prefetched.reset(token)


def _drop_prefetched() -> None:
    memo = _prefetched.get()
    if memo:
        memo.clear()


def client() -> Any:
    """The redis-py client behind the cache, for what Django's cache API cannot say (scripts,
    TTLs, raw keys); one per connection pool, shared by every thread."""
    return cache._cache.get_client(write=True)


def in_schema(schema: str) -> Any:
    """A context on `schema`'s key space (and search path): nothing to switch when already on it."""
    return nullcontext() if connection.schema_name == schema else schema_context(schema)


def read(key: str) -> Any:
    """The cached value of `key` in the current schema's key space, or MISS (also when the cache
    is unreachable: the owner reads its rows from the database instead)."""
    memo = _prefetched.get()
    if memo:
        value = memo.pop(cache.make_key(key), _ABSENT)
        if value is not _ABSENT:
            return MISS if isinstance(value, str) and value == TOMBSTONE else value
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
    _drop_prefetched()
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
    _drop_prefetched()

    def bury() -> None:
        with in_schema(schema):
            cache.set_many(dict.fromkeys(keys, TOMBSTONE), TOMBSTONE_SECONDS)

    bury()
    if connection.in_atomic_block:
        transaction.on_commit(bury, robust=True)


def lua(source: str) -> Callable[..., Any]:
    """A Lua script that runs by its digest (EVALSHA; redis-py loads it again after a restart
    of Redis): the script's text crosses the socket once, not on every call. `run(keys, args)`
    on the cache's client, or on the `redis` client given."""
    scripts: dict[int, Any] = {}

    def run(keys: list[Any], args: list[Any], redis: Any = None) -> Any:
        if redis is None:
            redis = client()
        script = scripts.get(id(redis))
        if script is None:
            script = scripts.setdefault(id(redis), redis.register_script(source))
        return script(keys=keys, args=args, client=redis)

    return run


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
