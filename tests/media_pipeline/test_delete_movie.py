"""Deleting a movie from the browser: a page that says what goes and asks first, then the
movie, its recaps and their storage are gone; refused while a recap is being made, and for
viewers, with nothing changed."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from billing import quotas
from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def film(tenant, *, recaps: int = 1, running: bool = False) -> Movie:
    with tenant_context(tenant):
        movie = Movie.objects.create(
            title="Big Buck Bunny", status=MovieStatus.DONE, duration=60.0, size_bytes=10_485_760
        )
        for _n in range(recaps):
            job = RecapJob.objects.create(movie=movie, state=JobState.DONE)
            Recap.objects.create(job=job, movie=movie, language="en", synopsis="…",
                                 duration=6.0, size_bytes=3_670_016)  # fmt: skip
        if running:
            RecapJob.objects.create(movie=movie, state=JobState.RENDERING)
    return movie


def exists(tenant, movie: Movie) -> bool:
    with tenant_context(tenant):
        return Movie.objects.filter(pk=movie.pk).exists()


def test_the_movie_page_links_to_a_confirmation_that_says_what_goes(tenant_a, owner_a, client_for):
    movie = film(tenant_a, recaps=2)
    client = client_for(owner_a, host="alpha.localhost")
    page = client.get(f"/movies/{movie.pk}/").content.decode()
    assert f'href="/movies/{movie.pk}/delete/"' in page
    confirm = client.get(f"/movies/{movie.pk}/delete/").content.decode()
    summary = re.search(r"data-delete-summary>(.*?)</p>", confirm, re.S).group(1)
    assert "its 2 recaps are deleted for good" in summary
    assert re.search(r"17\.0\sMB of storage", summary)
    assert exists(tenant_a, movie)  # asking deletes nothing
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    arabic = client.get(f"/movies/{movie.pk}/delete/").content.decode()
    assert 'dir="rtl"' in arabic and "لا يمكن التراجع عن هذا." in arabic


def test_confirming_deletes_the_movie_and_gives_the_storage_back(tenant_a, owner_a, client_for):
    movie = film(tenant_a)
    before = quotas.usage_of(tenant_a).storage_bytes
    response = client_for(owner_a, host="alpha.localhost").post(
        f"/movies/{movie.pk}/delete/", follow=True
    )
    assert response.redirect_chain[-1][0] == "/movies/"
    assert "“Big Buck Bunny” was deleted." in response.content.decode()
    assert not exists(tenant_a, movie)
    with tenant_context(tenant_a):
        assert not Recap.objects.filter(movie_id=movie.pk).exists()
    assert quotas.usage_of(tenant_a).storage_bytes == before - 10_485_760 - 3_670_016


def test_a_movie_being_recapped_is_not_deleted(tenant_a, owner_a, client_for):
    movie = film(tenant_a, running=True)
    client = client_for(owner_a, host="alpha.localhost")
    assert (
        "Cancel it before deleting the movie."
        in client.get(f"/movies/{movie.pk}/delete/").content.decode()
    )
    response = client.post(f"/movies/{movie.pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == f"/movies/{movie.pk}/"
    assert "Cancel it before deleting the movie." in response.content.decode()
    assert exists(tenant_a, movie)


def test_a_viewer_cannot_delete(tenant_a, client_for):
    viewer = make_member(tenant_a, "viewer-a@example.com", role="viewer")
    movie = film(tenant_a)
    client = client_for(viewer, host="alpha.localhost")
    assert "/delete/" not in client.get(f"/movies/{movie.pk}/").content.decode()
    client.post(f"/movies/{movie.pk}/delete/")
    assert exists(tenant_a, movie)
