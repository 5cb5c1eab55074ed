"""Outgoing email: the console in development, SMTP in production."""

from __future__ import annotations

from .base import PRODUCTION, env
from .tenancy import BASE_DOMAIN

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"Movie Recap <no-reply@{BASE_DOMAIN}>")
# Where the contact page, the suspension notice and its email send people.
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default=f"support@{BASE_DOMAIN}")
# The operators told of problems only they can fix (media_pipeline.recap_jobs.alerts), by email.
ADMINS = [(address, address) for address in env.list("ADMINS", default=[])]
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = ""  # the alerts' subjects name the product themselves
