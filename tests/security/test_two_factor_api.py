"""The API follows the two-factor policy: a token request carries `otp` when the organisation
(or the person) demands it, tokens issued without it stop working when the policy is turned
on, and API keys of a person without two-factor sign-in stop working while it is required."""

from __future__ import annotations

import pytest

from tenants.models import TenantSecurityPolicy
from tests import factories
from tests.api.conftest import Api, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def generous_rates(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "10000/min", "auth": "10000/min"},
    }


def require_two_factor(tenant, required: bool = True) -> None:
    TenantSecurityPolicy.objects.update_or_create(tenant=tenant, defaults={"require_2fa": required})


def ask_token(user, language: str = "en", **extra):
    body = {"email": user.email, "password": factories.PASSWORD, **extra}
    return Api("alpha", language=language).post("/api/v1/auth/token/", body)


def problem_code(response) -> str:
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["type"].rsplit(":", 1)[1]


def test_without_a_policy_or_a_device_the_password_is_enough(owner_a, tenant_a):
    response = ask_token(owner_a)
    assert response.status_code == 200
    me = Api("alpha", f"Bearer {response.json()['access']}").get("/api/v1/me/")
    assert me.status_code == 200


def test_a_required_policy_asks_the_token_request_for_a_code(owner_a, tenant_a):
    require_two_factor(tenant_a)
    without_device = ask_token(owner_a)
    assert without_device.status_code == 401
    assert problem_code(without_device) == "otp_required"

    device = factories.enrol_two_factor(owner_a)
    missing = ask_token(owner_a, language="fr")
    assert missing.status_code == 401
    assert problem_code(missing) == "otp_required"
    assert "otp" in missing.json()["detail"]
    wrong = ask_token(owner_a, otp="000000", language="de")
    assert wrong.status_code == 401
    assert problem_code(wrong) == "otp_invalid"
    assert wrong.json()["detail"] != "That two-factor code is not right."

    right = ask_token(owner_a, otp=factories.totp_code(device))
    assert right.status_code == 200
    access = Api("alpha", f"Bearer {right.json()['access']}")
    assert access.get("/api/v1/me/").status_code == 200
    refreshed = Api("alpha").post(
        "/api/v1/auth/token/refresh/", {"refresh": right.json()["refresh"]}
    )
    assert refreshed.status_code == 200
    assert (
        Api("alpha", f"Bearer {refreshed.json()['access']}").get("/api/v1/me/").status_code == 200
    )


def test_a_person_with_two_factor_needs_the_code_without_any_policy(owner_a, tenant_a):
    device = factories.enrol_two_factor(owner_a)
    assert problem_code(ask_token(owner_a)) == "otp_required"
    assert ask_token(owner_a, otp="RECOVER01").status_code == 200
    assert ask_token(owner_a, otp="recover01").status_code == 401
    assert ask_token(owner_a, otp=factories.totp_code(device)).status_code == 200


def test_tokens_issued_without_a_code_stop_at_the_next_request_once_required(owner_a, tenant_a):
    pair = ask_token(owner_a).json()
    access = Api("alpha", f"Bearer {pair['access']}")
    assert access.get("/api/v1/me/").status_code == 200

    require_two_factor(tenant_a)
    refused = access.get("/api/v1/me/")
    assert refused.status_code == 401
    assert problem_code(refused) == "otp_required"
    refresh = Api("alpha").post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]})
    assert refresh.status_code == 401
    assert problem_code(refresh) == "otp_required"

    require_two_factor(tenant_a, required=False)
    assert access.get("/api/v1/me/").status_code == 200


def test_keys_of_a_maker_without_two_factor_stop_while_it_is_required(owner_a, tenant_a):
    key = Api("alpha", f"Api-Key {make_key(tenant_a, owner_a)}")
    assert key.get("/api/v1/movies/").status_code == 200  # now cached

    require_two_factor(tenant_a)
    refused = key.get("/api/v1/movies/")
    assert refused.status_code == 401
    assert problem_code(refused) == "otp_required"

    # The maker turns two-factor sign-in on: their keys work again, at once.
    device = factories.enrol_two_factor(owner_a)
    assert key.get("/api/v1/movies/").status_code == 200
    # And off again (the policy lifted first): the key follows.
    require_two_factor(tenant_a, required=False)
    device.delete()
    assert key.get("/api/v1/movies/").status_code == 200
    require_two_factor(tenant_a)
    assert key.get("/api/v1/movies/").status_code == 401


def test_keys_of_makers_with_two_factor_are_unaffected(owner_a, member_a, tenant_a):
    factories.enrol_two_factor(owner_a)
    key = Api("alpha", f"Api-Key {make_key(tenant_a, owner_a)}")
    require_two_factor(tenant_a)
    assert key.get("/api/v1/movies/").status_code == 200


def test_a_session_without_the_second_step_gets_a_problem_from_the_api(
    owner_a, tenant_a, client_for
):
    require_two_factor(tenant_a)
    response = client_for(owner_a, host="alpha.localhost").get("/api/v1/me/")
    assert response.status_code == 403
    assert problem_code(response) == "otp_required"


def test_with_warm_caches_the_policy_costs_no_query(owner_a, tenant_a):
    """The key of a maker without two-factor sign-in asks the policy, from the cache; a token
    with the code does not ask it at all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = factories.make_member(tenant_a, "admin-a@example.com", role="admin")
    key = Api("alpha", f"Api-Key {make_key(tenant_a, admin)}")
    device = factories.enrol_two_factor(owner_a)
    token = ask_token(owner_a, otp=factories.totp_code(device)).json()["access"]
    bearer = Api("alpha", f"Bearer {token}")
    for caller in (key, bearer):
        assert caller.get("/api/v1/me/").status_code == 200  # warms the caches
        with CaptureQueriesContext(connection) as queries:
            assert caller.get("/api/v1/me/").status_code == 200
        policy_reads = [q for q in queries.captured_queries if "securitypolicy" in q["sql"]]
        assert policy_reads == []
