"""A recap canceled five seconds into its render: the worker's heartbeat sees the cancel and
kills the encode within two seconds, no recap appears, nothing is charged, nothing is left."""

from __future__ import annotations

import time

import pytest
from django_tenants.utils import tenant_context

from billing.models import UsageRecord
from media_pipeline import services
from media_pipeline.models import JobState, Recap, RecapJob
from tests.worker import celery_worker, wait_for

from .checks import add_movie, encoding, ffmpeg_left, job_row, stray_files, wait_until_gone
from .harness import worker_env

pytestmark = pytest.mark.worker


def test_a_cancel_five_seconds_into_the_render_stops_ffmpeg_within_two_seconds(
    tenant, owner, movie_file, folders
):
    env = worker_env(folders, render_rate=4)
    log = folders["root"] / "worker.log"
    path, duration = movie_file
    movie = add_movie(tenant, owner, path, duration=duration)
    with celery_worker(pool="prefork", concurrency=2, extra_env=env, log=log) as worker:
        with tenant_context(tenant):
            job = services.start_recap_job(movie=movie, target="60", language="en",
                                           acting_user=owner)  # fmt: skip
        wait_for(lambda: job_row(tenant, job.pk)["state"] == JobState.RENDERING, 60, "the render")
        render_started = time.monotonic()
        encode = wait_for(lambda: encoding(folders["root"]), 30, "the encode")
        time.sleep(max(0.0, render_started + 5.0 - time.monotonic()))
        assert not wait_until_gone(encode, within=0), "the encode ended before the cancel"

        with tenant_context(tenant):
            services.cancel_job(job=RecapJob.objects.get(pk=job.pk), acting_user=owner)
        stopped_after = wait_until_gone(encode, within=5.0)

        assert stopped_after is not None and stopped_after < 2.0, stopped_after
        wait_for(lambda: "stopped (canceled: True" in log.read_text(), 10, "the worker's note")
        assert worker.poll() is None

    row = job_row(tenant, job.pk)
    assert (row["state"], row["lease_owner"], row["lease_token"]) == (JobState.CANCELED, "", "")
    with tenant_context(tenant):
        assert not Recap.objects.exists()
    assert not UsageRecord.objects.filter(tenant=tenant).exclude(reference__startswith="movie:")
    assert stray_files(tenant, folders["media"], folders["work"]) == []
    assert not (folders["work"] / "jobs" / tenant.schema_name / str(job.pk)).exists()
    assert ffmpeg_left(folders["root"]) == []
