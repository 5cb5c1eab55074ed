"""Recap jobs through the API: start, follow, cancel, retry; and Idempotency-Key on creation."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from api.models import IdempotencyRecord
from media_pipeline.models import JobState, Movie, RecapJob
from tests.api.conftest import add_movie

pytestmark = pytest.mark.django_db


@pytest.fixture
def movie(tenant_a, owner_a):
    # Fifteen minutes: every fixed recap length is shorter than the movie.
    return add_movie(tenant_a, owner_a, language="fr", duration=900.0)


def test_a_job_is_started_followed_canceled_and_retried(alpha, movie, tenant_a):
    started = alpha.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "180"})
    assert started.status_code == 201, started.content
    job = started.json()
    assert (job["state"], job["target"], job["language"], job["active"]) == (
        "probing",
        "180",
        "fr",
        True,
    )
    assert job["url"].endswith(f"/api/v1/jobs/{job['id']}/")

    followed = alpha.get(job["url"]).json()
    assert (followed["percent"], followed["timings"], followed["recap_id"]) == (0, {}, None)
    # No worker has taken it yet: the API says so in the same words as the page.
    assert (job["state_label"], followed["state_label"]) == ("Queued", "Queued")
    assert [j["id"] for j in alpha.get(f"/api/v1/movies/{movie.pk}/jobs/").json()["results"]] == [
        job["id"]
    ]
    assert alpha.get("/api/v1/jobs/?state=probing").json()["count"] == 1

    busy = alpha.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "60"})
    assert busy.status_code == 409
    assert busy.json()["type"] == "urn:movie-recap:problem:busy"

    canceled = alpha.post(f"/api/v1/jobs/{job['id']}/cancel/")
    assert canceled.status_code == 200
    assert (canceled.json()["state"], canceled.json()["active"]) == ("canceled", False)
    assert alpha.post(f"/api/v1/jobs/{job['id']}/cancel/").status_code == 409

    retried = alpha.post(f"/api/v1/jobs/{job['id']}/retry/")
    assert retried.status_code == 201
    assert retried.json()["id"] != job["id"] and retried.json()["target"] == "180"
    with tenant_context(tenant_a):
        assert RecapJob.objects.filter(movie=movie).count() == 2


def test_a_failed_job_says_why_in_words_a_person_can_act_on(movie, tenant_a, alpha):
    with tenant_context(tenant_a):
        job = RecapJob.objects.create(
            movie=movie, state=JobState.FAILED, failure_code="not_a_video", failure_reason="x"
        )
    body = alpha.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["failure"].startswith("This file is not a video we can read.")
    assert (body["state"], body["state_label"], body["active"]) == ("failed", "Failed", False)


def test_an_invalid_target_is_a_field_error(alpha, movie):
    response = alpha.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "7"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["target"]


def test_a_length_longer_than_the_movie_is_a_problem_and_starts_nothing(alpha, tenant_a, owner_a):
    short = add_movie(tenant_a, owner_a, duration=30.0)
    response = alpha.post(f"/api/v1/movies/{short.pk}/jobs/", {"target": "60"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:movie-recap:problem:target_too_long"
    assert body["detail"] == (
        "A recap of 1 minute cannot be made of a movie that lasts 0:30: "
        "choose a shorter length or Automatic."
    )
    with tenant_context(tenant_a):
        assert not RecapJob.objects.exists()
    assert alpha.post(f"/api/v1/movies/{short.pk}/jobs/", {"target": "auto"}).status_code == 201


def test_a_retry_longer_than_the_movie_is_refused_the_same_way(alpha, tenant_a, owner_a):
    # The job was started before the running time was known; the probe found 30 s.
    short = add_movie(tenant_a, owner_a, duration=None)
    with tenant_context(tenant_a):
        failed = RecapJob.objects.create(movie=short, target="300", state=JobState.FAILED)
        Movie.objects.filter(pk=short.pk).update(duration=30.0)
    response = alpha.post(f"/api/v1/jobs/{failed.pk}/retry/")
    assert response.status_code == 400
    assert response.json()["type"] == "urn:movie-recap:problem:target_too_long"
    assert response.json()["detail"].startswith("A recap of 5 minutes cannot be made")
    with tenant_context(tenant_a):
        assert RecapJob.objects.count() == 1


def test_the_same_idempotency_key_replays_the_first_answer(alpha, movie, tenant_a):
    headers = {"HTTP_IDEMPOTENCY_KEY": "job-2026-11-25-001"}
    first = alpha.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "60"}, **headers)
    again = alpha.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "60"}, **headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    with tenant_context(tenant_a):
        assert RecapJob.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused(alpha, movie, tenant_a):
    headers = {"HTTP_IDEMPOTENCY_KEY": "job-2026-11-25-002"}
    alpha.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "60"}, **headers)
    other = alpha.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "300"}, **headers)
    assert other.status_code == 422
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["type"] == "urn:movie-recap:problem:idempotency_key_reused"
    with tenant_context(tenant_a):
        assert RecapJob.objects.count() == 1


def test_a_refused_request_is_not_remembered(alpha, movie, tenant_a):
    headers = {"HTTP_IDEMPOTENCY_KEY": "job-2026-11-25-003"}
    assert (
        alpha.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "7"}, **headers).status_code
        == 400
    )
    fixed = alpha.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "60"}, **headers)
    assert fixed.status_code == 201 and not fixed.has_header("Idempotent-Replayed")


def test_idempotency_keys_belong_to_one_client(alpha, movie, tenant_a, owner_a, api):
    from tests.api.conftest import make_key

    other = api("alpha", f"Api-Key {make_key(tenant_a, owner_a, name='Other')}")
    headers = {"HTTP_IDEMPOTENCY_KEY": "shared-name"}
    alpha.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "60"}, **headers)
    # Another client's same key is its own: here it meets the busy movie, not a replay.
    assert (
        other.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "60"}, **headers).status_code
        == 409
    )
    with tenant_context(tenant_a):
        assert IdempotencyRecord.objects.count() == 1


def test_an_api_key_creation_replay_does_not_show_the_key_again(tenant_a, owner_a, api):
    from tests import factories

    pair = api("alpha").post(
        "/api/v1/auth/token/", {"email": owner_a.email, "password": factories.PASSWORD}
    )
    owner = api("alpha", f"Bearer {pair.json()['access']}")
    headers = {"HTTP_IDEMPOTENCY_KEY": "key-1"}
    first = owner.post("/api/v1/api-keys/", {"name": "ETL", "scope": "read"}, **headers)
    again = owner.post("/api/v1/api-keys/", {"name": "ETL", "scope": "read"}, **headers)
    assert first.json()["key"] and again.json()["key"] is None
    assert again.json()["id"] == first.json()["id"]
    with tenant_context(tenant_a):
        record = IdempotencyRecord.objects.get()
        assert first.json()["key"] not in str(record.body)


def test_a_failure_of_the_file_itself_is_not_retried(movie, tenant_a, alpha):
    with tenant_context(tenant_a):
        job = RecapJob.objects.create(
            movie=movie, state=JobState.FAILED, failure_code="truncated", failure_reason="x"
        )
    refused = alpha.post(f"/api/v1/jobs/{job.pk}/retry/")
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:movie-recap:problem:not_retryable"
    assert "retry would fail the same way" in refused.json()["detail"]
    with tenant_context(tenant_a):
        assert RecapJob.objects.filter(movie=movie).count() == 1
