"""The events the product emits, built from model instances: one call at each place they happen.

Each `emit_*` runs inside the caller's transaction; deliveries are sent only once it commits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import WebhookEvent
from .services import emit_event, envelope

if TYPE_CHECKING:
    from media_pipeline.models import Movie, RecapJob


def movie_data(movie: Movie) -> dict[str, Any]:
    return {
        "id": movie.pk,
        "title": movie.title,
        "language": movie.language,
        "status": movie.status,
        "duration": movie.duration,
        "size_bytes": movie.size_bytes,
    }


def job_data(job: RecapJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "state": job.state,
        "target": job.target,
        "language": job.language,
        "created": job.created_at.isoformat() if job.created_at else None,
        "finished": job.finished_at.isoformat() if job.finished_at else None,
    }


def emit_movie_uploaded(movie: Movie) -> None:
    emit_event(
        event=WebhookEvent.MOVIE_UPLOADED,
        payload=envelope(event=WebhookEvent.MOVIE_UPLOADED, data={"movie": movie_data(movie)}),
    )


def emit_recap_started(job: RecapJob) -> None:
    data = {"movie": movie_data(job.movie), "job": job_data(job)}
    emit_event(
        event=WebhookEvent.RECAP_STARTED,
        payload=envelope(event=WebhookEvent.RECAP_STARTED, data=data),
    )


def emit_recap_completed(job: RecapJob) -> None:
    from media_pipeline.models import Recap

    recap = Recap.objects.filter(job_id=job.pk).first()
    data: dict[str, Any] = {"movie": movie_data(job.movie), "job": job_data(job), "recap": None}
    if recap is not None:
        data["recap"] = {
            "id": recap.pk,
            "language": recap.language,
            "duration": recap.duration,
            "size_bytes": recap.size_bytes,
            "chapters": len(recap.chapters or []),
        }
    emit_event(
        event=WebhookEvent.RECAP_COMPLETED,
        payload=envelope(event=WebhookEvent.RECAP_COMPLETED, data=data),
    )


def emit_recap_failed(job: RecapJob) -> None:
    """Reads the job again: the caller has just written its failure with an UPDATE."""
    from django.utils import translation

    from media_pipeline.errors import user_message
    from media_pipeline.models import RecapJob
    from media_pipeline.pipeline.types import PipelineError

    job = RecapJob.objects.select_related("movie").get(pk=job.pk)
    with translation.override("en"):
        # Integrators get a stable code and an English sentence; pages translate the code.
        message = user_message(PipelineError(job.failure_code, job.failure_reason))
    data = {
        "movie": movie_data(job.movie),
        "job": job_data(job),
        "failure": {"code": job.failure_code, "message": str(message)},
    }
    emit_event(
        event=WebhookEvent.RECAP_FAILED,
        payload=envelope(event=WebhookEvent.RECAP_FAILED, data=data),
    )
