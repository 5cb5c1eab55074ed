"""Redis (broker and cache) down for thirty seconds and restarted empty, on a Redis of the
test's own: the messages in it are gone, yet every job finishes through the recovery sweep
that beat sends once Redis is back. Meanwhile the API keeps serving what needs no Redis (rate
limits are let through), and what does need it (a signed-in session) is answered 503 with
Retry-After: problem+json for the API, a translated page for people."""

from __future__ import annotations

import time

import pytest

from media_pipeline.models import JobState
from tests.worker import celery_worker, service_env, wait_for

from .checks import (
    add_movie,
    assert_published_once,
    encoding,
    ffmpeg_left,
    job_row,
    stray_files,
)
from .harness import (
    LEASE_SECONDS,
    api_key_for,
    assert_unavailable,
    session_cookie,
    visit,
    worker_env,
)
from .servers import ThrowawayRedis, celery_beat, pause, web_server

pytestmark = pytest.mark.worker

OUTAGE = 30.0


@pytest.fixture
def own_redis():
    redis = ThrowawayRedis()
    yield redis
    redis.close()


def test_jobs_finish_through_the_sweep_after_the_broker_restarts_empty(
    tenant, owner, movie_file, folders, own_redis
):
    path, duration = movie_file
    first = add_movie(tenant, owner, path, duration=duration)
    second = add_movie(tenant, owner, path, duration=duration)
    key, session = api_key_for(tenant, owner), session_cookie(owner)
    root = folders["root"]
    # The site dates the lease of a stage it queues: same lease as the workers.
    env = {**service_env(redis_url=own_redis.url), "RECAP_LEASE_SECONDS": str(LEASE_SECONDS)}
    sweeps = {**env, "RECAP_RECOVERY_INTERVAL": "2"}
    with (
        web_server(env, root / "web.log") as web,
        celery_worker(
            pool="prefork", concurrency=2, extra_env=worker_env(folders, render_rate=5),
            redis_url=own_redis.url, log=root / "worker.log",
        ) as worker,
        celery_beat(sweeps, root),
    ):  # fmt: skip
        started = visit(web.url, f"/api/v1/movies/{first.pk}/jobs/", tenant=tenant, key=key,
                        method="POST", json={"target": "60"})  # fmt: skip
        assert started.status_code == 201, started.text
        job = started.json()["id"]
        wait_for(lambda: job_row(tenant, job)["state"] == JobState.RENDERING, 60, "the render")
        wait_for(lambda: encoding(root), 30, "the encode")
        time.sleep(2.0)

        own_redis.stop()
        down_at = time.monotonic()
        listed = visit(web.url, "/api/v1/movies/", tenant=tenant, key=key)
        assert listed.status_code == 200, listed.text
        queued = visit(web.url, f"/api/v1/movies/{second.pk}/jobs/", tenant=tenant, key=key,
                       method="POST", json={"target": "60"})  # fmt: skip
        assert queued.status_code == 201, queued.text
        later = queued.json()["id"]
        signed_in = visit(web.url, "/api/v1/movies/", tenant=tenant, session=session)
        assert_unavailable(signed_in, language="en")
        for language in ("en", "ar"):
            page = visit(web.url, "/movies/", tenant=tenant, session=session, language=language)
            assert_unavailable(page, language=language)
        # The render ends during the outage: its hand-over cannot queue the next stage.
        wait_for(lambda: job_row(tenant, job)["state"] == JobState.PUBLISHING, 60, "hand-over")
        assert job_row(tenant, later)["state"] == JobState.PROBING
        pause(OUTAGE - (time.monotonic() - down_at))
        own_redis.start()

        for each in (job, later):
            wait_for(lambda each=each: job_row(tenant, each)["state"] == JobState.DONE, 120,
                     f"job {each} to be done")  # fmt: skip
        assert worker.poll() is None

    web_log = (root / "web.log").read_text()
    assert ":ratelimit:api:" in web_log and "not applied, Redis is unreachable" in web_log
    assert f"job {later} " in web_log and "could not queue probing" in web_log
    for each in (job, later):
        assert_published_once(tenant, each)
    assert stray_files(tenant, folders["media"], folders["work"]) == []
    assert ffmpeg_left(root) == []
