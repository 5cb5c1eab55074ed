"""API keys and callers from the shared cache: a warm request asks the database nothing about
who calls, and every change that takes access away (or changes a role) is seen by the very next
request, by API key and by JWT alike. The cache never holds a key in clear."""

from __future__ import annotations

import hashlib

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import Membership, Role
from api.models import ApiKey
from tenants.services import set_tenant_status
from tests import factories
from tests.api.conftest import Api, make_key

pytestmark = pytest.mark.django_db


def token_for(user) -> str:
    response = Api("alpha").post(
        "/api/v1/auth/token/", {"email": user.email, "password": factories.PASSWORD}
    )
    return response.json()["access"]


@pytest.fixture
def admin_a(tenant_a, owner_a):
    return factories.make_member(tenant_a, "admin-a@example.com", role=Role.ADMIN)


@pytest.fixture
def callers(admin_a, tenant_a) -> dict[str, Api]:
    """The same person calling with an API key and with a JWT, each already cached."""
    found = {
        "api_key": Api("alpha", f"Api-Key {make_key(tenant_a, admin_a)}"),
        "jwt": Api("alpha", f"Bearer {token_for(admin_a)}"),
    }
    for api in found.values():
        assert api.get("/api/v1/me/").json()["role"] == "admin"
    return found


def membership_of(user, tenant) -> Membership:
    return Membership.objects.select_related("tenant", "user").get(user=user, tenant=tenant)


def who_queries(api: Api) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/me/").status_code == 200
    return [
        q["sql"]
        for q in queries.captured_queries
        if any(t in q["sql"] for t in ("api_apikey", "accounts_user", "accounts_membership"))
    ]


@pytest.mark.parametrize("credential", ["api_key", "jwt"])
def test_a_warm_caller_costs_no_query(callers, credential):
    assert who_queries(callers[credential]) == []


@pytest.mark.parametrize("credential", ["api_key", "jwt"])
def test_a_new_role_is_seen_by_the_next_request(callers, credential, admin_a, owner_a, tenant_a):
    api = callers[credential]
    account_services.change_role(
        membership=membership_of(admin_a, tenant_a), role=Role.VIEWER, acting_user=owner_a
    )
    assert api.get("/api/v1/me/").json()["role"] == "viewer"
    refused = api.post("/api/v1/uploads/", HTTP_TUS_RESUMABLE="1.0.0")
    assert refused.status_code == 403


@pytest.mark.parametrize("credential", ["api_key", "jwt"])
def test_a_removed_member_is_refused_on_the_next_request(
    callers, credential, admin_a, owner_a, tenant_a
):
    account_services.remove_member(membership=membership_of(admin_a, tenant_a), acting_user=owner_a)
    refused = callers[credential].get("/api/v1/movies/")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("credential", ["api_key", "jwt"])
def test_a_deactivated_person_is_refused_on_the_next_request(callers, credential, admin_a):
    admin_a.is_active = False
    admin_a.save()
    assert callers[credential].get("/api/v1/movies/").status_code == 401


@pytest.mark.parametrize("credential", ["api_key", "jwt"])
def test_a_suspended_organisation_refuses_the_next_request(callers, credential, tenant_a):
    set_tenant_status(tenant=tenant_a, status="suspended", acting_user=None)
    refused = callers[credential].get("/api/v1/movies/")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"


def test_a_revoked_key_is_refused_on_the_next_request(callers, admin_a):
    owner = callers["jwt"]
    key_id = owner.get("/api/v1/api-keys/").json()["results"][0]["id"]
    assert owner.delete(f"/api/v1/api-keys/{key_id}/").status_code == 204
    refused = callers["api_key"].get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "This API key is not valid."


def test_a_key_deleted_in_the_admin_is_refused_on_the_next_request(callers, tenant_a):
    with tenant_context(tenant_a):
        ApiKey.objects.all().delete()
    assert callers["api_key"].get("/api/v1/me/").status_code == 401


def test_a_membership_changed_in_the_admin_is_seen_by_the_next_request(callers, admin_a, tenant_a):
    membership = membership_of(admin_a, tenant_a)
    membership.role = Role.MEMBER
    membership.save()
    for api in callers.values():
        assert api.get("/api/v1/me/").json()["role"] == "member"


def test_the_cache_holds_keys_by_hash_in_the_organisations_key_space(tenant_a, owner_a):
    key = make_key(tenant_a, owner_a)
    assert Api("alpha", f"Api-Key {key}").get("/api/v1/me/").status_code == 200
    store = redis.Redis.from_url(settings.REDIS_URL)
    names = [name.decode() for name in store.keys("*")]
    digest = hashlib.sha256(key.encode()).hexdigest()
    assert any(n.startswith("t_alpha:") and n.endswith(f":api:key:{digest}") for n in names)
    values = [store.get(name) for name in names if store.type(name) == b"string"]
    secret = key.rsplit("_", 1)[1].encode()
    assert not any(secret in name.encode() for name in names)
    assert not any(secret in value for value in values)
    assert not any(b"md5$" in value for value in values)  # nor a password hash


@pytest.mark.parametrize("credential", ["api_key", "jwt", "session"])
def test_one_membership_lookup_per_request(credential, tenant_a, owner_a, client_for):
    if credential == "api_key":
        client = Api("alpha", f"Api-Key {make_key(tenant_a, owner_a)}").client
    elif credential == "jwt":
        client = Api("alpha", f"Bearer {token_for(owner_a)}").client
    else:
        client = client_for(owner_a, host="alpha.localhost")
    cache.clear()  # cold: every lookup goes to the database, where it can be counted
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/movies/").status_code == 200
    lookups = [q for q in queries.captured_queries if "accounts_membership" in q["sql"]]
    assert len(lookups) == 1


def test_an_unreachable_cache_costs_speed_not_answers(callers, settings):
    """With the cache down (nothing listens on its port) callers are read from the database:
    the API answers, it does not turn a cache outage into an outage of its own."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"}
    }
    for api in callers.values():
        response = api.get("/api/v1/me/")
        assert response.status_code == 200, response.content
        assert response.json()["role"] == "admin"
