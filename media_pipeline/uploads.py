"""Resumable movie uploads (tus) and subtitle files: stage bytes locally, check them by content,
then keep an accepted movie in the organisation's storage. Refused input leaves nothing behind."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import posixpath
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import quotas
from billing.models import UsageRecord
from compliance.services import record_event

from . import events
from .errors import UploadError, UploadRefused, user_message
from .models import Movie, Upload
from .pipeline.probe import ProbeLimits, probe
from .pipeline.types import PipelineError, ProbeResult
from .recap_jobs import transitions
from .roles import require_uploader
from .storage import staging_dir

CHUNK = 1024 * 1024
CONCURRENCY_WINDOW = timedelta(days=1)
# The stored name's extension comes from what the probe found, never from the person's file name.
EXTENSIONS = {
    "mov,mp4,m4a,3gp,3g2,mj2": ".mp4",
    "matroska,webm": ".mkv",
    "avi": ".avi",
    "mpegts": ".ts",
    "ogg": ".ogv",
    "flv": ".flv",
    "mpeg": ".mpg",
    "asf": ".wmv",
}


def reserved_storage_bytes(*, excluding: Any = None) -> int:
    """Bytes that uploads in progress have declared: held against the plan's storage from the
    upload's creation until it completes, is terminated or expires."""
    open_uploads = Upload.objects.filter(movie__isnull=True)
    if excluding is not None:
        open_uploads = open_uploads.exclude(pk=excluding)
    return int(open_uploads.aggregate(n=Sum("length"))["n"] or 0)


def _check_concurrent_uploads() -> None:
    """At most MAX_CONCURRENT_UPLOADS unfinished uploads begun in the last day (abandoned ones
    stop counting then, and are discarded after a week). Called under the organisation's lock."""
    since = timezone.now() - CONCURRENCY_WINDOW
    running = Upload.objects.filter(movie__isnull=True, created_at__gte=since).count()
    if running >= settings.MAX_CONCURRENT_UPLOADS:
        raise UploadError(
            _(
                "Your organisation already has %(count)d uploads in progress. Let one finish or "
                "cancel it, then start this one."
            )
            % {"count": running},
            409,
        )


def _declared_duration(value: str) -> float | None:
    """The `duration` an upload declares (seconds); None when it declares none."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not math.isfinite(seconds) or seconds <= 0:
        raise UploadError(_("The declared duration must be a number of seconds."), 400)
    return seconds


def staged_path(upload: Upload) -> Path:
    return staging_dir() / f"{upload.pk}.part"


def create_upload(
    *, tenant: Any, user: Any, filename: str, length: int, metadata: dict[str, str]
) -> Upload:
    """Open a resumable movie upload of `length` bytes; its bytes go to a local staging file."""
    require_uploader(user=user)
    if length <= 0:
        raise UploadError(user_message(PipelineError("empty_file", "length is 0")), 400)
    if length > settings.MAX_UPLOAD_BYTES:
        raise UploadError(
            _("This file is larger than %(gb).0f GB, the most we accept in one upload.")
            % {"gb": settings.MAX_UPLOAD_BYTES / quotas.GB},
            413,
        )
    if metadata.get("kind", "movie") != "movie":
        raise UploadError(_("Only movie files are uploaded here."), 400)
    language = metadata.get("language") or getattr(tenant, "default_language", "en")
    if language not in settings.LANGUAGE_CODES:
        raise UploadError(_("Choose one of the offered languages."), 400)
    declared = _declared_duration(metadata.get("duration", ""))
    name = posixpath.basename(filename.replace("\\", "/")).strip()[:255] or "movie"
    title = (metadata.get("title") or "").strip() or posixpath.splitext(name)[0] or name
    with transaction.atomic():
        # The declared length is reserved until the upload completes, is terminated or expires:
        # under the organisation's lock, two uploads cannot both fit in the last free space.
        quotas.lock_organisation(tenant)
        try:
            quotas.check_standing(tenant)
            quotas.check_storage(tenant, length, reserved_bytes=reserved_storage_bytes())
            # The running time the browser read from the file's own metadata, before the first
            # byte: a movie the plan cannot take is refused now, not after the whole upload.
            # The probe of the stored file stays the authority.
            if declared is not None:
                quotas.check_movie_duration(tenant, declared)
        except quotas.QuotaExceeded as exc:
            raise UploadError(exc.message, 402 if exc.code == "payment_overdue" else 413) from exc
        _check_concurrent_uploads()
        upload = Upload.objects.create(
            kind="movie",
            filename=name,
            length=length,
            # Without a language from the uploader, the one speech recognition hears wins.
            metadata={
                "title": title[:200],
                "language": language,
                "language_chosen": bool(metadata.get("language")),
            },
            created_by=user if getattr(user, "pk", None) else None,
        )
    # The staging file is created by the first PATCH, so a rolled-back creation leaves no file.
    return upload


def append_chunk(
    *, upload: Upload, offset: int, stream: IO[bytes], content_length: int, user: Any
) -> Upload:
    """Write `content_length` bytes of `stream` at `offset`; keep what arrived if cut short."""
    require_uploader(user=user)
    with transaction.atomic():
        # The row lock serialises PATCHes on one upload: two can never write interleaved.
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.movie_id is not None or offset != locked.offset:
            raise UploadError(
                _("The upload moved on elsewhere. It will resume from where the server is."), 409
            )
        if content_length < 0 or offset + content_length > locked.length:
            raise UploadError(_("This chunk goes past the end of the file."), 413)
        path = staged_path(locked)
        if locked.offset > 0 and not path.exists():
            raise UploadError(_("This upload has expired. Start it again."), 410)
        written = 0
        with open(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b") as staged:
            # Bytes past the recorded offset come from a write that never got recorded: drop them.
            staged.seek(locked.offset)
            staged.truncate()
            while written < content_length:
                try:
                    data = stream.read(min(CHUNK, content_length - written))
                except OSError:
                    break  # the connection dropped: keep what arrived, the client resumes
                if not data:
                    break
                staged.write(data)
                written += len(data)
            staged.flush()
        locked.offset += written
        locked.save(update_fields=["offset"])
    return locked


def complete_movie_upload(*, upload: Upload, tenant: Any, user: Any) -> Movie:
    """Check the finished upload by content and keep it as a ready Movie, or discard it all."""
    require_uploader(user=user)
    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.movie_id is not None:
            return locked.movie
        if not locked.is_complete:
            raise UploadError(_("The upload is not finished yet."), 409)
        path = staged_path(locked)
        try:
            facts = _check_movie(path, tenant)
        except UploadRefused as exc:
            refusal = exc
        else:
            # Other uploads may have finished since this one began: checked again, under the
            # lock, against the others still in progress (this one's reservation ends here).
            quotas.lock_organisation(tenant)
            try:
                quotas.check_storage(
                    tenant,
                    facts.size_bytes,
                    reserved_bytes=reserved_storage_bytes(excluding=locked.pk),
                )
            except quotas.QuotaExceeded as exc:
                refusal = UploadRefused(exc.message)
            else:
                movie = _keep_movie(locked, path, facts, tenant=tenant, user=user)
                events.publish(events.MovieUploaded(tenant=tenant, movie_id=movie.pk))
                return movie
    # Outside the block above: the refusal itself must not roll the discard back.
    with transaction.atomic():
        _discard(locked)
    raise refusal


def _check_movie(path: Path, tenant: Any) -> ProbeResult:
    try:
        facts = probe(str(path), limits=ProbeLimits(max_duration=quotas.max_movie_seconds(tenant)))
        quotas.check_movie_duration(tenant, facts.duration)
    except PipelineError as exc:
        duration = exc.params.get("duration") if exc.code == "too_long" else None
        if isinstance(duration, int | float):
            try:  # the plan's own sentence: how long it is, what the plan takes, where to upgrade
                quotas.check_movie_duration(tenant, float(duration))
            except quotas.QuotaExceeded as precise:
                raise UploadRefused(precise.message) from exc
        raise UploadRefused(user_message(exc)) from exc
    except quotas.QuotaExceeded as exc:
        raise UploadRefused(exc.message) from exc
    return facts


def _keep_movie(upload: Upload, path: Path, facts: ProbeResult, *, tenant: Any, user: Any) -> Movie:
    metadata = upload.metadata or {}
    movie = Movie.objects.create(
        title=metadata.get("title") or upload.filename,
        language=metadata.get("language") or "en",
        language_chosen=metadata.get("language_chosen", True),
        uploader=user if getattr(user, "pk", None) else None,
        size_bytes=facts.size_bytes,
        duration=facts.duration,
        width=facts.width,
        height=facts.height,
        fps=facts.fps,
        container=facts.format_name[:40],
        video_codec=facts.video_codec,
        audio_codec=facts.audio_codec or "",
        # The staging path means nothing once the file is stored.
        probe={k: v for k, v in dataclasses.asdict(facts).items() if k != "path"},
    )
    extension = EXTENSIONS.get(facts.format_name, ".bin")
    if extension == ".mkv" and upload.filename.lower().endswith(".webm"):
        extension = ".webm"
    try:
        with open(path, "rb") as staged:
            reader = _HashingReader(staged)
            content = File(reader, name=f"movie{extension}")
            content.size = facts.size_bytes
            movie.file.save(content.name, content, save=False)
        movie.checksum = reader.hexdigest(path)
        movie.save(update_fields=["file", "checksum"])
        transitions.movie_uploaded(movie)
        quotas.record_usage(
            tenant=tenant,
            kind=UsageRecord.Kind.STORAGE_BYTES,
            quantity=facts.size_bytes,
            reference=f"movie:{movie.pk}",
        )
        upload.movie = movie
        upload.completed_at = timezone.now()
        upload.save(update_fields=["movie", "completed_at"])
        record_event(
            action="movie.uploaded",
            actor=user,
            tenant=tenant,
            target=f"movie:{movie.pk}",
            data={
                "title": movie.title,
                "size_bytes": movie.size_bytes,
                "duration": movie.duration,
                "upload": str(upload.pk),
            },
        )
    except BaseException:
        # The database rolls back; the stored copy would otherwise be an orphan.
        if movie.file.name:
            default_storage.delete(movie.file.name)
        raise
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return movie


class _HashingReader:
    """Feeds every byte read through SHA-256, so the checksum costs no second pass."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._digest = hashlib.sha256()
        self._position = 0
        self._linear = True

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        if self._linear:
            self._digest.update(data)
        self._position += len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self._handle.seek(offset, whence)
        if position == 0:
            self._digest, self._linear = hashlib.sha256(), True
        elif position != self._position:
            self._linear = False  # a storage backend jumped around: hash again at the end
        self._position = position
        return position

    def tell(self) -> int:
        return self._handle.tell()

    def hexdigest(self, path: Path) -> str:
        if self._linear and self._position == path.stat().st_size:
            return self._digest.hexdigest()
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest()


def terminate_upload(*, upload: Upload, user: Any) -> None:
    """Cancel an upload in progress (tus termination): the row and the staged bytes go."""
    require_uploader(user=user)
    with transaction.atomic():
        locked = Upload.objects.select_for_update().filter(pk=upload.pk).first()
        if locked is None:
            return
        if locked.movie_id is not None:
            raise UploadError(_("This upload is finished; delete the movie instead."), 409)
        _discard(locked)


def _discard(upload: Upload) -> None:
    path = staged_path(upload)
    upload.delete()
    # Deleted on commit only: a rolled-back discard keeps the bytes its row still points to.
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


def discard_stale_uploads(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Remove unfinished uploads of the current organisation untouched for `older_than`."""
    cutoff = timezone.now() - older_than
    count = 0
    for upload in Upload.objects.filter(movie__isnull=True, created_at__lt=cutoff):
        with transaction.atomic():
            _discard(upload)
        count += 1
    return count
