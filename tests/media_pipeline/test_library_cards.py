"""The library and the dashboard tell movies apart: poster of the newest recap, exact running
time (m:ss), language name and date; storage in a unit that shows what is used."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from billing import quotas
from billing.models import UsageRecord
from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob

pytestmark = pytest.mark.django_db


def recap_of(movie: Movie, language: str, poster: str, created: datetime) -> Recap:
    job = RecapJob.objects.create(movie=movie, language=language, state=JobState.DONE)
    recap = Recap.objects.create(
        job=job, movie=movie, language=language, poster=poster, synopsis="…", duration=21.0
    )
    Recap.objects.filter(pk=recap.pk).update(created_at=created)
    return recap


@pytest.fixture
def films(tenant_a):
    prefix = f"tenants/{tenant_a.schema_name}/recaps"
    with tenant_context(tenant_a):
        short = Movie.objects.create(title="Short", duration=30.0, language="fr",
                                     status=MovieStatus.DONE)  # fmt: skip
        longer = Movie.objects.create(title="Longer", duration=71.4, language="en",
                                      status=MovieStatus.READY)  # fmt: skip
        recap_of(short, "fr", f"{prefix}/1/old.jpg", datetime(2026, 12, 6, 9, 0, tzinfo=UTC))
        recap_of(short, "en", f"{prefix}/2/new.jpg", datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    return short, longer


def cards(html: str) -> dict[str, str]:
    found = re.findall(r"<li class=\"card movie-card\" data-movie>(.*?)</li>", html, re.S)
    return {re.search(r"<bdi>(.*?)</bdi>", card).group(1): card for card in found}


def test_library_cards_show_poster_exact_length_language_and_date(films, owner_a, client_for):
    client = client_for(owner_a, host="alpha.localhost")
    by_title = cards(client.get("/movies/").content.decode())
    assert re.search(r"data-duration>0:30<", by_title["Short"])
    assert re.search(r"data-duration>1:11<", by_title["Longer"])
    assert re.search(r"data-language>French<", by_title["Short"])
    assert re.search(r"data-language>English<", by_title["Longer"])
    assert re.search(r"data-date>[A-Z][a-z]{2}\.? \d{1,2}, \d{4}<", by_title["Longer"])
    # The newest recap's poster, through the protected file URL; a movie without one a frame.
    assert 'src="/media/recaps/2/new.jpg"' in by_title["Short"]
    assert "poster-empty" in by_title["Longer"] and "<img" not in by_title["Longer"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    by_title = cards(client.get("/movies/").content.decode())
    assert re.search(r"data-language>الفرنسية<", by_title["Short"])
    assert re.search(r"data-duration>0:30<", by_title["Short"])


def test_the_dashboard_tells_recaps_apart_and_shows_storage_in_megabytes(
    films, tenant_a, owner_a, client_for
):
    quotas.record_usage(
        tenant=tenant_a, kind=UsageRecord.Kind.STORAGE_BYTES, quantity=14_155_776, reference="t"
    )
    html = client_for(owner_a, host="alpha.localhost").get("/").content.decode()
    assert re.search(r"data-storage>13\.5\sMB of 10 GB<", html), html
    recaps = re.findall(r"<li data-recap>(.*?)</li>", html, re.S)
    assert len(recaps) == 2
    assert "English" in recaps[0] and "Dec. 7, 2026" in recaps[0]
    assert "French" in recaps[1] and "Dec. 6, 2026" in recaps[1]
    assert "0:21" in recaps[0]
