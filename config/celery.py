"""The Celery app: tenant-aware, so a task queued on an organisation runs in its schema; and its
consumer, which outlives a broker that goes away while a task is running."""

from __future__ import annotations

import logging
import os

from celery.worker.consumer import Consumer
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

log = logging.getLogger(__name__)


class BrokerLossConsumer(Consumer):
    """Celery's consumer, minus two crashes on losing the broker mid-task (Celery, kombu 5.7).

    After a lost Redis connection the consumer collects the connection, which detaches its
    transport, then closes it. A channel that still holds an unacknowledged message (any
    running `acks_late` task: a render, always) then needs a Redis client the detached
    transport can no longer build: closing it (to put the message back) and, once the task
    ends, acknowledging the message both raise AttributeError, which stops the whole worker.
    Neither is needed: Redis keeps the message among the unacknowledged until the visibility
    timeout (or lost it, restarted empty), and the job's lease brings the stage back long before
    that. So the close may fail, an acknowledgement that fails so is logged as one that could
    not reach the broker, and the consumer reconnects as it does for other losses.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The errors with which an acknowledgement is logged and dropped, not raised.
        self.connection_errors = (*self.connection_errors, AttributeError)

    def on_connection_error_after_connected(self, exc: Exception) -> None:
        try:
            super().on_connection_error_after_connected(exc)
        except AttributeError as error:
            log.warning("broker connection lost; its channel could not be closed: %r", error)


app = CeleryApp("movie_recap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
