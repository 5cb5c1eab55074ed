"""Ten recaps started at once through a real server (gunicorn, 2 processes × 4 threads), five in
each of two organisations whose processing hours leave room for two more one-minute movies:
exactly two start in each, the others are refused with the quota's problem, and what runs never
takes an organisation past its plan (running jobs hold their movie's seconds from the start)."""

from __future__ import annotations

import threading

import pytest
from django_tenants.utils import tenant_context

from billing import quotas
from billing.models import UsageRecord
from media_pipeline.models import ACTIVE_STATES, RecapJob
from tests.worker import service_env

from .checks import add_movie
from .harness import api_key_for, new_tenant, visit
from .servers import ThrowawayRedis, web_server

pytestmark = pytest.mark.worker

STARTS_PER_ORGANISATION = 5
ROOM_FOR = 2  # one-minute movies that still fit in each organisation's month


@pytest.fixture
def second_tenant(tenant):
    other = new_tenant("race")
    yield other
    other.delete(force_drop=True)


@pytest.fixture
def own_redis():
    """The site's broker: the jobs it starts are queued where no worker of the session looks."""
    redis = ThrowawayRedis()
    yield redis
    redis.close()


def at_the_edge(tenant, movie_file) -> tuple[str, list[int]]:
    """An owner's API key and five movies, with the month used up to room for two of them."""
    from tests import factories

    owner = factories.make_member(tenant, f"owner@{tenant.slug}.example", role="owner")
    path, duration = movie_file
    movies = [add_movie(tenant, owner, path, duration=duration).pk
              for _ in range(STARTS_PER_ORGANISATION)]  # fmt: skip
    limit = quotas.plan_of(tenant).processing_hours_per_month * 3600
    quotas.record_usage(tenant=tenant, kind=UsageRecord.Kind.PROCESSING_SECONDS,
                        quantity=limit - (ROOM_FOR + 0.5) * duration)  # fmt: skip
    return api_key_for(tenant, owner), movies


def test_parallel_starts_at_the_quota_edge_never_pass_the_plan(
    tenant, second_tenant, movie_file, folders, own_redis
):
    organisations = [(tenant, *at_the_edge(tenant, movie_file)),
                     (second_tenant, *at_the_edge(second_tenant, movie_file))]  # fmt: skip
    answers: list[tuple[object, int, dict]] = []
    ready = threading.Barrier(len(organisations) * STARTS_PER_ORGANISATION)

    def start(web_url: str, org, key: str, movie: int) -> None:
        ready.wait()
        response = visit(web_url, f"/api/v1/movies/{movie}/jobs/", tenant=org, key=key,
                         method="POST", json={"target": "auto"})  # fmt: skip
        answers.append((org, response.status_code, response.json()))

    with web_server(service_env(redis_url=own_redis.url), folders["root"] / "web.log") as web:
        threads = [
            threading.Thread(target=start, args=(web.url, org, key, movie))
            for org, key, movies in organisations
            for movie in movies
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert len(answers) == 10
    for org, _key, _movies in organisations:
        mine = [(status, body) for who, status, body in answers if who is org]
        started = [body for status, body in mine if status == 201]
        refused = [body for status, body in mine if status != 201]
        assert len(started) == ROOM_FOR, mine
        assert {body["type"] for body in refused} == {"urn:movie-recap:problem:quota"}, refused
        with tenant_context(org):
            running = RecapJob.objects.filter(state__in=ACTIVE_STATES)
            assert sorted(running.values_list("pk", flat=True)) == sorted(
                body["id"] for body in started
            )
            reserved = sum(job.movie.duration for job in running.select_related("movie"))
        used = quotas.usage_of(org).processing_seconds_this_month
        assert used + reserved <= quotas.plan_of(org).processing_hours_per_month * 3600
