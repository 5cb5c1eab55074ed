"""PostgreSQL down for twenty seconds while a recap renders, on a database of the module's own
(stopped and started like a restart; the session's database is never touched).

The render is not thrown away: one take of the render stage, one encode, the job done with
its recap. The heartbeat outlives the outage (it renews again once the database is back, so
the recovery sweep, running all along, never hands the stage to the pool's other process); a
render that ends during the outage waits for the database to hand over. Meanwhile the API
answers 503 problem+json with Retry-After, and pages a translated 503.
"""

from __future__ import annotations

import time

import pytest
from django.db import connections
from django_tenants.utils import tenant_context

from media_pipeline import services
from media_pipeline.models import JobState
from tests.worker import celery_worker, service_env, wait_for

from .checks import (
    JobWatch,
    add_movie,
    assert_published_once,
    encoding,
    ffmpeg_left,
    job_row,
    owner_pid,
    parent_pid,
    stray_files,
)
from .harness import (
    Beat,
    api_key_for,
    assert_unavailable,
    new_tenant,
    session_cookie,
    visit,
    worker_env,
)
from .servers import ThrowawayPostgres, database_at, pause, web_server

pytestmark = pytest.mark.worker

OUTAGE = 20.0


@pytest.fixture(scope="module")
def own_database(tmp_path_factory):
    database = ThrowawayPostgres(tmp_path_factory.mktemp("postgres"))
    try:
        database.migrate()
        yield database
    finally:
        database.close()


@pytest.fixture
def on_own_database(own_database, django_db_blocker, folders):
    """This test's ORM on the module's own database, with an organisation and its owner."""
    from tests import factories

    with django_db_blocker.unblock(), database_at(own_database):
        tenant = new_tenant("outage")
        owner = factories.make_member(tenant, f"owner@{tenant.slug}.example", role="owner")
        yield own_database, tenant, owner
        if not own_database.running:
            own_database.start()
        connections.close_all()  # opened before a restart of the database: gone with it
        tenant.delete(force_drop=True)


@pytest.mark.parametrize(
    ("concurrency", "outlasts"),
    [
        pytest.param(1, True, id="c1-render-outlasts-the-outage"),
        pytest.param(1, False, id="c1-render-ends-during-the-outage"),
        pytest.param(2, True, id="c2-render-outlasts-the-outage"),
    ],
)
def test_a_database_outage_during_the_render_loses_no_work(
    on_own_database, movie_file, folders, concurrency, outlasts
):
    database, tenant, owner = on_own_database
    path, duration = movie_file
    movie = add_movie(tenant, owner, path, duration=duration)
    key, session = api_key_for(tenant, owner), session_cookie(owner)
    # About 32 s of render (longer than the outage), or about 12 s (ends during it).
    env = worker_env(folders, render_rate=2.0 if outlasts else 6.0)
    log = folders["root"] / "worker.log"
    web_env = service_env(database_url=database.url)
    with (
        web_server(web_env, folders["root"] / "web.log") as web,
        celery_worker(
            pool="prefork", concurrency=concurrency, extra_env=env, log=log,
            database_url=database.url,
        ) as worker,
    ):  # fmt: skip
        with tenant_context(tenant):
            job = services.start_recap_job(movie=movie, target="60", language="en",
                                           acting_user=owner)  # fmt: skip
        watch = JobWatch(tenant, job.pk, folders["root"])
        watch.start()
        wait_for(lambda: job_row(tenant, job.pk)["state"] == JobState.RENDERING, 60, "the render")
        wait_for(lambda: encoding(folders["root"]), 30, "the encode")
        time.sleep(2.0)

        with Beat():
            database.stop()
            down_at = time.monotonic()
            assert_unavailable(visit(web.url, "/api/v1/movies/", tenant=tenant, key=key),
                               language="en")  # fmt: skip
            assert_unavailable(visit(web.url, "/movies/", tenant=tenant, session=session,
                                     language="ar"), language="ar")  # fmt: skip
            pause(OUTAGE - (time.monotonic() - down_at))
            database.start()
            connections.close_all()  # this test's own connection went with the restart
            wait_for(lambda: job_row(tenant, job.pk)["state"] == JobState.DONE, 120, "done")
        watch.stop()
        [(holder, _token)] = watch.takes_of(JobState.RENDERING)
        assert parent_pid(owner_pid(holder)) == worker.pid, "the lease is held in the child's name"
        assert worker.poll() is None
        assert visit(web.url, "/api/v1/movies/", tenant=tenant, key=key).status_code == 200

    assert_published_once(tenant, job.pk)
    assert len(watch.encodes) == 1, "the render was done again"
    render_seconds = job_row(tenant, job.pk)["timings"]["rendering"]
    output = log.read_text()
    if outlasts:
        # One render, under way before the outage and finished after it: the heartbeat lived.
        assert render_seconds > OUTAGE
        assert "heartbeat could not reach the database" in output
    else:
        # Finished while the database was away: its hand-over waited instead of failing.
        assert render_seconds < OUTAGE
        assert "database away during the hand-over, retrying" in output
    assert stray_files(tenant, folders["media"], folders["work"]) == []
    assert ffmpeg_left(folders["root"]) == []
