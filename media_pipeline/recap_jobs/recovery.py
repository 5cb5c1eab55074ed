"""The recovery sweep: stages whose worker stopped renewing its lease, or whose message was
lost, are queued again (through the transition service, which also re-dates the lease)."""

from __future__ import annotations

from django.utils import timezone

from ..models import RecapJob
from . import transitions
from .states import STAGES


def stalled_jobs() -> list[tuple[int, str]]:
    """Active jobs whose lease date has passed: their worker died or their message was lost."""
    return list(
        RecapJob.objects.filter(
            state__in=list(STAGES), lease_expires_at__lt=timezone.now()
        ).values_list("pk", "state")
    )


def requeue_stalled() -> list[int]:
    """Queue every stalled stage of the current organisation again; the ids queued."""
    return [job_id for job_id, state in stalled_jobs() if transitions.requeue(job_id, state)]
