"""Every list of the API asks the database a fixed number of questions, whatever the number of
items (no N+1), and an authenticated list with a warm cache stays within four statements:
the search path, the count and the page. A page of the movie list answered before asks none
until a movie changes (media_pipeline.library)."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from api.models import ApiKey
from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob, SubtitleTrack
from tests import factories
from tests.api.conftest import Api, make_key
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

# The budget of an authenticated API list with a warm cache (docs/decisions/0019).
LIST_BUDGET = 4


def fill_library(tenant, owner, count: int) -> dict[str, int]:
    """`count` of every listed thing, made in bulk; the ids the nested lists need."""
    with tenant_context(tenant):
        movies = Movie.objects.bulk_create(
            Movie(title=f"Film {n}", status=MovieStatus.DONE, duration=60.0 + n, uploader=owner)
            for n in range(count)
        )
        first = movies[0]
        jobs = RecapJob.objects.bulk_create(
            RecapJob(movie=first, state=JobState.DONE, percent=100) for _ in range(count)
        )
        Recap.objects.bulk_create(
            Recap(job=job, movie=first, language="en", synopsis="…", duration=10.0) for job in jobs
        )
        SubtitleTrack.objects.bulk_create(
            SubtitleTrack(movie=first, language=code, file=f"subs/{code}.vtt")
            for code in ("en", "fr", "de", "es", "it", "ja")[: min(count, 6)]
        )
        endpoints = WebhookEndpoint.objects.bulk_create(
            WebhookEndpoint(url=f"https://hooks.example/{n}", events=["job.done"])
            for n in range(count)
        )
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(endpoint=endpoints[0], event="job.done", payload={"n": n})
            for n in range(count)
        )
        ApiKey.objects.bulk_create(
            ApiKey(name=f"Key {n}", prefix=f"list{n}", hashed_key="0" * 64, scope="read",
                   created_by=owner)
            for n in range(count)
        )  # fmt: skip
    return {"movie": first.pk, "endpoint": endpoints[0].pk}


def statements(client, path: str, at_most, *, between=None) -> int:
    """The statements of one request once the caches are warm (tenant, caller, key); `at_most`
    is pytest-django's django_assert_max_num_queries with the budget, failing past it.
    `between` runs after the warm-up (to change the library, say)."""
    client.get(path)
    if between is not None:
        between()
    with at_most as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.content)
    return len(queries.captured_queries)


def people_token(tenant_slug: str, user) -> str:
    answer = Api(tenant_slug).post(
        "/api/v1/auth/token/", {"email": user.email, "password": factories.PASSWORD}
    )
    return answer.json()["access"]


MOVIE_LISTS: dict[str, int] = {
    # path: statements once the library changed since the page was last answered
    "/api/v1/movies/": 3,
    "/api/v1/movies/?cursor=": 2,
    "/api/v1/movies/?status=done&language=en&search=Film&ordering=-duration": 3,
    "/api/v1/movies/?cursor=&ordering=title&limit=5": 2,
}

LISTS: dict[str, tuple[str, int]] = {
    # path: (credential, statements with a warm cache)
    **dict.fromkeys(MOVIE_LISTS, ("api_key", 0)),
    "/api/v1/movies/{movie}/jobs/": ("api_key", 4),
    "/api/v1/movies/{movie}/subtitle-tracks/": ("api_key", 4),
    "/api/v1/jobs/": ("api_key", 3),
    "/api/v1/jobs/?state=done&movie={movie}": ("api_key", 3),
    "/api/v1/recaps/": ("api_key", 3),
    "/api/v1/recaps/?movie={movie}&language=en": ("api_key", 3),
    "/api/v1/api-keys/": ("jwt", 3),
    "/api/v1/webhook-endpoints/": ("api_key", 3),
    "/api/v1/webhook-endpoints/{endpoint}/deliveries/": ("api_key", 4),
}


@pytest.mark.parametrize("path", list(LISTS))
def test_a_list_costs_the_same_few_statements_for_one_item_or_thirty(
    path, tenant_a, tenant_b, owner_a, owner_b, django_assert_max_num_queries
):
    credential, expected = LISTS[path]
    counts = []
    for tenant, owner, size in ((tenant_a, owner_a, 1), (tenant_b, owner_b, 30)):
        ids = fill_library(tenant, owner, size)
        if credential == "api_key":
            auth = f"Api-Key {make_key(tenant, owner)}"
        else:
            auth = f"Bearer {people_token(tenant.slug, owner)}"
        client = Api(tenant.slug, auth).client
        at_most = django_assert_max_num_queries(LIST_BUDGET)
        counts.append(statements(client, path.format(**ids), at_most))
    assert counts == [expected, expected]


@pytest.mark.parametrize("path", list(MOVIE_LISTS))
def test_a_movie_list_after_a_change_asks_the_same_few_statements_for_one_movie_or_thirty(
    path, tenant_a, tenant_b, owner_a, owner_b, django_assert_max_num_queries
):
    counts = []
    for tenant, owner, size in ((tenant_a, owner_a, 1), (tenant_b, owner_b, 30)):
        fill_library(tenant, owner, size)
        client = Api(tenant.slug, f"Api-Key {make_key(tenant, owner)}").client

        def rename_one(tenant=tenant) -> None:
            with tenant_context(tenant):
                movie = Movie.objects.order_by("pk").first()
                movie.title = f"{movie.title} (director's cut)"
                movie.save(update_fields=["title"])

        at_most = django_assert_max_num_queries(LIST_BUDGET)
        counts.append(statements(client, path, at_most, between=rename_one))
    assert counts == [MOVIE_LISTS[path]] * 2


def test_a_session_list_adds_only_the_person_of_the_session(
    tenant_a, owner_a, client_for, django_assert_max_num_queries
):
    fill_library(tenant_a, owner_a, 30)
    # The session's user row is read by Django's authentication; the membership comes cached.
    client = client_for(owner_a, host="alpha.localhost")
    at_most = django_assert_max_num_queries(LIST_BUDGET)
    assert statements(client, "/api/v1/jobs/", at_most) == 4


def test_cursor_pages_walk_a_library_once_without_counting(tenant_a, owner_a, key_a):
    fill_library(tenant_a, owner_a, 45)
    api = Api("alpha", f"Api-Key {key_a}")
    seen, url = [], "/api/v1/movies/?cursor=&limit=20&ordering=-duration"
    while url:
        page = api.get(url).json()
        assert "count" not in page
        seen += [movie["title"] for movie in page["results"]]
        url = page["next"] and api.url(page["next"])
    assert seen == [f"Film {n}" for n in reversed(range(45))]
    offset = api.get("/api/v1/movies/?limit=20&offset=20&ordering=-duration").json()
    assert offset["count"] == 45 and offset["results"][0]["title"] == "Film 24"


def test_a_tampered_cursor_is_a_problem_not_a_crash(tenant_a, key_a):
    answer = Api("alpha", f"Api-Key {key_a}").get("/api/v1/movies/?cursor=not-a-cursor")
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"


def test_the_platform_list_does_not_grow_with_organisations(
    tenant_a, tenant_b, client_for, django_assert_max_num_queries
):
    # Staff outside an organisation are not cached (docs/decisions/0019): two more reads.
    client = client_for(factories.make_user("ops@example.com", is_staff=True), host="localhost")
    before = statements(client, "/api/platform/tenants", django_assert_max_num_queries(7))
    for n in range(3):
        factories.make_tenant(f"listed-{n}")
    after = statements(client, "/api/platform/tenants", django_assert_max_num_queries(7))
    assert after == before
