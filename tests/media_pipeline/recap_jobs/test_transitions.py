"""One owner for recap-job state: every surface that changes a job (page, API, admin action,
task, recovery sweep) goes through recap_jobs.transitions, and an illegal move attempted from
any of them is refused and changes nothing."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from media_pipeline import services
from media_pipeline.models import JobState, RecapJob
from media_pipeline.recap_jobs import execute, recovery, states, transitions
from tests.factories import make_user, not_a_video_movie, use_local_storage

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    use_local_storage(settings, tmp_path / "media")
    settings.WORK_ROOT = tmp_path / "work"


@pytest.fixture
def moves(monkeypatch) -> list[tuple[int, str, str]]:
    """Every move asked of the transition service, allowed or refused: (job, from, to)."""
    seen: list[tuple[int, str, str]] = []
    move = transitions._move

    def recording(job, to, **kwargs):
        seen.append((job.pk, job.state, to))
        return move(job, to, **kwargs)

    monkeypatch.setattr(transitions, "_move", recording)
    return seen


def started_job(owner, tmp_path) -> RecapJob:
    movie = not_a_video_movie(owner, tmp_path)
    return services.start_recap_job(movie=movie, target="auto", language="en", acting_user=owner)


def finished_job(owner, tmp_path) -> RecapJob:
    """A job walked to "done" through the transition service itself."""
    job = started_job(owner, tmp_path)
    with transaction.atomic():
        locked = RecapJob.objects.select_for_update().get(pk=job.pk)
        for state in (*states.STAGES[1:], JobState.DONE):
            transitions._move(locked, state)
    job.refresh_from_db()
    return job


def test_the_table_lets_every_active_job_end_and_no_ended_job_move():
    for state in states.ACTIVE_STATES:
        assert {JobState.FAILED, JobState.CANCELED} <= states.TRANSITIONS[state]
    for state in (JobState.DONE, JobState.FAILED, JobState.CANCELED):
        assert states.TRANSITIONS[state] == frozenset()
        with pytest.raises(states.IllegalTransition):
            states.check_transition(state, JobState.PROBING)
    with pytest.raises(states.IllegalTransition):
        states.check_transition(JobState.PROBING, JobState.RENDERING)  # no skipping a stage


def test_the_movie_fails_only_for_its_own_faults():
    status = states.movie_status_for
    assert status(job_state=JobState.FAILED, failure_code="truncated", has_recap=False) == "failed"
    assert status(job_state=JobState.FAILED, failure_code="disk_full", has_recap=False) == "ready"
    assert status(job_state=JobState.CANCELED, has_recap=True) == "done"
    assert status(job_state=JobState.RENDERING, has_recap=True) == "processing"


def test_the_page_goes_through_the_service(tenant_a, owner_a, client_for, tmp_path, moves):
    with tenant_context(tenant_a):
        job = started_job(owner_a, tmp_path)
        done = finished_job(owner_a, tmp_path)
    page = client_for(owner_a, host="alpha.localhost")
    moves.clear()
    response = page.post(f"/jobs/{done.pk}/cancel/", follow=True)
    assert "already ended" in response.content.decode()
    assert page.post(f"/jobs/{job.pk}/cancel/").status_code == 302
    assert moves == [
        (done.pk, JobState.DONE, JobState.CANCELED),  # asked, and refused by the table
        (job.pk, JobState.PROBING, JobState.CANCELED),
    ]
    with tenant_context(tenant_a):
        assert RecapJob.objects.get(pk=done.pk).state == JobState.DONE


def test_the_api_goes_through_the_service(tenant_a, owner_a, client_for, tmp_path, moves):
    with tenant_context(tenant_a):
        job = started_job(owner_a, tmp_path)
        done = finished_job(owner_a, tmp_path)
    api = client_for(owner_a, host="alpha.localhost")
    moves.clear()
    refused = api.post(f"/api/v1/jobs/{done.pk}/cancel/")
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:movie-recap:problem:ended"
    assert api.post(f"/api/v1/jobs/{job.pk}/cancel/").status_code == 200
    assert moves == [
        (done.pk, JobState.DONE, JobState.CANCELED),
        (job.pk, JobState.PROBING, JobState.CANCELED),
    ]


def test_the_admin_action_goes_through_the_service(tenant_a, client_for, tmp_path, moves):
    operator = make_user("operator@example.com", is_staff=True)
    operator.is_superuser = True
    operator.save()
    with tenant_context(tenant_a):
        job = started_job(operator, tmp_path)
        done = finished_job(operator, tmp_path)
    admin = client_for(operator, host="alpha.localhost")
    moves.clear()
    response = admin.post(
        "/admin/media_pipeline/recapjob/",
        {"action": "cancel", "_selected_action": [done.pk, job.pk]},
        follow=True,
    )
    assert "already ended" in response.content.decode()
    assert sorted(moves) == sorted(
        [(done.pk, JobState.DONE, JobState.CANCELED), (job.pk, JobState.PROBING, JobState.CANCELED)]
    )
    with tenant_context(tenant_a):
        assert RecapJob.objects.get(pk=done.pk).state == JobState.DONE
        assert RecapJob.objects.get(pk=job.pk).state == JobState.CANCELED


def test_the_task_goes_through_the_service(tenant_a, owner_a, tmp_path, moves):
    with tenant_context(tenant_a):
        job = started_job(owner_a, tmp_path)
        services.cancel_job(job=job, acting_user=owner_a)
        moves.clear()
        # A late message for a canceled job: nothing runs, nothing moves.
        assert execute.run_stage(job.pk, JobState.PROBING) is None
        assert moves == []
        again = started_job(owner_a, tmp_path)
        moves.clear()
        assert execute.run_stage(again.pk, JobState.PROBING) is None  # not a video: it fails
        assert moves == [(again.pk, JobState.PROBING, JobState.FAILED)]
        assert RecapJob.objects.get(pk=job.pk).state == JobState.CANCELED


def test_the_recovery_sweep_goes_through_the_service(tenant_a, owner_a, tmp_path, moves):
    with tenant_context(tenant_a):
        stalled = started_job(owner_a, tmp_path)
        done = finished_job(owner_a, tmp_path)
        past = timezone.now() - timedelta(minutes=5)
        RecapJob.objects.filter(pk__in=[stalled.pk, done.pk]).update(lease_expires_at=past)
        moves.clear()
        assert recovery.requeue_stalled() == [stalled.pk]
        assert moves == [(stalled.pk, JobState.PROBING, JobState.PROBING)]
        assert recovery.requeue_stalled() == []  # re-dated: the next sweep leaves it alone
        assert not transitions.requeue(done.pk, JobState.DONE)
        assert RecapJob.objects.get(pk=done.pk).state == JobState.DONE


def _root_name(node: ast.AST) -> str:
    while isinstance(node, ast.Attribute | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def writes_of_state(path: Path) -> list[int]:
    """Lines that set a job's `state` or a movie's `status`: by assignment, or through
    `.update()` / `.create()` on a queryset of jobs or movies."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        for target in targets if isinstance(node, ast.Assign | ast.AugAssign) else ():
            if not isinstance(target, ast.Attribute) or _root_name(target) == "self":
                continue
            movie = "movie" in _root_name(target).lower()
            if target.attr == "state" or (target.attr == "status" and movie):
                lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            root = _root_name(node.func)
            fields = {k.arg for k in node.keywords}
            if node.func.attr in ("update", "create") and (
                ("state" in fields and root in ("RecapJob", "job", "jobs"))
                or ("status" in fields and root in ("Movie", "movie", "movies"))
            ):
                lines.append(node.lineno)
    return lines


def test_only_the_transition_service_writes_job_state_or_movie_status():
    owner = Path("media_pipeline/recap_jobs/transitions.py")
    writers = {}
    for package in ("media_pipeline", "api", "webhooks", "tenants", "config"):
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or relative == owner:
                continue
            if lines := writes_of_state(path):
                writers[str(relative)] = lines
    assert writers == {}
    assert writes_of_state(ROOT / owner)
