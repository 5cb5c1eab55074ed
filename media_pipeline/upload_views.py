"""The upload page, its tus endpoints (the protocol itself is media_pipeline.tus) and subtitle
files. Thin: parse headers and forms, call the services, answer in the person's language."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import subtitle_tracks, tus
from .errors import UploadError
from .models import Movie, TargetLength
from .roles import require_uploader

CHUNK_BYTES = 8 * 1024 * 1024
# Stands in for a movie id in URLs the page's script completes once the movie exists.
URL_PLACEHOLDER = 987654321


def render_tus(answer: tus.TusAnswer) -> HttpResponse:
    """The upload page's rendering of a tus answer: page URLs, errors as `{"error": …}`."""
    if answer.error:
        response: HttpResponse = JsonResponse({"error": answer.error}, status=answer.status)
    else:
        response = HttpResponse(status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    if answer.status == 201 and answer.upload is not None:
        response["Location"] = reverse("tus_resource", args=[answer.upload.pk])
    if answer.movie is not None:
        response["Movie-Id"] = str(answer.movie.pk)
        response["Movie-Location"] = reverse("movie_detail", args=[answer.movie.pk])
    return response


def tus_collection(request: HttpRequest) -> HttpResponse:
    """OPTIONS: what the server supports; POST: open a new upload (tus creation)."""
    if request.method == "OPTIONS":
        return render_tus(tus.options())
    if request.method != "POST":
        return render_tus(tus.not_allowed("OPTIONS, POST"))
    return render_tus(tus.create(request))


def tus_resource(request: HttpRequest, pk: str) -> HttpResponse:
    """HEAD: where the upload stands; PATCH: append bytes; DELETE: cancel it (tus termination)."""
    if request.method == "OPTIONS":
        return render_tus(tus.options())
    if request.method not in ("HEAD", "PATCH", "DELETE"):
        return render_tus(tus.not_allowed("OPTIONS, HEAD, PATCH, DELETE"))
    return render_tus(tus.resource(request, str(pk)))


def _client_text() -> dict[str, str]:
    """Sentences the page's script shows; `{name}` marks are filled in by the script."""
    return {
        "progress": _("{percent}% · {sent} of {total}"),
        "choose_file": _("Choose a movie file first."),
        "preparing": _("Preparing the upload…"),
        "resuming": _("Resuming the earlier upload of this file."),
        "uploading": _("Uploading. You can pause, or close the page and resume later."),
        "paused": _("Paused. Press Resume to continue."),
        "retrying": _("The connection dropped. Trying again in {seconds} s…"),
        "checking": _("Upload finished. Checking the movie…"),
        "subtitles": _("Sending the subtitle file…"),
        "subtitles_refused": _("Choose another subtitle file or clear it, then press Continue."),
        "starting": _("Starting the recap…"),
        "failed": _("The upload failed. Check your connection and press Upload to try again."),
        "continue": _("Continue"),
        # The movie page's sentence, its mark turned into one the script fills in.
        "lengths_limited": _("The movie lasts %(duration)s: longer recap lengths are not offered.")
        % {"duration": "{duration}"},
    }


@require_GET
def upload_page(request: HttpRequest) -> HttpResponse:
    try:
        require_uploader(user=request.user)
    except PermissionDenied as exc:
        context = {"status": 403, "title": _("Upload not allowed"), "message": str(exc)}
        return render(request, "error.html", context, status=403)
    tenant_language = getattr(request.tenant, "default_language", "")
    codes = settings.LANGUAGE_CODES
    context = {
        "languages": settings.LANGUAGES,
        "movie_language": tenant_language if tenant_language in codes else get_language(),
        "subtitle_language": get_language(),
        "targets": TargetLength.choices,
        "max_gb": round(settings.MAX_UPLOAD_BYTES / 1024**3),
        "chunk_bytes": CHUNK_BYTES,
        "placeholder": URL_PLACEHOLDER,
        "client_text": _client_text(),
    }
    return render(request, "media_pipeline/upload.html", context)


@require_POST
def add_subtitles(request: HttpRequest, pk: int) -> HttpResponse:
    """A subtitle file for a movie: 201 with the track, or 400 with a translated reason."""
    try:
        require_uploader(user=request.user)
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    movie = Movie.objects.filter(pk=pk).first()
    if movie is None:
        return JsonResponse({"error": _("This movie does not exist.")}, status=404)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return JsonResponse({"error": _("Choose a subtitle file (SRT or WebVTT).")}, status=400)
    try:
        track = subtitle_tracks.add_subtitle_track(
            movie=movie,
            uploaded_file=uploaded,
            language=request.POST.get("language", ""),
            user=request.user,
        )
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    except UploadError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    return JsonResponse({"id": track.pk, "cues": track.cue_count}, status=201)
