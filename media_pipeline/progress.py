"""What the movie page, the dashboard and the status endpoint say about a recap job: one
reading of the job's row, so no two parts of a page can contradict each other.

Reads only; every change of a job's state belongs to recap_jobs.transitions.
"""

from __future__ import annotations

import statistics
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .errors import user_message
from .models import JobState, Movie, MovieStatus, Recap, RecapJob
from .pipeline.types import PipelineError
from .recap_jobs.states import BANDS, STAGES

# Finished jobs whose stage times make the estimate: recent enough to reflect today's workers.
SAMPLE_JOBS = 20


def is_waiting(job: RecapJob) -> bool:
    """Queued and not yet picked up by a worker (the first stage is free and never taken)."""
    return job.state == JobState.PROBING and not job.lease_owner and job.started_at is None


def queue_position(job: RecapJob) -> int | None:
    """1 for the next job a worker will take among this organisation's waiting jobs."""
    if not is_waiting(job):
        return None
    ahead = RecapJob.objects.filter(
        Q(created_at__lt=job.created_at) | Q(created_at=job.created_at, pk__lt=job.pk),
        state=JobState.PROBING,
        lease_owner="",
        started_at__isnull=True,
    )
    return ahead.count() + 1


def stage_speeds() -> dict[str, float]:
    """Seconds each stage took per second of movie, the median of the last finished jobs."""
    rows = (
        RecapJob.objects.filter(state=JobState.DONE, movie__duration__gt=0)
        .order_by("-finished_at")
        .values_list("timings", "movie__duration")[:SAMPLE_JOBS]
    )
    samples: dict[str, list[float]] = {}
    for timings, duration in rows:
        for stage, seconds in (timings or {}).items():
            if isinstance(seconds, int | float) and seconds >= 0:
                samples.setdefault(stage, []).append(seconds / duration)
    return {stage: statistics.median(values) for stage, values in samples.items()}


def seconds_left(job: RecapJob, duration: float | None, speeds: dict[str, float]) -> float | None:
    """The time the job still needs, from measured stage speeds; None without a measure."""
    if not job.is_active or not duration or not speeds:
        return None
    if job.state not in STAGES:
        return None
    current = STAGES.index(job.state)
    left = 0.0
    for stage in STAGES[current:]:
        if stage not in speeds:
            if stage == JobState.TRANSCRIBING:
                continue  # skipped for a subtitled movie: never measured, never waited for
            return None
        expected = speeds[stage] * duration
        if stage == job.state and job.lease_owner and job.started_at:
            low, high = BANDS[stage]
            done = max(0.0, min(1.0, (job.percent - low) / max(1, high - low)))
            elapsed = (timezone.now() - job.started_at).total_seconds()
            # Two signs of progress, the stage's own percent and the time it has run: the
            # further one counts (a stage that reports no percent still counts down).
            expected = max(min(expected * (1 - done), expected - elapsed), 0.0)
        left += expected
    return left


def estimate_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return _("Less than a minute left")
    minutes = round(seconds / 60)
    return ngettext("About %(count)s minute left", "About %(count)s minutes left", minutes) % {
        "count": minutes
    }


def state_label(job: RecapJob) -> str:
    return str(JobState.QUEUED.label) if is_waiting(job) else job.get_state_display()


def job_status(job: RecapJob, movie: Movie | None = None) -> dict[str, Any]:
    """The job and its movie as the page shows them; the status endpoint returns it as JSON.
    `movie`: the job's movie when the caller has just read it."""
    if movie is None:
        movie = Movie.objects.only("pk", "status", "duration").get(pk=job.movie_id)
    # The link appears with the finished job, never while publishing is still under way.
    recap = Recap.objects.filter(job=job).first() if job.state == JobState.DONE else None
    failure = ""
    if job.state == JobState.FAILED:
        failure = user_message(PipelineError(job.failure_code or "unknown", job.failure_reason))
    position = queue_position(job)
    if position is not None:
        detail = _("Number %(position)s in the queue") % {"position": position}
    else:
        detail = estimate_text(seconds_left(job, movie.duration, stage_speeds()))
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": state_label(job),
        "percent": job.percent,
        "active": job.is_active,
        "queue_position": position,
        "detail": detail,
        "timings": job.timings,
        "attempts": job.attempts,
        "failure": failure,
        "ended": job.state in (JobState.FAILED, JobState.CANCELED),
        "recap_url": reverse("recap_detail", args=[recap.pk]) if recap else None,
        "movie_status": movie.status,
        "movie_status_label": str(MovieStatus(movie.status).label),
    }
