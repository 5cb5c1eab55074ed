"""Text of the library and movie pages in the reader's language: the header's language switcher,
the sort options, language names instead of codes, unambiguous dates (the landing page and the
signup form: tests/tenants/test_landing.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob

pytestmark = pytest.mark.django_db

SWITCHER = re.compile(r'<select id="language-select".*?</select>', re.S)


def switcher_codes(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]+)"', SWITCHER.search(html).group(0))


def test_the_library_keeps_the_header_language_switcher_whole(tenant_a, owner_a, client_for):
    with tenant_context(tenant_a):
        Movie.objects.create(title="Metropolis", language="de", status=MovieStatus.READY)
    html = client_for(owner_a, host="alpha.localhost").get("/movies/").content.decode()
    assert switcher_codes(html) == list(settings.LANGUAGE_CODES)
    # The page's own language filter still offers only the languages of its movies.
    language_filter = re.search(r'<select id="language".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', language_filter) == ["", "de"]


def test_the_sort_options_are_translated(tenant_a, owner_a, client_for):
    client = client_for(owner_a, host="alpha.localhost")
    for language, newest, title in (
        ("fr", "Les plus récents d’abord", "Titre de A à Z"),
        ("ar", "الأحدث أولًا", "العنوان أ–ي"),
    ):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get("/movies/").content.decode()
        assert newest in html and title in html
        assert "Newest first" not in html


def make_recap(movie: Movie, language: str, created: datetime) -> Recap:
    job = RecapJob.objects.create(movie=movie, language=language, state=JobState.DONE, percent=100)
    recap = Recap.objects.create(
        job=job, movie=movie, language=language, video="v.mp4", poster="p.jpg", sprite="s.jpg",
        thumbnails_vtt="t.vtt", synopsis="…", chapters=[], duration=12.0,
    )  # fmt: skip
    Recap.objects.filter(pk=recap.pk).update(created_at=created)
    return recap


def test_recaps_are_listed_with_a_language_name_and_an_unambiguous_date(
    tenant_a, owner_a, client_for
):
    with tenant_context(tenant_a):
        movie = Movie.objects.create(title="Le Voyage", language="fr", status=MovieStatus.DONE)
        make_recap(movie, "fr", datetime(2026, 12, 7, 14, 5, tzinfo=UTC))
    client = client_for(owner_a, host="alpha.localhost")
    for language, expected in (("en", "Dec. 7, 2026, 2:05 p.m. (French)"), ("ar", "(الفرنسية)")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get(f"/movies/{movie.pk}/").content.decode()
        assert expected in html
        assert "(fr)" not in html and "12/07/2026" not in html
