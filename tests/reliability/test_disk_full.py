"""The work disk fills up during the render (a tmpfs of 256 KiB mounted on the worker's work
folder; RLIMIT_FSIZE would only limit one process's files, not fill a disk).

A full disk is ours to fix, never the movie's fault: the operators are alerted (a CRITICAL log
line from media_pipeline.alerts and an email to ADMINS), the stage is given back without
counting an attempt, and the job waits and resumes once there is room. If the disk stays full
past the retries, the job fails with a sentence that says so in the person's language, and
the movie stays ready for another try.
"""

from __future__ import annotations

import time

import pytest
from celery import current_app
from django.test import Client
from django.utils import translation
from django_tenants.utils import tenant_context

from media_pipeline import services
from media_pipeline.errors import user_message
from media_pipeline.models import JobState, Movie, MovieStatus, Recap
from media_pipeline.pipeline.types import PipelineError
from media_pipeline.recap_jobs.queue import RUN_STAGE
from tests.worker import celery_worker, wait_for

from .checks import add_movie, assert_published_once, ffmpeg_left, job_row, stray_files
from .harness import Beat, api_key_for, worker_env
from .servers import SmallDisk, SmtpSink

pytestmark = pytest.mark.worker

OPERATORS = "ops@recap.example"


@pytest.fixture
def full_disk(folders):
    disk = SmallDisk(folders["work"], "256k")
    yield disk
    disk.close()


@pytest.fixture
def mail_server():
    sink = SmtpSink()
    yield sink
    sink.close()


def alerted(log) -> list[str]:
    return [line for line in log.read_text().splitlines() if "[disk_full]" in line]


def sweep_until(tenant, job_id: int, state: str, folders) -> None:
    """Sweep as beat would until the job reaches `state` and its work folder is gone."""
    with Beat():
        wait_for(lambda: job_row(tenant, job_id)["state"] == state, 90, state)
        wait_for(lambda: not stray_files(tenant, folders["media"], folders["work"]), 10,
                 "the work folder to go")  # fmt: skip


def start_on_full_disk(tenant, owner, movie_file, folders, mail_server):
    """A worker whose work folder is the small disk; the job started and the alert raised."""
    env = worker_env(
        folders, ADMINS=OPERATORS, CACHE_KEY_PREFIX=f"disk-{time.monotonic_ns()}",
        **mail_server.env(),
    )  # fmt: skip
    path, duration = movie_file
    movie = add_movie(tenant, owner, path, duration=duration)
    with tenant_context(tenant):
        job = services.start_recap_job(movie=movie, target="60", language="en",
                                       acting_user=owner)  # fmt: skip
    return env, movie, job


def test_a_full_disk_alerts_the_operators_and_the_job_resumes_when_there_is_room(
    tenant, owner, movie_file, folders, full_disk, mail_server
):
    log = folders["root"] / "worker.log"
    env, movie, job = start_on_full_disk(tenant, owner, movie_file, folders, mail_server)
    with celery_worker(pool="prefork", concurrency=2, extra_env=env, log=log) as worker:
        wait_for(lambda: alerted(log), 60, "the operators' alert")
        [email] = wait_for(lambda: mail_server.messages, 10, "the alert email")

        row = job_row(tenant, job.pk)
        # Given back for a retry, not counted as one of the attempts, the movie untouched.
        assert (row["state"], row["lease_owner"], row["attempts"]) == (JobState.RENDERING, "", 0)
        with tenant_context(tenant):
            assert Movie.objects.get(pk=movie.pk).status == MovieStatus.PROCESSING

        full_disk.grow("64m")
        sweep_until(tenant, job.pk, JobState.DONE, folders)
        assert worker.poll() is None

    assert "CRITICAL" in alerted(log)[0]
    headers = email.split("\n\n", 1)[0].splitlines()
    assert f"To: {OPERATORS}" in headers, headers
    assert "Subject: Movie Recap alert: disk_full" in headers, headers
    assert_published_once(tenant, job.pk)
    assert ffmpeg_left(folders["root"]) == []


def test_a_disk_that_stays_full_fails_the_job_in_words_the_person_reads(
    tenant, owner, movie_file, folders, full_disk, mail_server
):
    log = folders["root"] / "worker.log"
    env, movie, job = start_on_full_disk(tenant, owner, movie_file, folders, mail_server)
    with celery_worker(pool="prefork", concurrency=2, extra_env=env, log=log) as worker:
        wait_for(lambda: alerted(log), 60, "the operators' alert")
        # The stage's last retry, as Celery sends it after the earlier ones (minutes apart).
        with tenant_context(tenant):
            current_app.send_task(RUN_STAGE, args=(job.pk, JobState.RENDERING), retries=5)
        sweep_until(tenant, job.pk, JobState.FAILED, folders)
        assert worker.poll() is None

    assert job_row(tenant, job.pk)["failure_code"] == "disk_full"
    with tenant_context(tenant):
        assert Movie.objects.get(pk=movie.pk).status == MovieStatus.READY
        assert not Recap.objects.exists()
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost", HTTP_ACCEPT_LANGUAGE="ar",
                    HTTP_AUTHORIZATION=f"Api-Key {api_key_for(tenant, owner)}")  # fmt: skip
    shown = client.get(f"/api/v1/jobs/{job.pk}/").json()["failure"]
    said = {}
    for language in ("ar", "en"):
        with translation.override(language):
            said[language] = user_message(PipelineError("disk_full", ""))
    assert shown == said["ar"] != said["en"]
    assert said["en"] != user_message(PipelineError("unknown", ""))  # its own sentence
    assert ffmpeg_left(folders["root"]) == []
