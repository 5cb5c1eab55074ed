"""Sending stage tasks by name, once the transaction that asked for them has committed.

Nothing imports `media_pipeline.tasks` but Celery: the task is named here, and the app's
`send_task` carries the organisation's schema with it (tenant-schemas-celery).
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import connection, transaction

log = logging.getLogger(__name__)

RUN_STAGE = "media_pipeline.tasks.run_stage"


def send_stage(job_id: int, state: str) -> None:
    """Queue the stage after commit. If the broker is down, the job keeps its dated lease and
    the recovery sweep queues the stage once the date passes: nothing is lost."""
    schema = connection.schema_name

    def send() -> None:
        try:
            current_app.send_task(RUN_STAGE, args=(job_id, state))
        except Exception as exc:  # any broker error: the sweep takes over
            log.error("job %s (%s): could not queue %s: %s", job_id, schema, state, exc)

    transaction.on_commit(send)
