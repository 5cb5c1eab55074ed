"""The one writer of a recap job's state and of its movie's status.

Every change goes through `_move`: it locks the job row, checks the transition table
(states.TRANSITIONS), writes the job and the movie in the same transaction, writes the audit
row, and publishes a JobMoved event there too (webhooks and emails follow on commit). Pages,
API, admin, tasks and the recovery sweep all call the functions below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from compliance.services import record_event

from .. import events
from ..models import Movie, Recap, RecapJob
from . import queue
from .lease import SUSPECT, Lease, grace, lease_seconds, suspected
from .states import BANDS, NEXT_STAGE, JobState, MovieStatus, check_transition, movie_status_for

AUDITED = {
    JobState.PROBING: "recap.started",
    JobState.DONE: "recap.completed",
    JobState.FAILED: "recap.failed",
    JobState.CANCELED: "recap.canceled",
}


def _locked(job_id: int) -> RecapJob:
    return RecapJob.objects.select_for_update().get(pk=job_id)


def _move(
    job: RecapJob,
    to: str,
    *,
    acting_user: Any = None,
    audit: Mapping[str, Any] | None = None,
    again: bool = False,
    **fields: Any,
) -> RecapJob:
    """Move a locked job to `to` (IllegalTransition if the table forbids it). `again`: the job
    stays in its active state, its stage queued once more (recovery)."""
    previous = job.state
    if not (again and to == previous and job.is_active):
        check_transition(previous, to)
    job.state = to
    for name, value in fields.items():
        setattr(job, name, value)
    if to in (JobState.DONE, JobState.FAILED, JobState.CANCELED):
        job.finished_at = timezone.now()
        job.lease_owner, job.lease_token, job.lease_expires_at = "", "", None
    job.save()
    has_recap = Recap.objects.filter(movie_id=job.movie_id).exists()
    Movie.objects.filter(pk=job.movie_id).update(
        status=movie_status_for(job_state=to, failure_code=job.failure_code, has_recap=has_recap)
    )
    tenant = events.current_tenant()
    if to in AUDITED and to != previous:
        record_event(
            action=AUDITED[to],
            actor=acting_user,
            tenant=tenant,
            target=f"movie:{job.movie_id}",
            data={"job": job.pk, **(audit or {})},
        )
    events.publish(
        events.JobMoved(
            tenant=tenant,
            job_id=job.pk,
            movie_id=job.movie_id,
            previous=previous,
            state=to,
            acting_user_id=getattr(acting_user, "pk", None),
        )
    )
    return job


def _queue(job: RecapJob, stage: str) -> None:
    """The stage waits for a worker: the lease is free but dated, so if the message is lost the
    job looks stalled once the date passes and the recovery sweep queues the stage again."""
    job.lease_owner, job.lease_token = "", ""
    job.lease_expires_at = timezone.now() + lease_seconds()
    queue.send_stage(job.pk, stage)


@transaction.atomic
def start(
    *,
    movie: Movie,
    target: str,
    language: str,
    acting_user: Any,
    include_ending: bool = True,
    recognise_speech: bool = False,
) -> RecapJob:
    """A new job for `movie` (locked by the caller), queued for its first stage."""
    job = RecapJob.objects.create(
        movie=movie,
        target=target,
        language=language,
        include_ending=include_ending,
        recognise_speech=recognise_speech,
        created_by_id=getattr(acting_user, "pk", None),
    )
    job = _locked(job.pk)
    _queue(job, JobState.PROBING)
    audit = {"target": target, "language": language, "include_ending": include_ending}
    return _move(job, JobState.PROBING, acting_user=acting_user, audit=audit)


@transaction.atomic
def advance(lease: Lease, *, timings: Mapping[str, float], artifacts: Mapping[str, Any]) -> str:
    """Hand a finished stage over to the next one; '' if the lease is no longer ours (the job
    was canceled, or another worker took the stage)."""
    job = _locked(lease.job_id)
    if job.state != lease.state or job.lease_token != lease.token:
        return ""
    following = NEXT_STAGE[lease.state]
    _queue(job, following)
    _move(
        job,
        following,
        timings=dict(timings),
        artifacts=dict(artifacts),
        attempts=0,
        percent=BANDS[lease.state][1],
    )
    return following


def publish(lease: Lease, *, timings: Mapping[str, float], audit: Mapping[str, Any]) -> bool:
    """Inside the publish transaction (the caller holds it and the job's row lock): done."""
    job = _locked(lease.job_id)
    if job.state != lease.state or job.lease_token != lease.token:
        return False
    _move(job, JobState.DONE, percent=100, timings=dict(timings), audit=audit)
    return True


@transaction.atomic
def rerun(lease: Lease, stage: str) -> bool:
    """Send the job back to an earlier stage (publishing found no usable render)."""
    job = _locked(lease.job_id)
    if job.state != lease.state or job.lease_token != lease.token:
        return False
    _queue(job, stage)
    _move(job, stage, attempts=0)
    return True


@transaction.atomic
def fail(job_id: int, *, code: str, reason: str, token: str | None = None) -> bool:
    """End the job as failed (a refusal, a bug, too many attempts). With `token`, only while
    that take of the stage is still the current one."""
    job = _locked(job_id)
    if token is not None and job.lease_token != token:
        return False
    if not job.is_active:
        return False
    _move(job, JobState.FAILED, failure_code=code, failure_reason=reason[:2000],
          audit={"code": code})  # fmt: skip
    return True


@transaction.atomic
def cancel(*, job: RecapJob, acting_user: Any) -> RecapJob:
    """Stop a job (IllegalTransition once it has ended); its worker notices within a second
    through its heartbeat and kills ffmpeg."""
    return _move(_locked(job.pk), JobState.CANCELED, acting_user=acting_user)


@transaction.atomic
def requeue(job_id: int, state: str) -> bool:
    """The recovery sweep: the stage's holder stopped renewing (or its message was lost).
    The stage is queued again and the lease re-dated, so the next sweep does not queue it twice.

    A stage still held is first only suspected: its holder may be alive and only have lost the
    database for longer than the lease. It keeps its token and gets `grace()` to renew; the
    stage is queued again only by a sweep that finds it still suspected after that.
    """
    job = _locked(job_id)
    if job.state != state or not job.is_active:
        return False
    now = timezone.now()
    expires = job.lease_expires_at
    if expires is not None and expires > now:
        return False
    if job.lease_owner and not suspected(job.lease_owner):
        job.lease_owner += SUSPECT
        job.lease_expires_at = now + grace()
        job.save(update_fields=["lease_owner", "lease_expires_at"])
        return False
    _queue(job, state)
    _move(job, state, again=True)
    return True


def movie_uploaded(movie: Movie) -> None:
    """A new movie's file is stored and checked: it is ready for recaps."""
    Movie.objects.filter(pk=movie.pk).update(status=MovieStatus.READY)
    movie.status = MovieStatus.READY
