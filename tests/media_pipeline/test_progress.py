"""One status for a recap job, read by the movie page and its polling alike: "Queued" with a
position until a worker takes the job, an estimate from measured stage speeds while it runs,
the movie's badge with it, and never two ways to start a recap at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from media_pipeline import progress
from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob

pytestmark = pytest.mark.django_db


def movie(title: str = "Sintel", duration: float = 600.0, status=MovieStatus.PROCESSING) -> Movie:
    return Movie.objects.create(title=title, duration=duration, status=status, file="m.mp4")


def waiting_job(film: Movie) -> RecapJob:
    """A job as transitions.start leaves it: in its first stage, no worker has taken it."""
    return RecapJob.objects.create(movie=film, state=JobState.PROBING)


def take(job: RecapJob, *, state=JobState.PROBING, percent=0, ago: float = 0.0) -> None:
    RecapJob.objects.filter(pk=job.pk).update(
        state=state, lease_owner="worker:1", lease_token="t", percent=percent,
        started_at=timezone.now() - timedelta(seconds=ago),
    )  # fmt: skip
    job.refresh_from_db()


def status(client, job: RecapJob) -> dict:
    response = client.get(f"/jobs/{job.pk}/")
    assert response.status_code == 200
    return response.json()


def test_a_waiting_job_is_queued_with_its_position(tenant_a, owner_a, client_for):
    client = client_for(owner_a, host="alpha.localhost")
    with tenant_context(tenant_a):
        first, second = waiting_job(movie("One")), waiting_job(movie("Two"))
    answer = status(client, second)
    assert answer["state_label"] == "Queued" and answer["queue_position"] == 2
    assert answer["detail"] == "Number 2 in the queue"
    with tenant_context(tenant_a):
        take(first)
    assert status(client, first)["state_label"] == "Checking the file"
    assert status(client, first)["queue_position"] is None
    assert status(client, second)["queue_position"] == 1
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    answer = status(client, second)
    assert (answer["state_label"], answer["detail"]) == (
        "في قائمة الانتظار",
        "رقم 1 في قائمة الانتظار",
    )


def finished(film: Movie, timings: dict[str, float]) -> RecapJob:
    return RecapJob.objects.create(
        movie=film, state=JobState.DONE, percent=100, timings=timings,
        finished_at=timezone.now(),
    )  # fmt: skip


def test_the_estimate_comes_from_measured_stage_speeds(tenant_a, owner_a, client_for):
    # Two earlier 100 s movies took, per second of movie, probing 0.01, analyzing 0.5,
    # selecting 0.02, rendering 0.3, publishing 0.05 (median of 0.2 and 0.4 for rendering).
    base = {"probing": 1, "analyzing": 50, "selecting": 2, "publishing": 5}
    with tenant_context(tenant_a):
        finished(movie("A", 100.0, MovieStatus.DONE), {**base, "rendering": 20})
        finished(movie("B", 100.0, MovieStatus.DONE), {**base, "rendering": 40})
        job = waiting_job(movie("Long", 600.0))
        # Rendering, halfway through its band (65–95 %), for 30 s so far.
        take(job, state=JobState.RENDERING, percent=80, ago=30)
        speeds = progress.stage_speeds()
        assert speeds["rendering"] == pytest.approx(0.3)
        # Rendering: 180 s expected, half done -> 90 s; publishing 30 s.
        assert progress.seconds_left(job, 600.0, speeds) == pytest.approx(120.0)
    answer = status(client_for(owner_a, host="alpha.localhost"), job)
    assert answer["detail"] == "About 2 minutes left"
    assert answer["state_label"] == "Rendering the recap"


def test_no_estimate_without_a_measure(tenant_a, owner_a, client_for):
    with tenant_context(tenant_a):
        job = waiting_job(movie())
        take(job, state=JobState.ANALYZING, percent=30, ago=5)
    assert status(client_for(owner_a, host="alpha.localhost"), job)["detail"] == ""


def test_the_badge_follows_the_job_to_done(tenant_a, owner_a, client_for):
    client = client_for(owner_a, host="alpha.localhost")
    with tenant_context(tenant_a):
        film = movie()
        job = waiting_job(film)
    assert status(client, job)["movie_status_label"] == "Processing"
    with tenant_context(tenant_a):
        RecapJob.objects.filter(pk=job.pk).update(state=JobState.DONE, percent=100)
        Movie.objects.filter(pk=film.pk).update(status=MovieStatus.DONE)
        recap = Recap.objects.create(
            job=job, movie=film, language="en", synopsis="…", chapters=[], duration=60.0
        )
    answer = status(client, job)
    assert answer["movie_status"] == "done" and answer["movie_status_label"] == "Recap ready"
    assert answer["recap_url"] == f"/recaps/{recap.pk}/" and answer["active"] is False


def visible(html: str, marker: str) -> bool:
    tag = re.search(rf"<[^>]*{marker}[^>]*>", html).group(0)
    return " hidden" not in tag


def test_after_a_cancel_the_recap_stays_and_one_way_to_start_again(tenant_a, owner_a, client_for):
    client = client_for(owner_a, host="alpha.localhost")
    with tenant_context(tenant_a):
        film = movie(status=MovieStatus.DONE)
        done = finished(film, {})
        Recap.objects.create(job=done, movie=film, language="en", synopsis="…", duration=60.0)
        job = RecapJob.objects.create(movie=film, state=JobState.RENDERING, target="180")
        take(job, state=JobState.RENDERING, percent=70)
    response = client.post(f"/jobs/{job.pk}/cancel/", follow=True)
    html = response.content.decode()
    assert "The recap was canceled." in html
    # The movie still has its recap: the badge says so, not "Ready".
    assert re.search(r"data-movie-status>Recap ready<", html)
    assert status(client, job)["movie_status_label"] == "Recap ready"
    # One form to start again, offered as "Try again" with the canceled job's options.
    assert visible(html, "data-start-recap") and visible(html, "data-start-again")
    assert not visible(html, "data-start-new")
    assert not visible(html, "data-job-cancel")
    assert "data-job-retry" not in html
    assert '<option value="180" selected>' in html


def test_starting_a_recap_leaves_no_message_the_card_could_contradict(
    tenant_a, owner_a, client_for
):
    with tenant_context(tenant_a):
        film = movie(duration=30.0, status=MovieStatus.READY)
    client = client_for(owner_a, host="alpha.localhost")
    response = client.post(f"/movies/{film.pk}/recap/", {"target": "auto"}, follow=True)
    html = response.content.decode()
    assert "on its way" not in html
    assert re.search(r"data-job-state>Queued<", html)
    assert not visible(html, "data-start-recap")
