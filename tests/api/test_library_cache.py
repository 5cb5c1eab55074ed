"""A page of the API's movie list is answered from the library cache until a movie of the
organisation changes; every way a movie is written shows on the very next request."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from media_pipeline import library
from media_pipeline.models import Movie, MovieStatus
from tests.api.conftest import add_movie

pytestmark = pytest.mark.django_db

LIST = "/api/v1/movies/"


def titles(api, path: str = LIST) -> list[str]:
    response = api.get(path)
    assert response.status_code == 200, response.content
    return sorted(movie["title"] for movie in response.json()["results"])


def movie_rows_read(api, path: str = LIST) -> int:
    """How many statements of one list request read the movie table."""
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    return sum("media_pipeline_movie" in q["sql"] for q in queries.captured_queries)


@pytest.fixture
def films(tenant_a, owner_a) -> list[Movie]:
    return [
        add_movie(tenant_a, owner_a, title="Arrival", language="en"),
        add_movie(tenant_a, owner_a, title="Metropolis", language="de"),
    ]


def test_a_page_answered_before_reads_no_movie_until_one_changes(alpha, films, tenant_a):
    first = alpha.get(LIST)
    assert movie_rows_read(alpha) == 0
    again = alpha.get(LIST)
    assert again.content == first.content
    assert again["Content-Type"] == "application/json"
    with tenant_context(tenant_a):
        Movie.objects.filter(pk=films[0].pk).update(title="Arrival (2016)")
    assert movie_rows_read(alpha) == 2  # the count and the page, once
    assert titles(alpha) == ["Arrival (2016)", "Metropolis"]


@pytest.mark.parametrize(
    "write, expected",
    [
        ("create", ["Arrival", "Metropolis", "Nosferatu"]),
        ("save", ["Arrival", "Metropolis (restored)"]),
        ("queryset_update", ["Arrival", "Metropolis"]),
        ("queryset_delete", ["Arrival"]),
        ("instance_delete", ["Arrival"]),
        ("bulk_create", ["Arrival", "Metropolis", "Nosferatu", "Sunrise"]),
        ("bulk_update", ["Arrival", "Metropolis (1927)"]),
    ],
)
def test_every_way_of_writing_a_movie_shows_on_the_next_request(
    alpha, films, tenant_a, owner_a, write, expected
):
    assert titles(alpha) == ["Arrival", "Metropolis"]
    statuses = {m["title"]: m["status"] for m in alpha.get(LIST).json()["results"]}
    with tenant_context(tenant_a):
        movie = Movie.objects.get(pk=films[1].pk)
        if write == "create":
            Movie.objects.create(title="Nosferatu", uploader=owner_a, status=MovieStatus.READY)
        elif write == "save":
            movie.title = "Metropolis (restored)"
            movie.save()
        elif write == "queryset_update":
            Movie.objects.filter(pk=movie.pk).update(status=MovieStatus.FAILED)
        elif write == "queryset_delete":
            Movie.objects.filter(pk=movie.pk).delete()
        elif write == "instance_delete":
            movie.delete()
        elif write == "bulk_create":
            Movie.objects.bulk_create([Movie(title="Nosferatu"), Movie(title="Sunrise")])
        else:
            movie.title = "Metropolis (1927)"
            Movie.objects.bulk_update([movie], ["title"])
    assert titles(alpha) == expected
    if write == "queryset_update":
        now = {m["title"]: m["status"] for m in alpha.get(LIST).json()["results"]}
        assert statuses["Metropolis"] == MovieStatus.READY
        assert now["Metropolis"] == MovieStatus.FAILED


def test_a_movie_deleted_through_the_api_leaves_the_list_at_once(alpha, films):
    assert titles(alpha) == ["Arrival", "Metropolis"]
    assert alpha.delete(f"/api/v1/movies/{films[0].pk}/").status_code == 204
    assert titles(alpha) == ["Metropolis"]


def test_each_query_and_each_organisation_has_its_own_page(
    alpha, api, films, tenant_b, owner_b, key_b
):
    assert titles(alpha, f"{LIST}?language=de") == ["Metropolis"]
    assert titles(alpha) == ["Arrival", "Metropolis"]
    assert titles(alpha, f"{LIST}?language=de") == ["Metropolis"]
    add_movie(tenant_b, owner_b, title="Only in B")
    beta = api("bravo", f"Api-Key {key_b}")
    assert titles(beta) == ["Only in B"]
    # The same organisation reached by path rather than by host: its links differ, so its page.
    by_path = api("alpha", alpha.client.defaults["HTTP_AUTHORIZATION"], reach="prefix")
    page = by_path.get(LIST).json()
    assert all("/t/alpha/" in movie["url"] for movie in page["results"])


def test_the_browsable_api_is_never_answered_with_a_cached_json_page(alpha, films):
    alpha.get(LIST)
    html = alpha.get(LIST, HTTP_ACCEPT="text/html")
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")


def test_a_refused_request_is_not_cached(alpha, films):
    assert alpha.get(f"{LIST}?status=lost").status_code == 400
    assert alpha.get(f"{LIST}?status=lost").status_code == 400


def test_a_page_read_before_a_change_is_never_served_after_it(tenant_a):
    """The invariant under the cache: a reader took the version, read the old rows, and stores
    its page after the write; the page lies under a version nobody asks for any more."""
    with tenant_context(tenant_a):
        version, page = library.cached_page("some-page")
        assert version is not None and page is None
        library.changed()
        library.keep_page(version, "some-page", b'{"stale": true}')
        now, page = library.cached_page("some-page")
        assert now != version and page is None


def test_the_version_changes_again_when_the_writing_transaction_commits(
    tenant_a, owner_a, films, django_capture_on_commit_callbacks
):
    with tenant_context(tenant_a):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            Movie.objects.filter(pk=films[0].pk).update(title="Arrival (2016)")
            during, _ = library.cached_page("p")
        after, _ = library.cached_page("p")
    assert during != after


def test_an_unreachable_cache_costs_speed_not_answers(alpha, films, settings, tenant_a):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"}
    }
    assert titles(alpha) == ["Arrival", "Metropolis"]
    with tenant_context(tenant_a):
        Movie.objects.filter(pk=films[0].pk).update(title="Arrival (2016)")
    assert titles(alpha) == ["Arrival (2016)", "Metropolis"]
