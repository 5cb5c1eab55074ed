"""Telling people a recap is ready (or failed): email to whoever started it, once the job's
move to done or failed has committed. Subscribed to the job events in the app's ready()."""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from accounts.models import User
from web.sites import tenant_base_url

from . import events
from .models import JobState, RecapJob

log = logging.getLogger(__name__)


def on_job_moved(sender: type, event: events.JobMoved, **kwargs: Any) -> None:
    if event.state in (JobState.DONE, JobState.FAILED) and event.previous != event.state:
        transaction.on_commit(lambda: recap_finished(event.job_id, event.tenant))


def subscribe() -> None:
    events.published.connect(on_job_moved, sender=events.JobMoved, dispatch_uid="recap_email")


def recap_finished(job_id: int, tenant: Any) -> None:
    with tenant_context(tenant):
        job = RecapJob.objects.select_related("movie").get(pk=job_id)
        user = User.objects.filter(pk=job.created_by_id or job.movie.uploader_id).first()
        if user is None:
            return
        language = user.language or tenant.default_language
        with translation.override(language):
            url = f"{tenant_base_url(tenant)}/movies/{job.movie_id}/"
            done = job.state == JobState.DONE
            subject = (
                _("Your recap of “%(title)s” is ready")
                if done
                else _("The recap of “%(title)s” could not be made")
            ) % {"title": job.movie.title}
            body = render_to_string(
                "media_pipeline/email/recap_finished.txt",
                {"job": job, "movie": job.movie, "url": url, "done": done},
            )
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
