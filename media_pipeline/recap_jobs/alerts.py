"""Telling the operators: a problem that needs a person on the platform side (a full disk)."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.core.mail import mail_admins

log = logging.getLogger("media_pipeline.alerts")
# One email per kind of alert in this window; the log line is written every time.
QUIET_SECONDS = 15 * 60


def raise_alert(code: str, message: str) -> None:
    log.critical("[%s] %s", code, message)
    try:
        first = cache.add(f"alert:{code}", 1, QUIET_SECONDS)
    except Exception:  # the cache being down must not hide the alert itself
        first = True
    if first:
        mail_admins(f"Movie Recap alert: {code}", message, fail_silently=True)
