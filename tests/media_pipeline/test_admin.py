"""Jobs in the consoles: read-only records in an organisation's console, and the platform's
list of jobs across organisations with its filters and safe actions (retry, cancel)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from media_pipeline.models import JobState, Movie, MovieStatus, RecapJob
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    user = make_user("ops-jobs@example.com", is_staff=True)
    user.is_superuser = True
    user.save()
    return user


def movie(title: str) -> Movie:
    return Movie.objects.create(
        title=title, file=f"movies/{title}.mp4", status=MovieStatus.READY, duration=60,
        size_bytes=10**6,
    )  # fmt: skip


def job(title: str, state: str, **fields) -> RecapJob:
    return RecapJob.objects.create(movie=movie(title), state=state, **fields)


@pytest.fixture
def jobs(tenant_a, tenant_b):
    """In Alpha: a truncated file (not retryable), a lost worker (retryable), one rendering,
    one stuck in analysis; in Bravo: a failed job."""
    with tenant_context(tenant_a):
        truncated = job("Truncated", JobState.FAILED, failure_code="truncated",
                        failure_reason="The file ends before its last frame.")  # fmt: skip
        lost = job("Lost", JobState.FAILED, failure_code="attempts_exhausted")
        rendering = job("Rendering", JobState.RENDERING, percent=70,
                        lease_expires_at=timezone.now() + timedelta(minutes=5))  # fmt: skip
        stuck = job("Stuck", JobState.ANALYZING,
                    lease_expires_at=timezone.now() - timedelta(minutes=5))  # fmt: skip
    with tenant_context(tenant_b):
        bravo = job("Bravo film", JobState.FAILED, failure_code="storage_full")
    return {"truncated": truncated, "lost": lost, "rendering": rendering, "stuck": stuck,
            "bravo": bravo}  # fmt: skip


def titles(response) -> set[str]:
    body = response.content.decode()
    return {name for name in ("Truncated", "Lost", "Rendering", "Stuck", "Bravo film")
            if f"<bdi>{name}</bdi>" in body}  # fmt: skip


def test_job_records_are_read_only_in_the_organisation_console(
    client_for, tenant_a, operator, jobs
):
    console = client_for(operator, host="alpha.localhost")
    page = console.get(f"/admin/media_pipeline/recapjob/{jobs['lost'].pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="language"' not in body and 'name="target"' not in body
    assert 'name="created_by"' not in body and "<select" not in body.split('id="content-main"')[1]
    assert console.get("/admin/media_pipeline/recapjob/add/").status_code == 403
    changed = console.post(
        f"/admin/media_pipeline/recapjob/{jobs['lost'].pk}/change/", {"language": "fr"}
    )
    assert changed.status_code == 403
    with tenant_context(tenant_a):
        assert RecapJob.objects.get(pk=jobs["lost"].pk).language == "en"
    assert "Add recap job" not in console.get("/admin/media_pipeline/recapjob/").content.decode()


def test_a_truncated_file_is_not_retried_and_the_console_says_why(
    client_for, tenant_a, operator, jobs
):
    response = client_for(operator, host="alpha.localhost").post(
        "/admin/media_pipeline/recapjob/",
        {"action": "retry", "_selected_action": [jobs["truncated"].pk, jobs["lost"].pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "because of the movie&#x27;s file itself" in body
    with tenant_context(tenant_a):
        assert RecapJob.objects.filter(movie=jobs["truncated"].movie).count() == 1
        assert RecapJob.objects.filter(movie=jobs["lost"].movie).count() == 2


def test_the_platform_lists_failed_jobs_of_every_organisation_by_default(
    client_for, operator, jobs
):
    page = client_for(operator, host="localhost").get("/admin/jobs/")
    assert page.status_code == 200
    assert titles(page) == {"Truncated", "Lost", "Bravo film"}
    body = page.content.decode()
    assert "Not retryable" in body and "file is at fault." in body
    assert body.count('value="retry"') == 2  # Lost and Bravo film
    index = client_for(operator, host="localhost").get("/admin/").content.decode()
    assert 'href="/admin/jobs/"' in index


def test_the_platform_job_list_filters_stuck_by_stage_and_by_organisation(
    client_for, operator, jobs
):
    client = client_for(operator, host="localhost")
    assert titles(client.get("/admin/jobs/?show=stuck")) == {"Stuck"}
    assert titles(client.get("/admin/jobs/?show=active")) == {"Stuck", "Rendering"}
    assert titles(client.get("/admin/jobs/?show=all&stage=rendering")) == {"Rendering"}
    assert titles(client.get("/admin/jobs/?show=failed&organisation=bravo")) == {"Bravo film"}
    # Values outside the lists fall back to the defaults instead of failing.
    assert titles(client.get("/admin/jobs/?show=nonsense&stage=nonsense")) == {
        "Truncated", "Lost", "Bravo film",
    }  # fmt: skip


def test_the_platform_retries_and_cancels_through_the_job_services(
    client_for, tenant_a, tenant_b, operator, jobs
):
    client = client_for(operator, host="localhost")
    retried = client.post(
        "/admin/jobs/act/", {"organisation": "bravo", "job": jobs["bravo"].pk, "action": "retry"},
        follow=True,
    )  # fmt: skip
    assert "is retried as job" in retried.content.decode()
    with tenant_context(tenant_b):
        again = RecapJob.objects.filter(movie=jobs["bravo"].movie).exclude(pk=jobs["bravo"].pk)
        assert again.get().state == JobState.PROBING
    canceled = client.post(
        "/admin/jobs/act/",
        {"organisation": "alpha", "job": jobs["rendering"].pk, "action": "cancel"},
        follow=True,
    )
    assert "is canceled" in canceled.content.decode()
    with tenant_context(tenant_a):
        assert RecapJob.objects.get(pk=jobs["rendering"].pk).state == JobState.CANCELED


REFUSALS = [
    ({"organisation": "alpha", "job": "truncated", "action": "retry"},
     "because of the movie&#x27;s file itself"),
    ({"organisation": "alpha", "job": "lost", "action": "delete"}, "Choose retry or cancel."),
    ({"organisation": "nowhere", "job": "lost", "action": "retry"},
     "This organisation no longer exists."),
    ({"organisation": "bravo", "job": None, "action": "retry"}, "This job no longer exists"),
    ({"organisation": "alpha", "job": "", "action": "retry"}, "Choose a job from the list."),
    ({"organisation": "alpha", "job": "lost", "action": "cancel"}, "already ended"),
]  # fmt: skip


def test_refused_job_actions_say_why_and_change_nothing(
    client_for, tenant_a, tenant_b, operator, jobs
):
    client = client_for(operator, host="localhost")
    for form, message in REFUSALS:
        job = form["job"]
        # None: a job number that Bravo does not have.
        form = {**form, "job": 987654 if job is None else (jobs[job].pk if job else "")}
        response = client.post("/admin/jobs/act/", form, follow=True)
        assert message in response.content.decode(), form
    with tenant_context(tenant_a):
        assert RecapJob.objects.count() == 4
        assert RecapJob.objects.get(pk=jobs["lost"].pk).state == JobState.FAILED
    with tenant_context(tenant_b):
        assert RecapJob.objects.count() == 1


def test_members_cannot_see_or_act_on_the_platform_job_list(client_for, owner_a, tenant_a, jobs):
    client = client_for(owner_a, host="localhost")
    assert "/admin/login/" in client.get("/admin/jobs/")["Location"]
    refused = client.post(
        "/admin/jobs/act/", {"organisation": "alpha", "job": jobs["lost"].pk, "action": "retry"}
    )
    assert "/admin/login/" in refused["Location"]
    with tenant_context(tenant_a):
        assert RecapJob.objects.count() == 4
