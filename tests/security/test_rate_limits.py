"""Rate tiers: sign-in (form, admin, token endpoint) and password reset 5 per 5 minutes per account
and per address, reset emails and signups, API calls by plan, uploads, and callers without a
credential per address. The sixth attempt is refused with Retry-After; the window moves on."""

from __future__ import annotations

import pytest
import redis
from django.core import mail
from django_tenants.utils import tenant_context

from api import throttling
from tenants.models import Tenant
from tests.api.conftest import add_movie, add_recap, make_key
from tests.factories import PASSWORD, make_member
from web import ratelimit

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client, email: str, password: str = "wrong", **extra):  # noqa: S107
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def test_the_sixth_sign_in_is_refused_even_with_the_right_password_then_the_window_moves(
    client_for, owner_a, pass_time
):
    client = client_for(host="alpha.localhost")
    assert [sign_in(client, owner_a.email).status_code for _ in range(5)] == [400] * 5
    refused = sign_in(client, owner_a.email, PASSWORD, HTTP_ACCEPT_LANGUAGE="ar")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 300
    assert "_auth_user_id" not in client.session
    page = refused.content.decode()
    assert 'dir="rtl"' in page
    assert "Too many attempts" not in page  # told in Arabic
    pass_time(301)
    assert sign_in(client, owner_a.email, PASSWORD).status_code == 302


def test_failures_count_per_address_across_accounts(client_for, owner_a, member_a):
    client = client_for(host="alpha.localhost")
    for n in range(5):
        assert sign_in(client, f"nobody{n}@example.com").status_code == 400
    assert sign_in(client, member_a.email, PASSWORD).status_code == 429


def test_failures_count_per_account_across_addresses_and_organisations(
    client_for, owner_a, settings, tenant_b
):
    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]
    for n in range(5):
        host = "alpha.localhost" if n % 2 else "bravo.localhost"
        client = client_for(host=host)
        response = sign_in(client, owner_a.email, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 400
    client = client_for(host="alpha.localhost")
    refused = sign_in(client, owner_a.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert refused.status_code == 429


def test_a_spoofed_forwarded_for_buys_no_more_guesses(client_for, owner_a, member_a):
    client = client_for(host="alpha.localhost")
    for n in range(5):
        response = sign_in(client, f"x{n}@example.com", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 400
    assert (
        sign_in(client, member_a.email, PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 429
    )


def test_the_token_endpoint_refuses_the_sixth_guess_as_a_problem(api, owner_a, tenant_b):
    alpha, bravo = api("alpha"), api("bravo")
    body = {"email": owner_a.email, "password": "wrong"}
    for client in (alpha, alpha, alpha, bravo, bravo):
        response = client.post("/api/v1/auth/token/", body, content_type="application/json")
        assert response.status_code == 401
    refused = alpha.post(
        "/api/v1/auth/token/",
        {"email": owner_a.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:movie-recap:problem:throttled"
    assert "5 minutes" in refused.json()["detail"]
    assert 0 < int(refused["Retry-After"]) <= 300


def test_the_admin_takes_no_password_of_its_own(client_for, platform):
    """The admin's sign-in checks no password: it sends people to the product's sign-in, whose
    attempts are limited (above), so guessing there costs the same as anywhere else."""
    client = client_for(host="localhost")
    for _ in range(6):
        response = client.post("/admin/login/", {"username": "staff@example.com", "password": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_password_reset_requests_and_emails_are_limited(client_for, owner_a, settings):
    settings.PASSWORD_RESET_EMAIL_RATE = "2/hour"
    client = client_for(host="localhost")
    statuses = [
        client.post("/accounts/password-reset/", {"email": owner_a.email}).status_code
        for _ in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    # Every answer looked the same, but only two emails went out.
    assert len(mail.outbox) == 2


def test_signups_are_limited_per_address_and_the_refused_one_creates_nothing(
    client_for, platform, settings
):
    settings.SIGNUP_THROTTLE_RATE = "1/hour"
    client = client_for(host="localhost")
    first = client.post("/signup/", {"slug": "www"})
    assert first.status_code == 400
    refused = client_for(host="localhost").post(
        "/signup/", {"slug": "limited-org", "name": "Limited", "region": "eu-west-1"}
    )
    assert refused.status_code == 429
    assert not Tenant.objects.filter(slug="limited-org").exists()


@pytest.fixture
def plan_rates(monkeypatch):
    monkeypatch.setattr(throttling, "_plan_rates_read_at", 0.0)


def test_api_calls_follow_the_plan_rate_else_the_default(
    api, tenant_a, owner_a, key_a, settings, plan_rates
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "2/min"},
    }
    plan = tenant_a.plan
    plan.api_requests_per_minute = 3
    plan.save()
    client = api("alpha", f"Api-Key {key_a}")
    assert [client.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    other = api("alpha", f"Api-Key {make_key(tenant_a, owner_a, name='Other')}")
    plan.api_requests_per_minute = None
    plan.save()
    throttling._plan_rates_read_at = 0.0
    assert [other.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]


def test_callers_without_a_credential_share_one_bucket_per_address(api, settings, tenant_b):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"ip": "2/hour"},
    }
    statuses = [api(slug).get("/api/v1/me/").status_code for slug in ("alpha", "bravo", "alpha")]
    assert statuses == [401, 401, 429]


def test_signed_download_links_are_not_limited_per_address(api, key_a, tenant_a, owner_a, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"ip": "1/hour"},
    }
    recap = add_recap(tenant_a, add_movie(tenant_a, owner_a))
    links = api("alpha", f"Api-Key {key_a}").get(f"/api/v1/recaps/{recap.pk}/downloads/").json()
    player = api("alpha")
    assert [player.get(links["video"]).status_code for _ in range(3)] == [200, 200, 200]
    assert player.get("/api/v1/me/").status_code == 401  # the address's one call
    assert player.get("/api/v1/me/").status_code == 429


def test_new_uploads_are_limited_per_person(api, key_a, settings):
    settings.UPLOAD_THROTTLE_RATE = "1/hour"
    client = api("alpha", f"Api-Key {key_a}")
    headers = {"HTTP_TUS_RESUMABLE": "1.0.0", "HTTP_UPLOAD_LENGTH": "1000"}
    assert client.post("/api/v1/uploads/", None, **headers).status_code == 201
    refused = client.post("/api/v1/uploads/", None, **headers)
    assert refused.status_code == 429
    assert refused.json()["type"] == "urn:movie-recap:problem:throttled"
    assert int(refused["Retry-After"]) > 0


def test_limits_let_requests_through_while_redis_is_unreachable(client_for, owner_a, monkeypatch):
    def unreachable():
        raise redis.exceptions.ConnectionError("Error 111 connecting to redis. Connection refused.")

    monkeypatch.setattr(ratelimit, "_redis", unreachable)
    client = client_for(host="alpha.localhost")
    assert [sign_in(client, owner_a.email).status_code for _ in range(6)] == [400] * 6
    assert sign_in(client, owner_a.email, PASSWORD).status_code == 302


def test_rates_are_read_in_plain_words():
    assert ratelimit.parse_rate("5/5min") == ratelimit.Rate(5, 300)
    assert ratelimit.parse_rate("1000/hour") == ratelimit.Rate(1000, 3600)
    assert ratelimit.parse_rate("") is None
    with pytest.raises(ValueError):
        ratelimit.parse_rate("often")


def test_a_member_of_another_organisation_is_told_nothing_more(client_for, tenant_a, tenant_b):
    outsider = make_member(tenant_b, "outsider@example.com")
    client = client_for(host="alpha.localhost")
    right, wrong = sign_in(client, outsider.email, PASSWORD), sign_in(client, outsider.email)
    assert right.status_code == wrong.status_code == 400
    assert right.content.decode().count("not right") == wrong.content.decode().count("not right")
    with tenant_context(tenant_a):
        assert "_auth_user_id" not in client.session
