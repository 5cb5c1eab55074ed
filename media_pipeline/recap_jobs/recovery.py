"""The recovery sweep: stages whose worker stopped renewing its lease, or whose message was
lost, are queued again (through the transition service, which also re-dates the lease); work
folders that outlived their job (its worker was killed before it tidied up) are removed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from ..models import ACTIVE_STATES, RecapJob
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


def discard_ended_work() -> list[int]:
    """Remove the work folders of this organisation's jobs that are no longer active (a worker
    killed after the job ended, before it removed them); the ids whose folder went. Only this
    machine's WORK_ROOT is looked at."""
    root = Path(settings.WORK_ROOT) / "jobs" / connection.schema_name
    try:
        found = {int(name) for name in os.listdir(root) if name.isdigit()}
    except FileNotFoundError:
        return []
    active = RecapJob.objects.filter(pk__in=found, state__in=ACTIVE_STATES)
    ended = sorted(found - set(active.values_list("pk", flat=True)))
    for job_id in ended:
        shutil.rmtree(root / str(job_id), ignore_errors=True)
    return ended
