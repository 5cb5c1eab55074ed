"""Fixtures of the attack tests: the API's clients and keys, fast password hashing, and a way to
move a rate-limit window forward by rewriting its Redis stamps (no sleeping)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache

from tests.api.conftest import Api, key_a, make_key, storage  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api() -> Callable[..., Api]:
    return Api


@pytest.fixture
def pass_time() -> Callable[[int], None]:
    """Age every stamp of every rate-limit bucket by `seconds`, as if that much time passed."""

    def age(seconds: int) -> None:
        redis = cache._cache.get_client(write=True)
        for key in redis.scan_iter(match="*:ratelimit:*"):
            stamps = redis.zrange(key, 0, -1, withscores=True)
            redis.zadd(key, {member: score - seconds for member, score in stamps})

    return age
