"""Who may call the API: API keys (hashed, scoped, revocable), tenant-bound JWTs, sessions;
and a credential of one organisation is refused on another, for every route family."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import Resolver404, resolve
from django_tenants.utils import tenant_context

from api.models import ApiKey
from api.views.fallback import NotFoundApi
from compliance.models import AuditEvent
from media_pipeline.models import Movie, RecapJob
from tests import factories
from tests.api.conftest import REACH, Api, add_movie, add_recap, make_key

pytestmark = pytest.mark.django_db


def obtain(api_client: Api, email: str, password: str = factories.PASSWORD):
    return api_client.post("/api/v1/auth/token/", {"email": email, "password": password})


# ---- API keys ----------------------------------------------------------------------------------
def test_a_new_key_is_shown_once_and_only_its_hash_is_stored(tenant_a, owner_a, api):
    token = obtain(api("alpha"), owner_a.email).json()["access"]
    owner = api("alpha", f"Bearer {token}")

    created = owner.post("/api/v1/api-keys/", {"name": "Nightly import", "scope": "write"})

    assert created.status_code == 201, created.content
    body = created.json()
    key = body["key"]
    assert key.startswith(body["prefix"]) and body["prefix"].startswith("mr_")
    with tenant_context(tenant_a):
        stored = ApiKey.objects.get(pk=body["id"])
        assert stored.hashed_key == hashlib.sha256(key.encode()).hexdigest()
        assert key not in {stored.hashed_key, stored.prefix, stored.name}
    listed = owner.get("/api/v1/api-keys/").json()["results"]
    assert [k["id"] for k in listed] == [body["id"]]
    assert "key" not in listed[0]
    assert owner.get(f"/api/v1/api-keys/{body['id']}/").json().get("key") is None
    assert AuditEvent.objects.filter(action="api_key.created", actor_id=owner_a.pk).exists()
    assert api("alpha", f"Api-Key {key}").get("/api/v1/me/").status_code == 200


def test_a_key_works_as_api_key_or_bearer_and_says_who_it_is(key_a, owner_a, api):
    for header in (f"Api-Key {key_a}", f"Bearer {key_a}"):
        me = api("alpha", header).get("/api/v1/me/")
        assert me.status_code == 200
        assert me.json()["email"] == owner_a.email
        assert me.json()["authentication"] == "api_key"
        assert me.json()["role"] == "owner"
        assert me.json()["organisation"]["slug"] == "alpha"


def test_a_revoked_key_is_refused(tenant_a, owner_a, key_a, api):
    token = obtain(api("alpha"), owner_a.email).json()["access"]
    owner = api("alpha", f"Bearer {token}")
    key_id = owner.get("/api/v1/api-keys/").json()["results"][0]["id"]

    assert owner.delete(f"/api/v1/api-keys/{key_id}/").status_code == 204

    refused = api("alpha", f"Api-Key {key_a}").get("/api/v1/movies/")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert "Api-Key" in refused["WWW-Authenticate"]
    assert owner.get(f"/api/v1/api-keys/{key_id}/").json()["revoked_at"]


def test_a_tampered_key_is_refused(key_a, api):
    assert api("alpha", f"Api-Key {key_a[:-2]}xx").get("/api/v1/me/").status_code == 401
    assert api("alpha", "Api-Key mr_nothing").get("/api/v1/me/").status_code == 401


def test_a_read_key_may_read_but_not_write(tenant_a, owner_a, read_key_a, api):
    movie = add_movie(tenant_a, owner_a)
    reader = api("alpha", f"Api-Key {read_key_a}")
    assert reader.get("/api/v1/movies/").status_code == 200
    refused = reader.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "auto"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This API key may only read."
    assert reader.delete(f"/api/v1/movies/{movie.pk}/").status_code == 403
    assert reader.post("/api/v1/uploads/", HTTP_TUS_RESUMABLE="1.0.0").status_code == 403


def test_api_keys_cannot_manage_api_keys_and_members_cannot_either(tenant_a, key_a, member_a, api):
    keyed = api("alpha", f"Api-Key {key_a}")
    assert keyed.post("/api/v1/api-keys/", {"name": "x", "scope": "read"}).status_code == 403
    token = obtain(api("alpha"), member_a.email).json()["access"]
    member = api("alpha", f"Bearer {token}")
    refused = member.get("/api/v1/api-keys/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only owners and admins can manage API keys."


def test_the_key_of_someone_who_left_stops_working(tenant_a, member_a, api):
    from accounts.models import Membership

    key = make_key(tenant_a, factories.make_member(tenant_a, "admin-a@example.com", role="admin"))
    assert api("alpha", f"Api-Key {key}").get("/api/v1/me/").status_code == 200
    Membership.objects.filter(user__email="admin-a@example.com").delete()
    assert api("alpha", f"Api-Key {key}").get("/api/v1/me/").status_code == 401


# ---- JWT ---------------------------------------------------------------------------------------
def test_jwt_obtain_use_refresh_rotate_and_blacklist(owner_a, api):
    pair = obtain(api("alpha"), owner_a.email)
    assert pair.status_code == 200, pair.content
    access, refresh = pair.json()["access"], pair.json()["refresh"]
    me = api("alpha", f"Bearer {access}").get("/api/v1/me/")
    assert me.json()["authentication"] == "jwt"

    rotated = api("alpha").post("/api/v1/auth/token/refresh/", {"refresh": refresh})
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != refresh
    assert api("alpha", f"Bearer {rotated.json()['access']}").get("/api/v1/me/").status_code == 200

    # The old refresh token was blacklisted by the rotation: it works once.
    again = api("alpha").post("/api/v1/auth/token/refresh/", {"refresh": refresh})
    assert again.status_code == 401
    assert again["Content-Type"] == "application/problem+json"


def test_a_wrong_password_or_a_non_member_gets_no_token(owner_a, owner_b, api):
    assert obtain(api("alpha"), owner_a.email, "wrong").status_code == 401
    refused = obtain(api("alpha"), owner_b.email)
    assert refused.status_code == 401
    assert refused.json()["detail"] == obtain(api("alpha"), owner_a.email, "x").json()["detail"]


def test_a_token_carries_its_organisation(owner_a, api):
    import jwt

    access = obtain(api("alpha"), owner_a.email).json()["access"]
    assert jwt.decode(access, options={"verify_signature": False})["tenant"] == "alpha"


def test_a_refresh_token_of_another_organisation_is_refused(owner_a, tenant_b, api):
    factories.make_member(tenant_b, owner_a.email, role="member")
    refresh = obtain(api("alpha"), owner_a.email).json()["refresh"]
    assert api("bravo").post("/api/v1/auth/token/refresh/", {"refresh": refresh}).status_code == 401


def test_a_token_of_a_person_in_both_organisations_still_works_only_where_issued(
    owner_a, tenant_b, api
):
    factories.make_member(tenant_b, owner_a.email, role="owner")
    access = obtain(api("alpha"), owner_a.email).json()["access"]
    assert api("alpha", f"Bearer {access}").get("/api/v1/me/").status_code == 200
    refused = api("bravo", f"Bearer {access}").get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "This token was issued for another organisation."


# ---- sessions ----------------------------------------------------------------------------------
def test_a_signed_in_non_member_gets_404_and_an_anonymous_caller_401(owner_b, client_for):
    outsider = client_for(owner_b, host="alpha.localhost")
    response = outsider.get("/api/v1/movies/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    anonymous = client_for(None, host="alpha.localhost").get("/api/v1/movies/")
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/problem+json"


def test_a_member_session_works_and_staff_reach_any_organisation(owner_a, client_for):
    assert client_for(owner_a, host="alpha.localhost").get("/api/v1/me/").status_code == 200
    staff = factories.make_user("ops@example.com", is_staff=True)
    me = client_for(staff, host="alpha.localhost").get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["role"] is None


# ---- one organisation's credential on another -------------------------------------------------
def webhook_urls() -> list[str]:
    try:
        match = resolve("/api/v1/webhook-endpoints/", urlconf="config.urls_tenant")
    except Resolver404:
        return []
    if getattr(match.func, "view_class", None) is NotFoundApi:
        return []
    return ["GET /api/v1/webhook-endpoints/", "POST /api/v1/webhook-endpoints/"]


ROUTES = [
    "GET /api/v1/me/",
    "GET /api/v1/movies/",
    "GET /api/v1/movies/{movie}/",
    "DELETE /api/v1/movies/{movie}/",
    "POST /api/v1/uploads/",
    "GET /api/v1/movies/{movie}/subtitle-tracks/",
    "POST /api/v1/movies/{movie}/subtitle-tracks/",
    "GET /api/v1/jobs/",
    "GET /api/v1/jobs/{job}/",
    "POST /api/v1/movies/{movie}/jobs/",
    "POST /api/v1/jobs/{job}/cancel/",
    "GET /api/v1/recaps/",
    "GET /api/v1/recaps/{recap}/",
    "GET /api/v1/recaps/{recap}/downloads/",
    "GET /api/v1/api-keys/",
    "POST /api/v1/api-keys/",
    *webhook_urls(),
]


@pytest.fixture
def bravo_things(tenant_b, owner_b) -> dict[str, int]:
    movie = add_movie(tenant_b, owner_b)
    recap = add_recap(tenant_b, movie)
    return {"movie": movie.pk, "job": recap.job_id, "recap": recap.pk}


@pytest.mark.parametrize("reach", list(REACH))
@pytest.mark.parametrize("credential", ["api_key", "jwt"])
def test_a_credential_of_alpha_is_refused_on_bravo_for_every_route(
    reach, credential, key_a, owner_a, tenant_b, bravo_things, api
):
    if credential == "api_key":
        auth = f"Api-Key {key_a}"
    else:
        auth = f"Bearer {obtain(api('alpha'), owner_a.email).json()['access']}"
    bravo = api("bravo", auth, reach=reach)
    for route in ROUTES:
        method, path = route.split(" ")
        path = path.format(**bravo_things)
        response = bravo.client.generic(
            method, bravo.url(path), b"{}", content_type="application/json"
        )
        assert response.status_code == 401, (route, response.status_code, response.content)
        assert response["Content-Type"] == "application/problem+json", route
    with tenant_context(tenant_b):
        assert Movie.objects.filter(pk=bravo_things["movie"]).exists()
        assert RecapJob.objects.count() == 1
        assert not ApiKey.objects.exists()
