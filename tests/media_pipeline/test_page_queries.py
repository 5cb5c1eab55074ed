"""The organisation's pages ask the database a fixed number of questions, the same for a library
of one movie or thirty (with their jobs and recaps); the dashboard at most eight."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Membership, Role, User
from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob, SubtitleTrack

pytestmark = pytest.mark.django_db

DASHBOARD_BUDGET = 8
# Every other page of the organisation's site stays within the dashboard's budget too.
PAGE_BUDGET = 8


def fill(tenant, owner, count: int) -> dict[str, int]:
    """`count` movies, each with a finished job and its recap, a running job on each, subtitle
    tracks on the first; and `count` people in the team."""
    with tenant_context(tenant):
        movies = Movie.objects.bulk_create(
            Movie(title=f"Film {n}", status=MovieStatus.DONE, duration=600.0, uploader=owner)
            for n in range(count)
        )
        done = RecapJob.objects.bulk_create(
            RecapJob(movie=movie, state=JobState.DONE, percent=100) for movie in movies
        )
        recaps = Recap.objects.bulk_create(
            Recap(job=job, movie=job.movie, language="en", synopsis="…", duration=60.0)
            for job in done
        )
        RecapJob.objects.bulk_create(
            RecapJob(movie=movie, state=JobState.RENDERING, percent=40) for movie in movies
        )
        SubtitleTrack.objects.bulk_create(
            SubtitleTrack(movie=movies[0], language=code, file=f"subs/{code}.vtt")
            for code in ("en", "fr", "de")
        )
    people = User.objects.bulk_create(
        User(email=f"person{n}@{tenant.slug}.example", password="!") for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(user=person, tenant=tenant, role=Role.VIEWER) for person in people
    )
    return {"movie": movies[0].pk, "recap": recaps[0].pk, "job": done[0].pk}


def statements(client, path: str, at_most) -> int:
    """The statements of one page once the caches are warm (tenant, membership, session);
    `at_most` is pytest-django's django_assert_max_num_queries with the budget."""
    client.get(path)
    with at_most as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries.captured_queries)


PAGES = ["/", "/movies/", "/movies/?status=done&sort=title&q=Film", "/movies/{movie}/",
         "/recaps/{recap}/", "/jobs/{job}/"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_a_page_costs_the_same_for_one_movie_or_thirty(
    path, tenant_a, tenant_b, owner_a, owner_b, client_for, django_assert_max_num_queries
):
    counts = []
    for tenant, owner, size in ((tenant_a, owner_a, 1), (tenant_b, owner_b, 30)):
        ids = fill(tenant, owner, size)
        client = client_for(owner, host=f"{tenant.slug}.localhost")
        at_most = django_assert_max_num_queries(PAGE_BUDGET)
        counts.append(statements(client, path.format(**ids), at_most))
    assert counts[0] == counts[1], counts


def test_the_dashboard_stays_within_eight_statements(
    tenant_a, owner_a, client_for, django_assert_max_num_queries
):
    fill(tenant_a, owner_a, 30)
    client = client_for(owner_a, host="alpha.localhost")
    assert statements(client, "/", django_assert_max_num_queries(DASHBOARD_BUDGET))
    body = client.get("/").content.decode()
    assert "Film 29" in body  # the recent recaps are there, with their movie's title
