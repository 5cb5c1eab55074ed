"""Movies, jobs and recaps in the organisation console, and the platform console's list of jobs
across every organisation (both registered in config/admin.py)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.access import require_staff
from tenants.models import Tenant
from web.admin import ReadOnlyAdmin

from . import job_queue, services
from .models import JobState, RecapJob, SubtitleTrack
from .recap_jobs.states import STAGES, can_retry


class SubtitleTrackInline(admin.TabularInline):
    model = SubtitleTrack
    extra = 0
    readonly_fields = ["language", "source", "cue_count", "skipped_cues"]


class MovieAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "duration", "size_bytes", "created_at"]
    list_filter = ["status", "language"]
    search_fields = ["title"]
    readonly_fields = ["checksum", "probe", "size_bytes", "created_at"]
    inlines = [SubtitleTrackInline]


@admin.display(description=_("can be retried"), boolean=True)
def retryable(job: RecapJob) -> bool | None:
    if job.is_active or job.state == JobState.DONE:
        return None
    return can_retry(job_state=job.state, failure_code=job.failure_code)


# Jobs are records of what the pipeline did: only the job services change them (retry, cancel).
class RecapJobAdmin(ReadOnlyAdmin):
    list_display = [
        "pk", "movie", "state", "percent", "attempts", "failure_code", retryable, "created_at",
    ]  # fmt: skip
    list_filter = ["state", "failure_code", "target"]
    search_fields = ["movie__title", "failure_reason"]
    fields = [
        "movie", "state", "percent", "target", "language", "include_ending", "recognise_speech",
        "attempts", "failure_code", "failure_reason", retryable, "timings", "lease_owner",
        "lease_expires_at", "created_at", "started_at", "finished_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["retry", "cancel"]

    def _apply(self, request: HttpRequest, queryset: QuerySet[RecapJob], action) -> None:
        done = 0
        for job in queryset:
            try:
                action(job=job, acting_user=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"#{job.pk}: {exc.messages[0]}", messages.WARNING)
        if done:
            self.message_user(request, _("%(count)d job(s) updated.") % {"count": done})

    @admin.action(description=_("Retry the selected jobs"), permissions=["view"])
    def retry(self, request: HttpRequest, queryset: QuerySet[RecapJob]) -> None:
        self._apply(request, queryset, services.retry_job)

    @admin.action(description=_("Cancel the selected jobs"), permissions=["view"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[RecapJob]) -> None:
        self._apply(request, queryset, services.cancel_job)


class RecapAdmin(admin.ModelAdmin):
    list_display = ["movie", "language", "duration", "created_at"]
    list_filter = ["language"]
    readonly_fields = ["job", "movie", "time_map", "chapters", "duration", "size_bytes"]


def job_queue_view(request: HttpRequest, site: admin.AdminSite) -> HttpResponse:
    """Jobs of every organisation, filtered by what happened to them, stage and organisation."""
    require_staff(user=request.user)
    request.current_app = site.name
    show = request.GET.get("show", "failed")
    show = show if show in job_queue.SHOWS else "failed"
    stage = request.GET.get("stage", "")
    stage = stage if stage in STAGES else ""
    organisation = request.GET.get("organisation", "")
    rows = job_queue.jobs_across_tenants(show=show, stage=stage, organisation=organisation)
    context = {
        **site.each_context(request),
        "title": _("Recap jobs in every organisation"),
        "rows": rows,
        "show": show,
        "shows": job_queue.SHOWS.items(),
        "stage": stage,
        "stages": [(value, JobState(value).label) for value in STAGES],
        "organisation": organisation,
        "organisations": Tenant.objects.exclude(schema_name="public").values_list("slug", "name"),
        "limit": job_queue.LIMIT,
        "here": request.get_full_path(),
    }
    return TemplateResponse(request, "admin/job_queue.html", context)


@require_POST
def job_action_view(request: HttpRequest, site: admin.AdminSite) -> HttpResponse:
    """Retry or cancel one job from the list; the refusal, if any, is shown there."""
    require_staff(user=request.user)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse(f"{site.name}:job_queue")
    tenant = Tenant.objects.filter(slug=request.POST.get("organisation", "")).first()
    try:
        if tenant is None or tenant.is_public:
            raise ValidationError(_("This organisation no longer exists."), code="missing")
        job_id = int(request.POST.get("job", ""))
        done = job_queue.act_on_job(
            tenant=tenant, job_id=job_id, action=request.POST.get("action", ""),
            acting_user=request.user,
        )  # fmt: skip
    except ValueError:
        messages.error(request, _("Choose a job from the list."))
    except (ValidationError, PermissionDenied) as exc:
        text = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, done)
    return HttpResponseRedirect(back)
