"""Webhook deliveries for the product's domain events: subscribed in WebhooksConfig.ready(),
so the apps that publish the events never import webhooks.

Receivers run inside the publishing transaction: the deliveries are written with the change
they report and sent only once it commits (an outbox).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django_tenants.utils import tenant_context

from billing import events as billing_events
from media_pipeline import events
from media_pipeline.errors import user_message
from media_pipeline.models import JobState, Movie, Recap, RecapJob
from media_pipeline.pipeline.types import PipelineError

from .models import WebhookEvent
from .services import emit_event, envelope


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


def _emit(event: str, data: dict[str, Any]) -> None:
    emit_event(event=event, payload=envelope(event=event, data=data))


def on_movie_uploaded(sender: type, event: events.MovieUploaded, **kwargs: Any) -> None:
    movie = Movie.objects.get(pk=event.movie_id)
    _emit(WebhookEvent.MOVIE_UPLOADED, {"movie": movie_data(movie)})


def on_job_moved(sender: type, event: events.JobMoved, **kwargs: Any) -> None:
    if event.state == event.previous:
        return
    if event.previous == JobState.QUEUED and event.state == JobState.PROBING:
        job = RecapJob.objects.select_related("movie").get(pk=event.job_id)
        _emit(WebhookEvent.RECAP_STARTED, {"movie": movie_data(job.movie), "job": job_data(job)})
    elif event.state == JobState.DONE:
        _emit_completed(RecapJob.objects.select_related("movie").get(pk=event.job_id))
    elif event.state == JobState.FAILED:
        _emit_failed(RecapJob.objects.select_related("movie").get(pk=event.job_id))


def _emit_completed(job: RecapJob) -> None:
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
    _emit(WebhookEvent.RECAP_COMPLETED, data)


def _emit_failed(job: RecapJob) -> None:
    with translation.override("en"):
        # Integrators get a stable code and an English sentence; pages translate the code.
        message = user_message(PipelineError(job.failure_code, job.failure_reason))
    _emit(
        WebhookEvent.RECAP_FAILED,
        {
            "movie": movie_data(job.movie),
            "job": job_data(job),
            "failure": {"code": job.failure_code, "message": str(message)},
        },
    )


def on_quota_threshold(
    sender: type, event: billing_events.QuotaThresholdReached, **kwargs: Any
) -> None:
    name = WebhookEvent.QUOTA_EXCEEDED if event.exceeded else WebhookEvent.QUOTA_WARNING
    data = {
        "kind": event.kind,
        "percent": event.percent,
        "used": event.used,
        "limit": event.limit,
    }
    # Usage may be charged from the public schema (a sweep); the endpoints live in the tenant's.
    with tenant_context(event.tenant):
        _emit(name, {"quota": data})


def subscribe() -> None:
    billing_events.published.connect(
        on_quota_threshold,
        sender=billing_events.QuotaThresholdReached,
        dispatch_uid="webhooks.quota",
    )
    events.published.connect(
        on_movie_uploaded, sender=events.MovieUploaded, dispatch_uid="webhooks.movie_uploaded"
    )
    events.published.connect(on_job_moved, sender=events.JobMoved, dispatch_uid="webhooks.job")
