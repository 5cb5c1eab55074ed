"""Recap jobs: the stages in order under a lease, duplicates ignored, failures readable,
cancel and retry, and outputs published into the organisation's storage."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files import File
from django_tenants.utils import tenant_context

from billing.models import UsageRecord
from media_pipeline import services
from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob, SubtitleTrack
from media_pipeline.recap_jobs import execute
from tests.factories import not_a_video_movie, use_local_storage
from tests.media_pipeline.media import synth_movie

pytestmark = pytest.mark.django_db

STAGE_ORDER = [
    JobState.PROBING,
    JobState.TRANSCRIBING,
    JobState.ANALYZING,
    JobState.SELECTING,
    JobState.RENDERING,
    JobState.PUBLISHING,
]


@pytest.fixture(scope="session")
def movie_files(tmp_path_factory):
    return synth_movie(tmp_path_factory.mktemp("movies"))


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    use_local_storage(settings, tmp_path / "media")
    settings.WORK_ROOT = tmp_path / "work"


def add_movie(tenant, owner, movie_files, *, with_subtitles: bool = True) -> Movie:
    path, srt, truth = movie_files
    with tenant_context(tenant):
        movie = Movie(
            title="Synthetic Feature",
            uploader=owner,
            duration=truth.duration,
            status=MovieStatus.READY,
            language="en",
        )
        with open(path, "rb") as handle:
            movie.file.save("feature.mp4", File(handle), save=True)
        if with_subtitles:
            track = SubtitleTrack(movie=movie, language="en", cue_count=len(truth.cues))
            with open(srt, "rb") as handle:
                track.file.save("feature.srt", File(handle), save=True)
    return movie


def run_inline(job_id: int, captured) -> list[str]:
    """Run each queued stage in this process, as a worker would, until the job ends."""
    seen = []
    state = RecapJob.objects.get(pk=job_id).state
    while state in STAGE_ORDER:
        seen.append(state)
        with captured(execute=False) as callbacks:
            state = execute.run_stage(job_id, state) or RecapJob.objects.get(pk=job_id).state
        # Everything queued after commit runs, except sending the next stage to the broker:
        # this loop is the worker.
        for callback in callbacks:
            if "send_stage" not in callback.__qualname__:
                callback()
    return seen


def test_a_job_runs_every_stage_and_publishes_the_recap(
    tenant_a, owner_a, movie_files, django_capture_on_commit_callbacks
):
    movie = add_movie(tenant_a, owner_a, movie_files)
    with tenant_context(tenant_a):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            job = services.start_recap_job(
                movie=movie, target="auto", language="en", acting_user=owner_a
            )
        # The first stage is sent only after commit (beside it: the library's new version).
        assert len([c for c in queued if "send_stage" in c.__qualname__]) == 1
        assert run_inline(job.pk, django_capture_on_commit_callbacks) == STAGE_ORDER

        job.refresh_from_db()
        assert job.state == JobState.DONE and job.percent == 100
        assert set(job.timings) == {str(s) for s in STAGE_ORDER}
        recap = Recap.objects.get(job=job)
        assert recap.video.name.startswith(f"tenants/{tenant_a.schema_name}/recaps/{job.pk}/")
        assert recap.video.size > 0 and recap.poster.size > 0 and recap.sprite.size > 0
        assert recap.subtitles_vtt.name and recap.chapters_vtt.name
        assert 3 <= len(recap.chapters) <= 12
        assert recap.synopsis
        # An automatic recap of a 24 s movie: AUTO_FLOOR seconds, within the knapsack's reach.
        assert 4 <= recap.duration <= 9
        assert Movie.objects.get(pk=movie.pk).status == MovieStatus.DONE
    assert UsageRecord.objects.filter(tenant=tenant_a, kind="processing_seconds").exists()
    assert "is ready" in mail.outbox[-1].subject
    assert f"/movies/{movie.pk}/" in mail.outbox[-1].body


def test_a_duplicate_delivery_does_nothing(
    tenant_a, owner_a, movie_files, django_capture_on_commit_callbacks
):
    movie = add_movie(tenant_a, owner_a, movie_files, with_subtitles=False)
    with tenant_context(tenant_a):
        with django_capture_on_commit_callbacks(execute=False):
            job = services.start_recap_job(
                movie=movie, target="auto", language="en", acting_user=owner_a
            )
        RecapJob.objects.filter(pk=job.pk).update(lease_owner="another-worker:1")
        assert execute.run_stage(job.pk, JobState.PROBING) is None
        assert execute.run_stage(job.pk, JobState.RENDERING) is None
        job.refresh_from_db()
        assert job.state == JobState.PROBING and job.attempts == 0


def test_a_file_that_is_not_a_video_fails_with_a_readable_reason(
    tenant_a, owner_a, tmp_path, django_capture_on_commit_callbacks
):
    with tenant_context(tenant_a):
        movie = not_a_video_movie(owner_a, tmp_path)
        with django_capture_on_commit_callbacks(execute=False):
            job = services.start_recap_job(
                movie=movie, target="auto", language="en", acting_user=owner_a
            )
        with django_capture_on_commit_callbacks(execute=True):
            assert execute.run_stage(job.pk, JobState.PROBING) is None
        job.refresh_from_db()
        assert job.state == JobState.FAILED
        assert job.failure_code == "not_a_video"
        assert not Recap.objects.filter(job=job).exists()
        assert Movie.objects.get(pk=movie.pk).status == MovieStatus.FAILED
    assert "could not be made" in mail.outbox[-1].subject


def test_poisoned_input_fails_after_the_attempt_limit(
    tenant_a, owner_a, movie_files, settings, django_capture_on_commit_callbacks
):
    settings.RECAP_MAX_ATTEMPTS = 2
    movie = add_movie(tenant_a, owner_a, movie_files, with_subtitles=False)
    with tenant_context(tenant_a):
        with django_capture_on_commit_callbacks(execute=False):
            job = services.start_recap_job(
                movie=movie, target="auto", language="en", acting_user=owner_a
            )
        # Two workers took the stage and died without finishing it.
        RecapJob.objects.filter(pk=job.pk).update(attempts=2, lease_owner="")
        with django_capture_on_commit_callbacks(execute=False):
            assert execute.run_stage(job.pk, JobState.PROBING) is None
        job.refresh_from_db()
        assert job.state == JobState.FAILED and job.failure_code == "attempts_exhausted"


def test_cancel_and_retry(tenant_a, owner_a, movie_files, django_capture_on_commit_callbacks):
    movie = add_movie(tenant_a, owner_a, movie_files, with_subtitles=False)
    with tenant_context(tenant_a):
        with django_capture_on_commit_callbacks(execute=False):
            job = services.start_recap_job(
                movie=movie, target="auto", language="fr", acting_user=owner_a
            )
            with pytest.raises(Exception, match="already being made"):
                services.start_recap_job(
                    movie=movie, target="auto", language="en", acting_user=owner_a
                )
            services.cancel_job(job=job, acting_user=owner_a)
        assert execute.run_stage(job.pk, JobState.PROBING) is None
        job.refresh_from_db()
        assert job.state == JobState.CANCELED
        with django_capture_on_commit_callbacks(execute=False):
            again = services.retry_job(job=job, acting_user=owner_a)
        assert again.pk != job.pk and again.state == JobState.PROBING
        assert (again.target, again.language) == ("auto", "fr")


def test_viewers_cannot_start_recaps(tenant_a, owner_a, movie_files, client_for):
    from accounts.models import Membership
    from tests.factories import make_member

    viewer = make_member(tenant_a, "viewer@example.com", role="viewer")
    movie = add_movie(tenant_a, owner_a, movie_files, with_subtitles=False)
    response = client_for(viewer, host="alpha.localhost").post(
        f"/movies/{movie.pk}/recap/", {"target": "auto", "language": "en"}, follow=True
    )
    assert "Viewers can watch recaps" in response.content.decode()
    with tenant_context(tenant_a):
        assert not RecapJob.objects.exists()
    assert Membership.objects.get(user=viewer).role == "viewer"


def test_job_status_is_json_and_isolated(
    tenant_a,
    tenant_b,
    owner_a,
    owner_b,
    movie_files,
    client_for,
    django_capture_on_commit_callbacks,
):
    movie = add_movie(tenant_a, owner_a, movie_files, with_subtitles=False)
    with tenant_context(tenant_a), django_capture_on_commit_callbacks(execute=False):
        job = services.start_recap_job(
            movie=movie, target="auto", language="en", acting_user=owner_a
        )
    body = client_for(owner_a, host="alpha.localhost").get(f"/jobs/{job.pk}/").json()
    assert body["state"] == "probing" and body["active"] is True
    assert client_for(owner_b, host="bravo.localhost").get(f"/jobs/{job.pk}/").status_code == 404
    assert client_for(owner_b, host="alpha.localhost").get(f"/jobs/{job.pk}/").status_code == 404
