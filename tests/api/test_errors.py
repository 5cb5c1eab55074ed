"""Every API error is problem+json in the caller's language; rate limits answer 429 with
Retry-After; unknown API URLs are problems too, not HTML pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django_tenants.utils import tenant_context

from api.models import ApiKey
from tests.api.conftest import add_movie, make_key

pytestmark = pytest.mark.django_db


def test_not_found_is_a_problem_document(alpha):
    response = alpha.get("/api/v1/movies/424242/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:movie-recap:problem:not_found",
        "title": "Not found",
        "status": 404,
        "detail": "Not found.",
        "instance": "/api/v1/movies/424242/",
    }


def test_errors_speak_the_callers_language(key_a, api):
    english = api("alpha", f"Api-Key {key_a}", language="en").get("/api/v1/movies/424242/")
    french = api("alpha", f"Api-Key {key_a}", language="fr").get("/api/v1/movies/424242/")
    assert french["Content-Type"] == "application/problem+json"
    assert french.json()["detail"] != english.json()["detail"]
    assert french.json()["title"] != english.json()["title"]
    assert french["Content-Language"] == "fr"

    anonymous_en = api("alpha", language="en").get("/api/v1/movies/")
    anonymous_fr = api("alpha", language="fr").get("/api/v1/movies/")
    assert anonymous_en.status_code == anonymous_fr.status_code == 401
    assert anonymous_en.json()["detail"] == "Authentication credentials were not provided."
    assert anonymous_fr.json()["detail"] != anonymous_en.json()["detail"]


def test_a_failed_sign_in_is_translated(owner_a, api):
    data = {"email": owner_a.email, "password": "wrong"}
    english = api("alpha", language="en").post("/api/v1/auth/token/", data)
    german = api("alpha", language="de").post("/api/v1/auth/token/", data)
    assert english.status_code == german.status_code == 401
    assert german["Content-Type"] == "application/problem+json"
    assert german.json()["detail"] != english.json()["detail"]


def test_unknown_api_urls_are_problems_not_pages(alpha, api):
    for client, path in ((alpha, "/api/v1/nothing-here/"), (api("alpha"), "/api/v2/movies/")):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    on_main_host = api("public", reach="host").client.get("/api/v1/movies/", HTTP_HOST="localhost")
    assert on_main_host.status_code == 404
    assert on_main_host["Content-Type"] == "application/problem+json"


def test_a_malformed_body_is_a_problem(alpha, tenant_a, owner_a):
    movie = add_movie(tenant_a, owner_a)
    response = alpha.client.post(
        f"/api/v1/movies/{movie.pk}/jobs/", b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:movie-recap:problem:parse_error"


def test_too_many_requests_answer_429_with_retry_after(tenant_a, owner_a, key_a, api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "3/min", "auth": "3/min"},
    }
    other_key = make_key(tenant_a, owner_a, name="Other")
    with tenant_context(tenant_a):
        for key_id in ApiKey.objects.values_list("pk", flat=True):
            cache.delete(f"throttle:api:key:{key_id}")  # buckets left over from an earlier run
    client = api("alpha", f"Api-Key {key_a}")
    statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/me/")
    assert limited["Content-Type"] == "application/problem+json"
    assert 0 < int(limited["Retry-After"]) <= 60
    assert limited.json()["type"] == "urn:movie-recap:problem:throttled"
    # The bucket is this key's: another key of the same person is not slowed down.
    assert api("alpha", f"Api-Key {other_key}").get("/api/v1/me/").status_code == 200
