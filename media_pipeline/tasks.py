"""Celery tasks: thin wrappers that run services in the organisation's schema."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="media_pipeline.tasks.verify_movie_checksum", acks_late=True, time_limit=3600)
def verify_movie_checksum(movie_id: int) -> str:
    return services.verify_movie_checksum(movie_id=movie_id)
