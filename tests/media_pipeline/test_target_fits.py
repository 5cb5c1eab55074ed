"""A fixed recap length must be shorter than the movie: the service refuses the others for the
page, the API and retries alike, and the movie page does not offer them."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import translation
from django_tenants.utils import tenant_context

from media_pipeline import services
from media_pipeline.models import JobState, Movie, MovieStatus, RecapJob
from tests.factories import use_local_storage

pytestmark = pytest.mark.django_db

REFUSAL = (
    "A recap of 1 minute cannot be made of a movie that lasts 0:30: "
    "choose a shorter length or Automatic."
)


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    use_local_storage(settings, tmp_path / "storage")


def ready_movie(duration: float | None) -> Movie:
    movie = Movie(title="Short", status=MovieStatus.READY, duration=duration, size_bytes=16)
    movie.file.save("short.mp4", ContentFile(b"\0" * 16), save=True)
    return movie


def start(movie: Movie, target: str, user) -> RecapJob:
    return services.start_recap_job(movie=movie, target=target, language="en", acting_user=user)


@pytest.mark.parametrize(("duration", "target"), [(30.0, "60"), (30.0, "600"), (60.0, "60")])
def test_a_fixed_length_as_long_as_the_movie_or_longer_is_refused(
    tenant_a, owner_a, duration, target
):
    with tenant_context(tenant_a), translation.override("en"):
        movie = ready_movie(duration)
        with pytest.raises(ValidationError) as refused:
            start(movie, target, owner_a)
        assert refused.value.code == "target_too_long"
        assert "cannot be made of a movie that lasts" in refused.value.messages[0]
        assert not RecapJob.objects.exists()
        assert Movie.objects.get(pk=movie.pk).status == MovieStatus.READY


def test_the_refusal_names_the_length_and_the_running_time(tenant_a, owner_a):
    with tenant_context(tenant_a):
        movie = ready_movie(30.0)
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            start(movie, "60", owner_a)
        assert refused.value.messages == [REFUSAL]
        with translation.override("fr"), pytest.raises(ValidationError) as refused:
            start(movie, "180", owner_a)
        # In the reader's language, with the same running time.
        assert "0:30" in refused.value.messages[0]
        assert "cannot be made" not in refused.value.messages[0]


@pytest.mark.parametrize(
    ("duration", "target"), [(61.0, "60"), (30.0, "auto"), (None, "600"), (0.0, "600")]
)
def test_a_shorter_length_automatic_or_an_unknown_running_time_is_accepted(
    tenant_a, owner_a, duration, target
):
    with tenant_context(tenant_a):
        job = start(ready_movie(duration), target, owner_a)
        assert job.state == JobState.PROBING and job.target == target


def test_a_retry_is_refused_when_the_movie_turned_out_shorter(tenant_a, owner_a):
    # Started while the running time was unknown; the probe then found 30 s.
    with tenant_context(tenant_a):
        movie = ready_movie(None)
        failed = RecapJob.objects.create(
            movie=movie, target="180", state=JobState.FAILED, failure_code="stalled"
        )
        Movie.objects.filter(pk=movie.pk).update(duration=30.0)
        failed.refresh_from_db()
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            services.retry_job(job=failed, acting_user=owner_a)
        assert refused.value.code == "target_too_long"
        assert "A recap of 3 minutes" in refused.value.messages[0]
        assert list(RecapJob.objects.values_list("pk", flat=True)) == [failed.pk]


def test_the_page_shows_the_refusal_and_starts_nothing(tenant_a, owner_a, client_for):
    with tenant_context(tenant_a):
        movie = ready_movie(30.0)
    page = client_for(owner_a, host="alpha.localhost").post(
        f"/movies/{movie.pk}/recap/", {"target": "60"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
    assert REFUSAL in page.content.decode()
    with tenant_context(tenant_a):
        assert not RecapJob.objects.exists()


def _offered(html: str) -> list[str]:
    select = re.search(r'<select id="target".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]+)"', select)


def test_the_movie_page_offers_only_the_lengths_shorter_than_the_movie(
    tenant_a, owner_a, client_for
):
    with tenant_context(tenant_a):
        short, unknown = ready_movie(200.0), ready_movie(None)
    client = client_for(owner_a, host="alpha.localhost")
    html = client.get(f"/movies/{short.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _offered(html) == ["auto", "60", "180"]
    assert 'aria-describedby="target-help"' in html
    assert "The movie lasts 3:20: longer recap lengths are not offered." in html

    html = client.get(f"/movies/{unknown.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _offered(html) == ["auto", "60", "180", "300", "600"]
    assert "target-help" not in html
