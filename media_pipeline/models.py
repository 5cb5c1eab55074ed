"""Product data of one organisation, in its own schema: movies, uploads, recap jobs and recaps."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import library
from .storage import movie_upload_to, recap_upload_to, subtitle_upload_to

__all__ = [
    "ACTIVE_STATES", "JobState", "Movie", "MovieStatus", "Recap", "RecapJob", "ShareLink",
    "SubtitleSource", "SubtitleTrack", "TargetLength", "Upload",
]  # fmt: skip


class MovieStatus(models.TextChoices):
    UPLOADING = "uploading", _("Uploading")
    READY = "ready", _("Ready")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Recap ready")
    FAILED = "failed", _("Failed")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PROBING = "probing", _("Checking the file")
    TRANSCRIBING = "transcribing", _("Recognising speech")
    ANALYZING = "analyzing", _("Analysing scenes")
    SELECTING = "selecting", _("Choosing the key scenes")
    RENDERING = "rendering", _("Rendering the recap")
    PUBLISHING = "publishing", _("Publishing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")


# A job in one of these is waiting for a worker or being worked on.
ACTIVE_STATES = frozenset(
    {
        JobState.QUEUED,
        JobState.PROBING,
        JobState.TRANSCRIBING,
        JobState.ANALYZING,
        JobState.SELECTING,
        JobState.RENDERING,
        JobState.PUBLISHING,
    }
)


class MovieQuerySet(models.QuerySet):
    """Writes through the queryset renew the organisation's library version (see
    media_pipeline.library); `Movie.save` and `delete` do through signals (apps.py)."""

    def update(self, **kwargs: Any) -> int:
        count = super().update(**kwargs)
        library.changed()
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        result = super().delete()
        library.changed()
        return result

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[Movie]:
        created = super().bulk_create(*args, **kwargs)
        library.changed()
        return created

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        count = super().bulk_update(*args, **kwargs)
        library.changed()
        return count


class Movie(models.Model):
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=movie_upload_to, max_length=500, blank=True)
    size_bytes = models.BigIntegerField(_("size"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    duration = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    fps = models.FloatField(_("frame rate"), null=True, blank=True)
    container = models.CharField(_("container"), max_length=40, blank=True)
    video_codec = models.CharField(_("video codec"), max_length=40, blank=True)
    audio_codec = models.CharField(_("audio codec"), max_length=40, blank=True)
    probe = models.JSONField(_("probe facts"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    # False when the uploader did not say: the language speech recognition detects replaces it.
    language_chosen = models.BooleanField(_("language chosen by the uploader"), default=True)
    detected_language = models.CharField(_("detected language"), max_length=10, blank=True)
    language_confidence = models.FloatField(_("detection confidence"), null=True, blank=True)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MovieStatus.choices, default=MovieStatus.UPLOADING
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = MovieQuerySet.as_manager()

    class Meta:
        verbose_name = _("movie")
        verbose_name_plural = _("movies")
        ordering = ["-created_at"]
        # Every filter and order the library page and the API offer (title search is a
        # substring match, which no B-tree serves).
        indexes = [
            models.Index(fields=["created_at", "id"], name="movie_created"),
            models.Index(fields=["status", "created_at"], name="movie_status_created"),
            models.Index(fields=["language", "created_at"], name="movie_language_created"),
            models.Index(fields=["title"], name="movie_title"),
            models.Index(Lower("title"), name="movie_title_lower"),
            models.Index(fields=["duration"], name="movie_duration"),
            models.Index(fields=["size_bytes"], name="movie_size"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def latest_job(self) -> RecapJob | None:
        return self.jobs.order_by("-created_at").first()


class Upload(models.Model):
    """A resumable upload in progress (tus protocol): bytes land in a staging file."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, default="movie")  # "movie" or "subtitle"
    filename = models.CharField(max_length=255)
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    movie = models.ForeignKey(
        Movie, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self) -> str:
        return f"{self.filename} ({self.offset}/{self.length})"

    @property
    def is_complete(self) -> bool:
        return self.offset >= self.length


class SubtitleSource(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    EMBEDDED = "embedded", _("Embedded in the movie")
    SPEECH = "speech", _("Recognised from the speech")


class SubtitleTrack(models.Model):
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="subtitle_tracks")
    language = models.CharField(_("language"), max_length=10)
    file = models.FileField(_("file"), upload_to=subtitle_upload_to, max_length=500)
    source = models.CharField(
        _("source"), max_length=10, choices=SubtitleSource.choices, default=SubtitleSource.UPLOADED
    )
    cue_count = models.PositiveIntegerField(_("cues"), default=0)
    skipped_cues = models.PositiveIntegerField(_("skipped cues"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subtitle track")
        verbose_name_plural = _("subtitle tracks")
        ordering = ["language"]

    def __str__(self) -> str:
        return f"{self.movie} [{self.language}]"


class TargetLength(models.TextChoices):
    AUTO = "auto", _("Automatic (10%, at most 3 minutes)")
    ONE = "60", _("1 minute")
    THREE = "180", _("3 minutes")
    FIVE = "300", _("5 minutes")
    TEN = "600", _("10 minutes")


class RecapJob(models.Model):
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="jobs")
    target = models.CharField(
        _("recap length"), max_length=10, choices=TargetLength.choices, default=TargetLength.AUTO
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    include_ending = models.BooleanField(
        _("include the ending"),
        default=True,
        help_text=_("Off: the recap, synopsis and chapters stop before the last act."),
    )
    recognise_speech = models.BooleanField(
        _("recognise speech even with subtitles"),
        default=False,
        help_text=_("Speech is always recognised when the movie has no subtitles."),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=JobState.choices, default=JobState.QUEUED
    )
    percent = models.PositiveSmallIntegerField(_("progress"), default=0)
    timings = models.JSONField(_("seconds per stage"), default=dict, blank=True)
    artifacts = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    # The lease: the worker process that owns the current stage, the token of this take of it
    # (every write of the stage's results checks it), and until when (see recap_jobs.lease).
    lease_owner = models.CharField(max_length=80, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("recap job")
        verbose_name_plural = _("recap jobs")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "lease_expires_at"]),
            models.Index(fields=["created_at"], name="job_created"),
            models.Index(fields=["state", "created_at"], name="job_state_created"),
            models.Index(fields=["movie", "created_at"], name="job_movie_created"),
        ]

    def __str__(self) -> str:
        return f"{self.movie} #{self.pk} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class Recap(models.Model):
    # Every stored file of a recap, in the order pages and downloads list them.
    FILE_FIELDS = (
        "video", "poster", "sprite", "thumbnails_vtt", "chapters_vtt", "subtitles_vtt", "report",
    )  # fmt: skip

    job = models.OneToOneField(RecapJob, on_delete=models.CASCADE, related_name="recap")
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="recaps")
    language = models.CharField(_("language"), max_length=10)
    video = models.FileField(_("recap video"), upload_to=recap_upload_to, max_length=500)
    poster = models.FileField(_("poster"), upload_to=recap_upload_to, max_length=500)
    sprite = models.FileField(_("thumbnail sprite"), upload_to=recap_upload_to, max_length=500)
    thumbnails_vtt = models.FileField(upload_to=recap_upload_to, max_length=500)
    chapters_vtt = models.FileField(upload_to=recap_upload_to, max_length=500, blank=True)
    subtitles_vtt = models.FileField(upload_to=recap_upload_to, max_length=500, blank=True)
    report = models.FileField(upload_to=recap_upload_to, max_length=500, blank=True)
    synopsis = models.TextField(_("synopsis"))
    # Each sentence of the synopsis with what it rests on: cue spans and scene indices.
    sentences = models.JSONField(_("synopsis sentences"), default=list, blank=True)
    chapters = models.JSONField(_("chapters"), default=list)
    # Stable codes the pages translate ("no_speech", "in_movie_language", ...).
    notes = models.JSONField(_("notes"), default=list, blank=True)
    include_ending = models.BooleanField(_("includes the ending"), default=True)
    text_language = models.CharField(_("language of the text"), max_length=10, blank=True)
    time_map = models.JSONField(_("source to recap time map"), default=list)
    duration = models.FloatField(_("duration (seconds)"))
    size_bytes = models.BigIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("recap")
        verbose_name_plural = _("recaps")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], name="recap_created"),
            models.Index(fields=["movie", "created_at"], name="recap_movie_created"),
            models.Index(fields=["language", "created_at"], name="recap_language_created"),
        ]

    def __str__(self) -> str:
        return f"{self.movie} [{self.language}]"


class ShareLink(models.Model):
    """A link that shows one recap to people outside the organisation: public, or behind a
    password; it may expire, and it can be revoked (see media_pipeline.sharing)."""

    recap = models.ForeignKey(Recap, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, editable=False)
    # A password hash (django.contrib.auth.hashers); empty for a public link.
    password = models.CharField(_("password"), max_length=128, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.recap} share #{self.pk}"

    @property
    def protected(self) -> bool:
        return bool(self.password)

    def is_live(self, now: datetime | None = None) -> bool:
        """Neither revoked nor past its expiry."""
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
