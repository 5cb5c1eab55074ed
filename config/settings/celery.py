"""Celery: tenant-aware tasks on Redis, their queues, time limits and periodic sweeps.

The RecapJob row is the source of truth for video work; the broker only carries the messages.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import REDIS_URL, RUN_DIR, env
from .billing import API_USAGE_FLUSH_INTERVAL
from .product import RECAP_RECOVERY_INTERVAL

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
# Reconnects after losing Redis mid-task instead of stopping (see config/celery.py).
CELERY_WORKER_CONSUMER = "config.celery:BrokerLossConsumer"

# Hard limit of every task that sets none of its own.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60 * 3)
# One stage of a recap job (media_pipeline.tasks.run_stage). The soft limit leaves the stage two
# minutes to stop ffmpeg's process group and release its lease before the hard kill.
RECAP_STAGE_TIME_LIMIT = env.int("RECAP_STAGE_TIME_LIMIT", default=CELERY_TASK_TIME_LIMIT)
RECAP_STAGE_SOFT_TIME_LIMIT = env.int(
    "RECAP_STAGE_SOFT_TIME_LIMIT", default=RECAP_STAGE_TIME_LIMIT - 120
)
if not 0 < RECAP_STAGE_SOFT_TIME_LIMIT < RECAP_STAGE_TIME_LIMIT:
    raise ImproperlyConfigured(
        "RECAP_STAGE_SOFT_TIME_LIMIT must be above zero and below RECAP_STAGE_TIME_LIMIT."
    )

# With acks_late, Redis hands an unacknowledged message to another worker once the visibility
# timeout passes, even while the first one still runs it. So the timeout sits above the longest
# hard limit any task may use: whichever limit is lowered, a running stage is never redelivered.
#
# The lease (RECAP_LEASE_SECONDS, renewed every third of it) is what actually restarts the work
# of a dead worker: once it expires, the recovery sweep (every RECAP_RECOVERY_INTERVAL seconds)
# queues the stage again, minutes after the death. The visibility timeout is only the broker's
# late backstop for the same message; when it finally fires, the redelivered stage finds the job
# moved on (or the lease held) and does nothing. Keep the lease far below the timeout.
_REDELIVERY_MARGIN = 15 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": max(CELERY_TASK_TIME_LIMIT, RECAP_STAGE_TIME_LIMIT) + _REDELIVERY_MARGIN
}

# Renders fill the "video" queue for hours; the periodic sweeps have a queue of their own, served
# by a small worker of its own (Procfile, deploy/), so recovering a stalled job never waits behind
# a render. The main workers consume "maintenance" too, so a single worker still runs them.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "media_pipeline.tasks.run_stage": {"queue": "video"},
    "media_pipeline.tasks.recover_stalled_jobs": {"queue": "maintenance"},
    "media_pipeline.tasks.discard_stale_uploads": {"queue": "maintenance"},
    "api.tasks.purge_idempotency_records": {"queue": "maintenance"},
    "api.tasks.purge_token_families": {"queue": "maintenance"},
    "webhooks.tasks.queue_overdue_deliveries": {"queue": "maintenance"},
    "accounts.tasks.expire_invitations": {"queue": "maintenance"},
    "billing.tasks.flush_api_calls": {"queue": "maintenance"},
    "billing.tasks.suspend_overdue": {"queue": "maintenance"},
    "billing.tasks.report_overage": {"queue": "maintenance"},
}
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
    "purge-ended-token-families": {
        "task": "api.tasks.purge_token_families",
        "schedule": 24 * 60 * 60,
    },
    "recover-stalled-jobs": {
        "task": "media_pipeline.tasks.recover_stalled_jobs",
        "schedule": RECAP_RECOVERY_INTERVAL,
    },
    "queue-overdue-webhook-deliveries": {
        "task": "webhooks.tasks.queue_overdue_deliveries",
        "schedule": 60,
    },
    "flush-api-call-counts": {
        "task": "billing.tasks.flush_api_calls",
        "schedule": API_USAGE_FLUSH_INTERVAL,
    },
    "suspend-overdue-organisations": {
        "task": "billing.tasks.suspend_overdue",
        "schedule": 60 * 60,
    },
    "report-enterprise-overage": {
        "task": "billing.tasks.report_overage",
        "schedule": 60 * 60,
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(RUN_DIR / "celerybeat-schedule")
