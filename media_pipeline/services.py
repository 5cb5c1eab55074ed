"""Writes on movies and recap jobs of the current organisation: start, cancel, retry, delete.

Each checks the caller's role through accounts.access, and leaves every change of a job's
state (and of its movie's status) to recap_jobs.transitions.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from billing import quotas
from billing.models import UsageRecord
from compliance.services import record_event
from web.formats import clock

from .models import ACTIVE_STATES, JobState, Movie, MovieStatus, Recap, RecapJob, TargetLength
from .pipeline.select import longer_than_movie
from .recap_jobs import transitions
from .recap_jobs.states import IllegalTransition, can_retry
from .roles import require_writer
from .uploads import reserved_storage_bytes

CHUNK = 1024 * 1024


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


def reserved_processing_seconds() -> float:
    """Seconds of movie that running jobs will charge when they finish: held against the
    plan's processing hours from the moment a job starts."""
    running = RecapJob.objects.filter(state__in=ACTIVE_STATES)
    return float(running.aggregate(n=Sum("movie__duration"))["n"] or 0)


# The render's bitrate is capped (1080p H.264), so a recap rarely takes more bytes per second
# than its movie; the poster, sprite and subtitles add a little.
RECAP_FILES_OVERHEAD = 5 * 1024 * 1024
AUTO_TARGET_SECONDS = 180.0


def expected_recap_bytes(movie: Movie, target: str) -> int:
    """A generous estimate of what a recap of `movie` will store, before it is made."""
    duration = movie.duration or 0
    if not duration or not movie.size_bytes:
        return RECAP_FILES_OVERHEAD
    seconds = float(target) if target.isdigit() else min(duration * 0.1, AUTO_TARGET_SECONDS)
    share = min(1.0, seconds / duration)
    return int(movie.size_bytes * share) + RECAP_FILES_OVERHEAD


def running_recaps_bytes() -> int:
    """What the running jobs' recaps are expected to store once published."""
    running = RecapJob.objects.filter(state__in=ACTIVE_STATES).select_related("movie")
    return sum(expected_recap_bytes(job.movie, job.target) for job in running)


def targets_for(movie: Movie) -> list[tuple[str, str]]:
    """The recap lengths a movie can have: every fixed length shorter than the movie, and
    "auto"; all of them while its running time is unknown."""
    return [
        (value, label)
        for value, label in TargetLength.choices
        if not longer_than_movie(value, movie.duration)
    ]


def check_target_fits(movie: Movie, target: str) -> None:
    """Refuse a fixed recap length as long as the movie or longer (`target_too_long`)."""
    if longer_than_movie(target, movie.duration):
        raise ValidationError(
            _(
                "A recap of %(length)s cannot be made of a movie that lasts %(duration)s: "
                "choose a shorter length or Automatic."
            ),
            code="target_too_long",
            params={"length": TargetLength(target).label, "duration": clock(movie.duration)},
        )


def start_recap_job(
    *,
    movie: Movie,
    target: str,
    language: str,
    acting_user: object,
    include_ending: bool = True,
    recognise_speech: bool = False,
) -> RecapJob:
    """Queue a recap of `movie`. `include_ending=False` keeps the last act out of the recap,
    the synopsis and the chapters; `recognise_speech` transcribes even a subtitled movie."""
    require_writer(user=acting_user)
    if target not in TargetLength.values:
        raise ValidationError(_("Choose a recap length from the list."), code="invalid_target")
    if language not in settings.LANGUAGE_CODES:
        raise ValidationError(_("Choose a language from the list."), code="invalid_language")
    if movie.status == MovieStatus.UPLOADING or not movie.file:
        raise ValidationError(_("The movie has not finished uploading."), code="not_ready")
    check_target_fits(movie, target)
    tenant = connection.tenant
    with transaction.atomic():
        # One start at a time per organisation, so two cannot both fit in the last hours.
        quotas.lock_organisation(tenant)
        try:
            quotas.check_standing(tenant)
            quotas.check_processing(
                tenant, movie.duration or 0, reserved_seconds=reserved_processing_seconds()
            )
            # The recap's files are stored too: its expected size must fit beside what uploads
            # in progress and running jobs will store.
            quotas.check_storage(
                tenant,
                expected_recap_bytes(movie, target),
                reserved_bytes=reserved_storage_bytes() + running_recaps_bytes(),
            )
        except quotas.QuotaExceeded as exc:
            raise ValidationError(exc.message, code="quota") from exc
        locked = Movie.objects.select_for_update().get(pk=movie.pk)
        if locked.jobs.filter(state__in=ACTIVE_STATES).exists():
            raise ValidationError(
                _("A recap of this movie is already being made. Wait for it, or cancel it."),
                code="busy",
            )
        return transitions.start(
            movie=locked,
            target=target,
            language=language,
            acting_user=acting_user,
            include_ending=include_ending,
            recognise_speech=recognise_speech,
        )


def cancel_job(*, job: RecapJob, acting_user: object) -> RecapJob:
    require_writer(user=acting_user)
    try:
        return transitions.cancel(job=job, acting_user=acting_user)
    except IllegalTransition as exc:
        raise ValidationError(_("This job has already ended."), code="ended") from exc


def retry_job(*, job: RecapJob, acting_user: object) -> RecapJob:
    """Start a new job with the same options as a failed or canceled one; refused when the
    failure lies in the movie's file itself (a retry would fail the same way)."""
    if job.is_active or job.state == JobState.DONE:
        raise ValidationError(_("Only failed or canceled jobs can be retried."), code="not_ended")
    if not can_retry(job_state=job.state, failure_code=job.failure_code):
        raise ValidationError(
            _(
                "This job failed because of the movie's file itself (for example a truncated "
                "file), so a retry would fail the same way. Upload a complete copy instead."
            ),
            code="not_retryable",
        )
    return start_recap_job(
        movie=job.movie,
        target=job.target,
        language=job.language,
        acting_user=acting_user,
        include_ending=job.include_ending,
        recognise_speech=job.recognise_speech,
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
            names += [getattr(recap, field).name for field in Recap.FILE_FIELDS]
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
