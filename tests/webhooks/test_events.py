"""The product's real flows emit their events: upload complete, job started, done, failed."""

from __future__ import annotations

import io

import pytest
from django_tenants.utils import tenant_context

from media_pipeline import services as recaps
from media_pipeline import uploads
from media_pipeline.models import JobState, MovieStatus, Recap
from media_pipeline.recap_jobs import execute
from tests.factories import not_a_video_movie, use_local_storage
from tests.media_pipeline.media import synth_movie
from tests.media_pipeline.test_jobs import add_movie, run_inline
from webhooks import services
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db

ALL = ["movie.uploaded", "recap.started", "recap.completed", "recap.failed"]


@pytest.fixture(scope="module")
def movie_files(tmp_path_factory):
    return synth_movie(tmp_path_factory.mktemp("webhook-movies"))


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    use_local_storage(settings, tmp_path / "media")
    settings.WORK_ROOT = tmp_path / "work"


@pytest.fixture
def listening(tenant_a, owner_a, receiver):
    """A local receiver subscribed to every event of alpha."""
    rx = receiver()
    with tenant_context(tenant_a):
        endpoint = services.create_endpoint(url=rx.url, events=ALL, acting_user=owner_a)
    rx.secret = endpoint.secret
    return rx


def events_of(tenant) -> list[str]:
    with tenant_context(tenant):
        return list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True))


def test_a_completed_upload_emits_movie_uploaded(
    tenant_a, owner_a, movie_files, listening, queued, django_capture_on_commit_callbacks
):
    data = movie_files[0].read_bytes()
    with tenant_context(tenant_a), django_capture_on_commit_callbacks(execute=True):
        upload = uploads.create_upload(
            tenant=tenant_a, user=owner_a, filename="trailer.mp4", length=len(data),
            metadata={"title": "The Trailer", "language": "en"},
        )  # fmt: skip
        upload = uploads.append_chunk(
            upload=upload, offset=0, stream=io.BytesIO(data), content_length=len(data),
            user=owner_a,
        )  # fmt: skip
        movie = uploads.complete_movie_upload(upload=upload, tenant=tenant_a, user=owner_a)
    assert events_of(tenant_a) == ["movie.uploaded"]
    assert queued.run() == ["succeeded"]
    [request] = listening.requests
    body = request.json
    assert request.signature_ok and request.headers["Webhook-Id"] == body["id"]
    assert body["type"] == "movie.uploaded" and body["tenant"] == "alpha"
    assert body["created"].endswith("Z")
    assert body["data"]["movie"]["id"] == movie.pk
    assert body["data"]["movie"]["title"] == "The Trailer"
    assert body["data"]["movie"]["status"] == MovieStatus.READY


def test_starting_a_job_emits_recap_started(
    tenant_a, owner_a, movie_files, listening, queued, django_capture_on_commit_callbacks
):
    movie = add_movie(tenant_a, owner_a, movie_files, with_subtitles=False)
    with tenant_context(tenant_a), django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = recaps.start_recap_job(movie=movie, target="auto", language="en", acting_user=owner_a)
    for callback in callbacks:
        if "send_stage" not in callback.__qualname__:
            callback()  # the webhook, not the first stage: no worker runs here
    assert events_of(tenant_a) == ["recap.started"]
    queued.run()
    data = listening.requests[0].json["data"]
    assert data["job"]["id"] == job.pk and data["job"]["state"] == JobState.PROBING
    assert data["movie"]["id"] == movie.pk


def test_a_job_run_to_the_end_emits_recap_completed(
    tenant_a, owner_a, movie_files, listening, queued, django_capture_on_commit_callbacks
):
    movie = add_movie(tenant_a, owner_a, movie_files, with_subtitles=True)
    with tenant_context(tenant_a):
        with django_capture_on_commit_callbacks(execute=False):
            job = recaps.start_recap_job(
                movie=movie, target="auto", language="en", acting_user=owner_a
            )
        run_inline(job.pk, django_capture_on_commit_callbacks)
        recap = Recap.objects.get(job_id=job.pk)
    assert events_of(tenant_a) == ["recap.started", "recap.completed"]
    queued.run()
    done = [r.json for r in listening.requests if r.json["type"] == "recap.completed"]
    [body] = done
    assert body["data"]["job"] == {**body["data"]["job"], "id": job.pk, "state": "done"}
    assert body["data"]["recap"]["id"] == recap.pk
    assert body["data"]["recap"]["duration"] == pytest.approx(recap.duration)
    assert body["data"]["movie"]["title"] == "Synthetic Feature"


def test_a_failing_job_emits_recap_failed_with_its_code(
    tenant_a, owner_a, tmp_path, listening, queued, django_capture_on_commit_callbacks
):
    with tenant_context(tenant_a):
        movie = not_a_video_movie(owner_a, tmp_path)
        with django_capture_on_commit_callbacks(execute=False):
            job = recaps.start_recap_job(
                movie=movie, target="auto", language="en", acting_user=owner_a
            )
        with django_capture_on_commit_callbacks(execute=True):
            assert execute.run_stage(job.pk, JobState.PROBING) is None
    assert events_of(tenant_a) == ["recap.started", "recap.failed"]
    queued.run()
    [failed] = [r.json for r in listening.requests if r.json["type"] == "recap.failed"]
    assert failed["data"]["job"]["state"] == "failed"
    assert failed["data"]["failure"]["code"] == "not_a_video"
    assert failed["data"]["failure"]["message"].startswith("This file is not a video")


def test_another_organisation_s_endpoint_never_hears_these_events(
    tenant_a, tenant_b, owner_a, owner_b, movie_files, receiver, listening, queued,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    theirs = receiver()
    with tenant_context(tenant_b):
        services.create_endpoint(url=theirs.url, events=ALL, acting_user=owner_b)
    movie = add_movie(tenant_a, owner_a, movie_files, with_subtitles=False)
    with tenant_context(tenant_a), django_capture_on_commit_callbacks(execute=True):
        recaps.start_recap_job(movie=movie, target="auto", language="en", acting_user=owner_a)
    queued.run()
    assert [r.json["type"] for r in listening.requests] == ["recap.started"]
    assert theirs.requests == []
    assert events_of(tenant_b) == []
