"""The library: search, status and language filters, sort orders and pagination work together."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from media_pipeline.models import Movie, MovieStatus

pytestmark = pytest.mark.django_db


def add_movies(tenant, *rows: tuple[str, str, str, float | None]) -> None:
    """Movies (title, language, status, duration), the first one uploaded first."""
    start = timezone.now() - timedelta(days=len(rows))
    with tenant_context(tenant):
        for index, (title, language, status, duration) in enumerate(rows):
            movie = Movie.objects.create(
                title=title, language=language, status=status, duration=duration
            )
            Movie.objects.filter(pk=movie.pk).update(created_at=start + timedelta(days=index))


def titles(response) -> list[str]:
    return [movie.title for movie in response.context["page"].object_list]


@pytest.fixture
def library(tenant_a, owner_a, client_for):
    add_movies(
        tenant_a,
        ("Le Voyage", "fr", MovieStatus.DONE, 5400.0),
        ("Metropolis", "de", MovieStatus.READY, 9000.0),
        ("amélie", "fr", MovieStatus.FAILED, None),
        ("Les Misérables", "fr", MovieStatus.DONE, 7200.0),
        ("Zodiac", "en", MovieStatus.DONE, 9420.0),
    )
    return client_for(owner_a, host="alpha.localhost")


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Zodiac", "Les Misérables", "amélie", "Metropolis", "Le Voyage"]),
        ("oldest", ["Le Voyage", "Metropolis", "amélie", "Les Misérables", "Zodiac"]),
        ("title", ["amélie", "Le Voyage", "Les Misérables", "Metropolis", "Zodiac"]),
        ("longest", ["Zodiac", "Metropolis", "Les Misérables", "Le Voyage", "amélie"]),
    ],
)
def test_each_sort_order(library, sort, expected):
    assert titles(library.get("/movies/", {"sort": sort})) == expected


def test_newest_first_by_default_and_for_an_unknown_sort(library):
    expected = ["Zodiac", "Les Misérables", "amélie", "Metropolis", "Le Voyage"]
    assert titles(library.get("/movies/")) == expected
    assert titles(library.get("/movies/", {"sort": "cheapest"})) == expected


def test_search_status_language_and_sort_combine(library):
    response = library.get(
        "/movies/", {"q": "le", "status": "done", "language": "fr", "sort": "longest"}
    )
    assert titles(response) == ["Les Misérables", "Le Voyage"]


def test_the_language_filter_offers_only_languages_in_the_library(library):
    response = library.get("/movies/", {"language": "de"})
    assert titles(response) == ["Metropolis"]
    assert [code for code, _name in response.context["movie_languages"]] == [
        "en",
        "fr",
        "de",
    ]  # by name
    assert '<option value="de" selected>' in response.content.decode()


def test_an_unknown_language_or_status_shows_everything(library):
    response = library.get("/movies/", {"language": "xx", "status": "lost"})
    assert len(titles(response)) == 5
    assert response.context["language"] == ""
    assert response.context["status"] == ""


def test_no_match_says_so_and_offers_to_clear_the_filters(library):
    body = library.get("/movies/", {"q": "nothing like this"}).content.decode()
    assert "No movies match these filters." in body
    assert "Clear filters" in body


def test_pagination_links_keep_search_filters_and_sort(tenant_a, owner_a, client_for):
    add_movies(
        tenant_a,
        *[(f"Film {n:02d}", "fr", MovieStatus.READY, 60.0 * n) for n in range(1, 26)],
        ("Other", "en", MovieStatus.READY, 10.0),
    )
    client = client_for(owner_a, host="alpha.localhost")
    query = {"q": "film", "status": "ready", "language": "fr", "sort": "title"}
    first = client.get("/movies/", query)
    assert titles(first)[:2] == ["Film 01", "Film 02"]
    assert len(titles(first)) == 20
    body = first.content.decode()
    link = re.search(r'<a href="\?([^"]+)" rel="next">', body).group(1).replace("&amp;", "&")
    assert sorted(link.split("&")) == sorted(
        ["q=film", "status=ready", "language=fr", "sort=title", "page=2"]
    )
    second = client.get(f"/movies/?{link}")
    assert titles(second) == ["Film 21", "Film 22", "Film 23", "Film 24", "Film 25"]
    previous = re.search(r'<a href="\?([^"]+)" rel="prev">', second.content.decode()).group(1)
    assert "language=fr" in previous and "page=1" in previous


def test_the_library_in_arabic_is_right_to_left_with_labelled_filters(library, owner_a):
    owner_a.language = "ar"
    owner_a.save()
    body = library.get("/movies/").content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    for field in ("q", "status", "language", "sort"):
        assert f'<label for="{field}">' in body
