"""A worker killed by SIGKILL in the middle of a job: the pool child during the analysis or the
render, or the whole worker during the render. Each time the stage is taken again after the
lease runs out, one clean recap is published, and no ffmpeg outlives the process it served."""

from __future__ import annotations

import os
import signal

import pytest
from django_tenants.utils import tenant_context

from media_pipeline import services
from media_pipeline.models import JobState
from tests.media_pipeline.pipeline.processes import running_ffmpeg
from tests.worker import celery_worker, wait_for

from .checks import (
    JobWatch,
    add_movie,
    assert_published_once,
    encoding,
    ffmpeg_left,
    job_row,
    leased_in,
    ledger,
    owner_pid,
    parent_pid,
    stray_files,
    wait_until_gone,
)
from .harness import Beat, redeliver_unacked, unacked_stages, worker_env

pytestmark = pytest.mark.worker


def start_job(tenant, owner, movie_file):
    path, duration = movie_file
    movie = add_movie(tenant, owner, path, duration=duration)
    with tenant_context(tenant):
        return services.start_recap_job(movie=movie, target="60", language="en", acting_user=owner)


def finished(tenant, job_id: int) -> bool:
    return job_row(tenant, job_id)["state"] in {JobState.DONE, JobState.FAILED}


def kill_the_holder(tenant, job_id: int, worker, row: dict, ffmpeg_pids: list[int]) -> Beat:
    """SIGKILL the pool child that holds the stage (its pid is in the lease), check that its
    ffmpeg went with it, then sweep as beat would until the job ends; the sweeps that ran."""
    child = owner_pid(row["lease_owner"])
    assert parent_pid(child) == worker.pid, "the lease is held in the pool child's name"

    os.kill(child, signal.SIGKILL)

    assert wait_until_gone(ffmpeg_pids, within=1.0) is not None, "ffmpeg outlived its worker"
    with Beat() as beat:
        wait_for(lambda: finished(tenant, job_id), 120, "the job to finish")
    return beat


def test_a_pool_child_killed_during_the_analysis_leaves_a_job_the_sweep_hands_on(
    tenant, owner, movie_file, folders
):
    env = worker_env(folders, analysis_rate=10)
    log = folders["root"] / "worker.log"
    with celery_worker(pool="prefork", concurrency=2, extra_env=env, log=log) as worker:
        job = start_job(tenant, owner, movie_file)
        watch = JobWatch(tenant, job.pk, folders["root"])
        watch.start()
        row = wait_for(lambda: leased_in(tenant, job.pk, JobState.ANALYZING), 60, "the analysis")
        decoding = wait_for(
            lambda: running_ffmpeg(str(folders["root"]), "rawvideo"), 30, "the analysis decode"
        )
        beat = kill_the_holder(tenant, job.pk, worker, row, decoding)
        watch.stop()
        assert worker.poll() is None

    assert_published_once(tenant, job.pk)
    assert beat.requeued == 1
    analyses = watch.takes_of(JobState.ANALYZING)
    assert len(analyses) == 2 and analyses[0][0] == row["lease_owner"] != analyses[1][0]
    assert stray_files(tenant, folders["media"], folders["work"]) == []
    assert ffmpeg_left(folders["root"]) == []


def test_a_pool_child_killed_during_the_render_takes_its_ffmpeg_with_it(
    tenant, owner, movie_file, folders
):
    env = worker_env(folders, render_rate=6)
    log = folders["root"] / "worker.log"
    with celery_worker(pool="prefork", concurrency=2, extra_env=env, log=log) as worker:
        job = start_job(tenant, owner, movie_file)
        watch = JobWatch(tenant, job.pk, folders["root"])
        watch.start()
        row = wait_for(lambda: leased_in(tenant, job.pk, JobState.RENDERING), 60, "the render")
        encode = wait_for(lambda: encoding(folders["root"]), 30, "the encode")
        beat = kill_the_holder(tenant, job.pk, worker, row, encode)
        watch.stop()
        assert worker.poll() is None

    assert_published_once(tenant, job.pk)
    assert beat.requeued == 1
    renders = watch.takes_of(JobState.RENDERING)
    assert len(renders) == 2 and renders[0][1] != renders[1][1]
    # Each take encoded once, and never two at the same time (the first died with its child).
    assert len(watch.encodes | set(encode)) == 2
    assert stray_files(tenant, folders["media"], folders["work"]) == []
    assert ffmpeg_left(folders["root"]) == []


def test_a_whole_worker_killed_during_the_render_is_replaced_and_its_message_does_nothing(
    tenant, owner, movie_file, folders
):
    env = worker_env(folders, render_rate=6)
    with celery_worker(pool="prefork", concurrency=2, extra_env=env) as first:
        job = start_job(tenant, owner, movie_file)
        wait_for(lambda: leased_in(tenant, job.pk, JobState.RENDERING), 60, "the render")
        encode = wait_for(lambda: encoding(folders["root"]), 30, "the encode")

        os.killpg(first.pid, signal.SIGKILL)
        first.wait()

        assert wait_until_gone(encode, within=1.0) is not None, "ffmpeg outlived its worker"
    # The render's message was delivered and never acknowledged: the broker keeps it for the
    # visibility timeout (hours), long after the sweep has handed the stage to another worker.
    assert unacked_stages(tenant.schema_name) == [(job.pk, JobState.RENDERING)]

    log = folders["root"] / "worker.log"
    with celery_worker(pool="prefork", concurrency=2, extra_env=env, log=log) as second:
        with Beat() as beat:
            wait_for(lambda: finished(tenant, job.pk), 120, "the job to finish")
        recap = assert_published_once(tenant, job.pk)
        before = job_row(tenant, job.pk), ledger(tenant)

        redeliver_unacked()

        wait_for(lambda: not unacked_stages(tenant.schema_name), 30, "the old message handled")
        wait_for(lambda: "is not ours to run" in log.read_text(), 10, "the worker's note")
        assert second.poll() is None

    assert (job_row(tenant, job.pk), ledger(tenant)) == before
    assert assert_published_once(tenant, job.pk) == recap
    assert beat.requeued == 1
    assert stray_files(tenant, folders["media"], folders["work"]) == []
    assert ffmpeg_left(folders["root"]) == []
