"""A request to an organisation reads the cache entries it will need (its API key and caller,
the two-factor policy, the network rules) in one round trip; each is served once, and a change
within the request is read afresh."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django_tenants.utils import tenant_context

from api import services as api_services
from tests.api.conftest import make_key
from web import cache as shared

pytestmark = pytest.mark.django_db


class Commands:
    """Counts the Redis commands sent through the cache's client while it is active."""

    def __init__(self, monkeypatch) -> None:
        self.sent: list[str] = []
        client = cache._cache.get_client(write=True)
        original = client.execute_command

        def counted(*args, **options):
            self.sent.append(str(args[0]).upper())
            return original(*args, **options)

        monkeypatch.setattr(client, "execute_command", counted)


def test_an_api_request_reads_its_key_policy_and_rules_in_one_round_trip(
    tenant_a, owner_a, monkeypatch
):
    key = make_key(tenant_a, owner_a, scope="read")
    api = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert api.get("/api/v1/me/").status_code == 200  # fills the entries
    commands = Commands(monkeypatch)
    assert api.get("/api/v1/me/").status_code == 200
    # The organisation by host, then key + caller, two-factor policy and rules together.
    assert commands.sent[:2] == ["GET", "MGET"]
    assert commands.sent.count("GET") == 1


def test_a_prefetched_entry_is_served_once_and_a_change_is_read_afresh(tenant_a):
    with tenant_context(tenant_a):
        shared.fill("prefetch:test", "first", 60)

        @shared.prefetched_by
        def provider(request):
            return ("prefetch:test",)

        try:
            with shared.prefetching(RequestFactory().get("/")):
                cache.set("prefetch:test", "changed meanwhile", 60)
                assert shared.read("prefetch:test") == "first"  # as at the request's start
                assert shared.read("prefetch:test") == "changed meanwhile"  # served once
            with shared.prefetching(RequestFactory().get("/")):
                shared.forget(["prefetch:test"], schema=tenant_a.schema_name)
                assert shared.read("prefetch:test") is shared.MISS
            assert shared.read("prefetch:test") is shared.MISS  # nothing left after the request
        finally:
            shared._providers.remove(provider)


def test_a_revoked_key_is_refused_on_the_very_next_request(tenant_a, owner_a):
    key = make_key(tenant_a, owner_a, scope="read")
    api = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert api.get("/api/v1/me/").status_code == 200
    assert api.get("/api/v1/me/").status_code == 200  # served from the prefetched entry
    with tenant_context(tenant_a):
        found = api_services.active_key_and_caller(key, tenant=tenant_a)
        api_services.revoke_api_key(api_key=found[0], acting_user=owner_a)
    assert api.get("/api/v1/me/").status_code == 401


def test_an_unreachable_cache_costs_speed_not_answers(tenant_a, owner_a, settings):
    key = make_key(tenant_a, owner_a, scope="read")
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"}
    }
    api = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert api.get("/api/v1/me/").status_code == 200
