"""The operators' view of recap jobs across every organisation: which failed, which are stuck,
which stage each one is in; and the safe actions on one of them (retry, cancel)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import tenant_context

from tenants.models import Tenant
from tenants.selectors import in_each_tenant

from . import services
from .models import ACTIVE_STATES, JobState, RecapJob
from .recap_jobs.states import STAGES, can_retry

# What the list shows: the filter's value in the URL and its label.
SHOWS = {
    "failed": gettext_lazy("Failed"),
    "stuck": gettext_lazy("Stuck"),
    "active": gettext_lazy("In progress"),
    "all": gettext_lazy("All"),
}
LIMIT = 200


@dataclass(frozen=True)
class QueuedJob:
    tenant: Tenant
    job: RecapJob

    @property
    def retryable(self) -> bool:
        return can_retry(job_state=self.job.state, failure_code=self.job.failure_code)

    @property
    def cancelable(self) -> bool:
        return self.job.is_active


def stuck() -> Q:
    """Active jobs whose stage nobody holds any more: the lease ran out (a dead worker, a lost
    message) and the recovery sweep has not moved the job on yet."""
    return Q(state__in=ACTIVE_STATES, lease_expires_at__lt=timezone.now())


def _filtered(show: str, stage: str) -> QuerySet[RecapJob]:
    jobs = RecapJob.objects.select_related("movie").defer("artifacts", "timings")
    if show == "failed":
        jobs = jobs.filter(state=JobState.FAILED)
    elif show == "stuck":
        jobs = jobs.filter(stuck())
    elif show == "active":
        jobs = jobs.filter(state__in=ACTIVE_STATES)
    if stage in STAGES:
        jobs = jobs.filter(state=stage)
    return jobs.order_by("-created_at")[:LIMIT]


def jobs_across_tenants(
    *, show: str = "failed", stage: str = "", organisation: str = ""
) -> list[QueuedJob]:
    """The newest jobs of every organisation (or of the one whose slug is `organisation`) that
    match the filters, newest first, at most LIMIT."""
    found: list[QueuedJob] = []
    for tenant in in_each_tenant():
        if organisation and tenant.slug != organisation:
            continue
        found += [QueuedJob(tenant, job) for job in _filtered(show, stage)]
    found.sort(key=lambda row: row.job.created_at, reverse=True)
    return found[:LIMIT]


ACTIONS: dict[str, Callable[..., Any]] = {
    "retry": services.retry_job,
    "cancel": services.cancel_job,
}


def act_on_job(*, tenant: Tenant, job_id: int, action: str, acting_user: Any) -> str:
    """Retry or cancel one job of `tenant` through the job services (which ask the transition
    service); returns the confirmation, raises ValidationError with the refusal."""
    if action not in ACTIONS:
        raise ValidationError(_("Choose retry or cancel."), code="invalid")
    with tenant_context(tenant):
        job = RecapJob.objects.select_related("movie").filter(pk=job_id).first()
        if job is None:
            raise ValidationError(_("This job no longer exists."), code="missing")
        result = ACTIONS[action](job=job, acting_user=acting_user)
    if action == "retry":
        return _("Job #%(old)d is retried as job #%(new)d.") % {"old": job_id, "new": result.pk}
    return _("Job #%(job)d is canceled.") % {"job": job_id}
