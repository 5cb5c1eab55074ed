"""A worker killed in the middle of a job (SIGKILL) leaves a job that a new worker finishes."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.core.files import File
from django_tenants.utils import tenant_context

from media_pipeline import services
from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob
from media_pipeline.tasks import recover_stalled_jobs
from tests import factories
from tests.factories import use_local_storage
from tests.media_pipeline.media import synth_movie
from tests.worker import celery_worker, wait_for

pytestmark = pytest.mark.worker

LEASE = "3"


@pytest.fixture
def tenant(transactional_db, settings, tmp_path):
    use_local_storage(settings, tmp_path / "media")
    settings.WORK_ROOT = tmp_path / "work"
    settings.RECAP_LEASE_SECONDS = int(LEASE)  # the sweep below judges leases as workers do
    factories.ensure_platform()
    tenant = factories.make_tenant("recovery")
    yield tenant
    tenant.delete(force_drop=True)


def test_a_killed_worker_leaves_a_job_another_worker_finishes(tenant, tmp_path, settings):
    owner = factories.make_member(tenant, "owner@recovery.example", role="owner")
    # A little over a minute, so a one-minute recap (shorter than the movie) renders long enough
    # for the worker to be caught in the middle of it.
    path, _srt, truth = synth_movie(tmp_path, duration=64.0)
    env = {"RECAP_LEASE_SECONDS": LEASE, "WORK_ROOT": str(settings.WORK_ROOT)}
    with tenant_context(tenant):
        movie = Movie(
            title="Long take", uploader=owner, duration=truth.duration, status=MovieStatus.READY
        )
        with open(path, "rb") as handle:
            movie.file.save("long.mp4", File(handle), save=True)
        job = services.start_recap_job(movie=movie, target="60", language="en", acting_user=owner)

    def leased_in(states):
        with tenant_context(tenant):
            row = RecapJob.objects.filter(pk=job.pk).values("state", "lease_owner").get()
        return row["state"] in states and row["lease_owner"] and row

    with celery_worker(extra_env=env) as first:
        row = wait_for(
            lambda: leased_in({JobState.ANALYZING, JobState.RENDERING}), 90, "a stage to start"
        )
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    killed_in = row["state"]

    with tenant_context(tenant):
        stalled = RecapJob.objects.get(pk=job.pk)
        assert stalled.state == killed_in and stalled.lease_owner == row["lease_owner"]

    with celery_worker(extra_env=env) as second:
        time.sleep(float(LEASE) + 0.5)  # the dead worker's lease runs out
        # The first sweep only suspects the holder; one after the grace hands the stage on.
        assert recover_stalled_jobs() == 0
        wait_for(recover_stalled_jobs, 10, "a sweep to queue the stage again", interval=0.5)

        def finished():
            with tenant_context(tenant):
                return RecapJob.objects.get(pk=job.pk).state in {JobState.DONE, JobState.FAILED}

        wait_for(finished, 120, "the job to finish")
        assert second.poll() is None

    with tenant_context(tenant):
        job.refresh_from_db()
        assert job.state == JobState.DONE, (job.failure_code, job.failure_reason)
        assert Recap.objects.filter(job=job).exists()
        assert Movie.objects.get(pk=movie.pk).status == MovieStatus.DONE
