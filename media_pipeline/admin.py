"""Movies, jobs and recaps in the organisation console (registered in config/admin.py)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import RecapJob, SubtitleTrack


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


class RecapJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "movie", "state", "percent", "attempts", "failure_code", "created_at"]
    list_filter = ["state", "failure_code", "target"]
    search_fields = ["movie__title", "failure_reason"]
    readonly_fields = [
        "movie", "state", "percent", "timings", "attempts", "failure_code", "failure_reason",
        "lease_owner", "lease_expires_at", "created_at", "started_at", "finished_at",
    ]  # fmt: skip
    exclude = ["artifacts"]
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

    @admin.action(description=_("Retry the selected jobs"))
    def retry(self, request: HttpRequest, queryset: QuerySet[RecapJob]) -> None:
        self._apply(request, queryset, services.retry_job)

    @admin.action(description=_("Cancel the selected jobs"))
    def cancel(self, request: HttpRequest, queryset: QuerySet[RecapJob]) -> None:
        self._apply(request, queryset, services.cancel_job)


class RecapAdmin(admin.ModelAdmin):
    list_display = ["movie", "language", "duration", "created_at"]
    list_filter = ["language"]
    readonly_fields = ["job", "movie", "time_map", "chapters", "duration", "size_bytes"]
