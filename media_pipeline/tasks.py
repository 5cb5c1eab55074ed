"""Celery tasks: thin wrappers that run recap-job stages and periodic sweeps in a tenant's schema.

Nothing in the project imports this module: stages are queued by name (recap_jobs.queue).
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from tenants.selectors import in_each_tenant

from . import services, uploads
from .pipeline.types import TransientPipelineError
from .recap_jobs import execute, recovery, transitions

log = logging.getLogger(__name__)


@shared_task(
    name="media_pipeline.tasks.verify_movie_checksum",
    acks_late=True,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def verify_movie_checksum(movie_id: int) -> str:
    return services.verify_movie_checksum(movie_id=movie_id)


@shared_task(
    bind=True,
    name="media_pipeline.tasks.run_stage",
    acks_late=True,
    soft_time_limit=settings.RECAP_STAGE_SOFT_TIME_LIMIT,
    time_limit=settings.RECAP_STAGE_TIME_LIMIT,
    max_retries=5,
)
def run_stage(self, job_id: int, state: str) -> str | None:
    """One stage of one job; transient failures are retried with back-off, then end the job
    (the movie itself stays as it was)."""
    try:
        return execute.run_stage(job_id, state)
    except (TransientPipelineError, SoftTimeLimitExceeded) as exc:
        code = getattr(exc, "code", "ffmpeg_timeout")
        if self.request.retries >= self.max_retries:
            transitions.fail(job_id, code=code, reason=str(exc) or code)
            return None
        countdown = min(600, 15 * 2**self.request.retries)
        log.warning("job %s: %s will be retried in %ss: %s", job_id, state, countdown, exc)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="media_pipeline.tasks.recover_stalled_jobs", acks_late=True, time_limit=300)
def recover_stalled_jobs() -> int:
    """Queue again the stage of every job whose worker stopped renewing its lease; remove the
    work folders that outlived their job."""
    count = 0
    for tenant in in_each_tenant(active_only=True):
        for job_id in recovery.requeue_stalled():
            log.info("job %s in %s: lease expired, its stage is queued again", job_id, tenant)
            count += 1
        for job_id in recovery.discard_ended_work():
            log.info("job %s in %s: work folder of the ended job removed", job_id, tenant)
    return count


@shared_task(name="media_pipeline.tasks.discard_stale_uploads", acks_late=True, time_limit=600)
def discard_stale_uploads() -> int:
    """Remove abandoned resumable uploads (and their staged bytes) in every organisation."""
    return sum(uploads.discard_stale_uploads() for _tenant in in_each_tenant())
