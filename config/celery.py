"""The Celery app: tenant-aware, so a task queued on an organisation runs in its schema."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("movie_recap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
