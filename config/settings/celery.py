"""Celery: tenant-aware tasks on Redis, their queues, time limits and periodic sweeps.

The RecapJob row is the source of truth for video work; the broker only carries the messages.
"""

from __future__ import annotations

from .base import REDIS_URL, RUN_DIR, env

# Kombu names Redis-over-a-Unix-socket "redis+socket://"; redis-py names it "unix://".
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=REDIS_URL.replace("unix://", "redis+socket://", 1)
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60 * 3)
# Above every hard limit, so an unacknowledged long task is not redelivered while it runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 15 * 60}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"media_pipeline.tasks.run_stage": {"queue": "video"}}
CELERY_BEAT_SCHEDULE = {
    "expire-invitations": {
        "task": "accounts.tasks.expire_invitations",
        "schedule": 60 * 60,
    },
    "discard-stale-uploads": {
        "task": "media_pipeline.tasks.discard_stale_uploads",
        "schedule": 6 * 60 * 60,
    },
    "purge-idempotency-records": {
        "task": "api.tasks.purge_idempotency_records",
        "schedule": 60 * 60,
    },
    "recover-stalled-jobs": {
        "task": "media_pipeline.tasks.recover_stalled_jobs",
        "schedule": env.int("RECAP_RECOVERY_INTERVAL", default=60),
    },
    "queue-overdue-webhook-deliveries": {
        "task": "webhooks.tasks.queue_overdue_deliveries",
        "schedule": 60,
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(RUN_DIR / "celerybeat-schedule")
