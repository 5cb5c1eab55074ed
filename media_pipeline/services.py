"""Writes on movies and recap jobs of the current organisation: start, cancel, retry."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import WRITER_ROLES
from accounts.selectors import holds_role
from billing import quotas
from billing.models import UsageRecord
from compliance.services import record_event
from webhooks import events as webhook_events

from .models import ACTIVE_STATES, JobState, Movie, MovieStatus, Recap, RecapJob, TargetLength

CHUNK = 1024 * 1024
RECAP_FILE_FIELDS = (
    "video", "poster", "sprite", "thumbnails_vtt", "chapters_vtt", "subtitles_vtt",
)  # fmt: skip


def require_writer(*, user: object) -> None:
    """Owners, admins and members start and stop recaps; viewers watch; staff may act."""
    if not holds_role(user=user, tenant=connection.tenant, roles=WRITER_ROLES):
        raise PermissionDenied(_("Viewers can watch recaps but not start them."))


def verify_movie_checksum(*, movie_id: int) -> str:
    """Compute the SHA-256 of the stored file and record it on the movie."""
    movie = Movie.objects.get(pk=movie_id)
    digest = hashlib.sha256()
    with default_storage.open(movie.file.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    Movie.objects.filter(pk=movie_id).update(
        checksum=digest.hexdigest(), size_bytes=movie.file.size
    )
    return digest.hexdigest()


def enqueue_stage(job: RecapJob, state: str) -> None:
    """Move `job` to `state` and queue its stage once the transaction commits.

    The lease is left free but dated: if the message is lost, the job looks stalled once the
    date passes and the recovery task queues the stage again.
    """
    job.state = state
    job.lease_owner = ""
    job.lease_expires_at = timezone.now() + timedelta(seconds=settings.RECAP_LEASE_SECONDS)
    job.save(update_fields=["state", "lease_owner", "lease_expires_at", "attempts"])
    job_id = job.pk

    def send() -> None:
        from .tasks import run_stage

        run_stage.delay(job_id, state)

    transaction.on_commit(send)


def start_recap_job(*, movie: Movie, target: str, language: str, acting_user: object) -> RecapJob:
    require_writer(user=acting_user)
    if target not in TargetLength.values:
        raise ValidationError(_("Choose a recap length from the list."), code="invalid_target")
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError(_("Choose a language from the list."), code="invalid_language")
    if movie.status == MovieStatus.UPLOADING or not movie.file:
        raise ValidationError(_("The movie has not finished uploading."), code="not_ready")
    tenant = connection.tenant
    try:
        quotas.check_processing(tenant, movie.duration or 0)
    except quotas.QuotaExceeded as exc:
        raise ValidationError(exc.message, code="quota") from exc
    with transaction.atomic():
        locked = Movie.objects.select_for_update().get(pk=movie.pk)
        if locked.jobs.filter(state__in=ACTIVE_STATES).exists():
            raise ValidationError(
                _("A recap of this movie is already being made. Wait for it, or cancel it."),
                code="busy",
            )
        job = RecapJob.objects.create(
            movie=locked, target=target, language=language, created_by_id=_pk(acting_user)
        )
        locked.status = MovieStatus.PROCESSING
        locked.save(update_fields=["status"])
        record_event(
            action="recap.started",
            actor=acting_user,
            tenant=tenant,
            target=f"movie:{movie.pk}",
            data={"job": job.pk, "target": target, "language": language},
        )
        enqueue_stage(job, JobState.PROBING)
        webhook_events.emit_recap_started(job)
    return job


def cancel_job(*, job: RecapJob, acting_user: object) -> RecapJob:
    require_writer(user=acting_user)
    with transaction.atomic():
        locked = RecapJob.objects.select_for_update().get(pk=job.pk)
        if not locked.is_active:
            raise ValidationError(_("This job has already ended."), code="ended")
        locked.state = JobState.CANCELED
        locked.finished_at = timezone.now()
        locked.lease_owner = ""
        locked.lease_expires_at = None
        locked.save(update_fields=["state", "finished_at", "lease_owner", "lease_expires_at"])
        Movie.objects.filter(pk=locked.movie_id).update(status=MovieStatus.READY)
        record_event(
            action="recap.canceled",
            actor=acting_user,
            tenant=connection.tenant,
            target=f"movie:{locked.movie_id}",
            data={"job": locked.pk},
        )
    return locked


def retry_job(*, job: RecapJob, acting_user: object) -> RecapJob:
    """Start a new job with the same options as a failed or canceled one."""
    if job.is_active or job.state == JobState.DONE:
        raise ValidationError(_("Only failed or canceled jobs can be retried."), code="not_ended")
    return start_recap_job(
        movie=job.movie,
        target=job.target,
        language=job.language,
        acting_user=acting_user,
    )


def delete_movie(*, movie: Movie, acting_user: object) -> None:
    """Delete a movie with its subtitle tracks, recaps and all their files; give the storage
    back to the quota. Refused while a recap of it is being made."""
    require_writer(user=acting_user)
    tenant = connection.tenant
    with transaction.atomic():
        locked = Movie.objects.select_for_update().get(pk=movie.pk)
        if locked.jobs.filter(state__in=ACTIVE_STATES).exists():
            raise ValidationError(
                _("A recap of this movie is being made. Cancel it before deleting the movie."),
                code="busy",
            )
        recaps = list(Recap.objects.filter(movie=locked))
        names = [locked.file.name] + [t.file.name for t in locked.subtitle_tracks.all()]
        for recap in recaps:
            names += [getattr(recap, field).name for field in RECAP_FILE_FIELDS]
        freed = locked.size_bytes + sum(recap.size_bytes for recap in recaps)
        record_event(
            action="movie.deleted",
            actor=acting_user,
            tenant=tenant,
            target=f"movie:{locked.pk}",
            data={"title": locked.title, "recaps": len(recaps), "freed_bytes": freed},
        )
        if freed:
            quotas.record_usage(
                tenant=tenant,
                kind=UsageRecord.Kind.STORAGE_BYTES,
                quantity=-freed,
                reference=f"movie:{locked.pk}:deleted",
            )
        locked.delete()
        # Files go only once the rows are gone for good.
        transaction.on_commit(lambda: _delete_files([name for name in names if name]))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _pk(user: object) -> int | None:
    return getattr(user, "pk", None)
