"""Product data of one organisation, in its own schema: movies and what is made of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .storage import movie_upload_to


class MovieStatus(models.TextChoices):
    UPLOADING = "uploading", _("Uploading")
    READY = "ready", _("Ready")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Recap ready")
    FAILED = "failed", _("Failed")


class Movie(models.Model):
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=movie_upload_to, max_length=500, blank=True)
    size_bytes = models.BigIntegerField(_("size"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    duration = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    probe = models.JSONField(_("probe facts"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
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

    class Meta:
        verbose_name = _("movie")
        verbose_name_plural = _("movies")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
