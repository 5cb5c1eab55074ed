"""The tus 1.0.0 endpoints (core, creation, termination), the upload page and subtitle files.

Thin: parse headers and forms, call media_pipeline.uploads, answer in the person's language.
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import WRITER_ROLES

from . import uploads
from .models import Movie, TargetLength, Upload

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination"
TUS_CONTENT_TYPE = "application/offset+octet-stream"
CHUNK_BYTES = 8 * 1024 * 1024
# Stands in for a movie id in URLs the page's script completes once the movie exists.
URL_PLACEHOLDER = 987654321


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64value` pairs (the value may be absent)."""
    pairs: dict[str, str] = {}
    for item in header.split(","):
        item = item.strip()
        if not item:
            continue
        key, _sep, encoded = item.partition(" ")
        if not key or key in pairs:
            raise ValueError(f"bad metadata key {key!r}")
        try:
            pairs[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError(f"bad metadata value for {key!r}") from exc
    return pairs


def _tus(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    return response


def _error(message: str, status: int) -> HttpResponse:
    return _tus(JsonResponse({"error": message}, status=status))


def _may_upload(request: HttpRequest) -> bool:
    if request.user.is_staff:
        return True
    membership = getattr(request, "membership", None)
    return membership is not None and membership.role in WRITER_ROLES


def _forbidden() -> HttpResponse:
    return _error(_("Viewers can watch movies and recaps but not upload them."), 403)


def _options() -> HttpResponse:
    response = _tus(HttpResponse(status=204))
    response["Tus-Version"] = TUS_VERSION
    response["Tus-Extension"] = TUS_EXTENSIONS
    response["Tus-Max-Size"] = str(settings.MAX_UPLOAD_BYTES)
    return response


def _refuse_version(request: HttpRequest) -> HttpResponse | None:
    if request.headers.get("Tus-Resumable") == TUS_VERSION:
        return None
    response = _error(_("This upload client speaks a protocol version we do not support."), 412)
    response["Tus-Version"] = TUS_VERSION
    return response


def _header_int(request: HttpRequest, name: str) -> int | None:
    value = request.headers.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else None


def _not_allowed(allowed: str) -> HttpResponse:
    response = _error(_("This method is not allowed here."), 405)
    response["Allow"] = allowed
    return response


def tus_collection(request: HttpRequest) -> HttpResponse:
    """OPTIONS: what the server supports; POST: open a new upload (tus creation)."""
    if request.method == "OPTIONS":
        return _options()
    if request.method != "POST":
        return _not_allowed("OPTIONS, POST")
    if not _may_upload(request):
        return _forbidden()
    if refusal := _refuse_version(request):
        return refusal
    length = _header_int(request, "Upload-Length")
    if length is None:
        return _error(_("The upload did not say how large the file is."), 400)
    try:
        metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
    except ValueError:
        return _error(_("The upload's description could not be read. Try again."), 400)
    try:
        upload = uploads.create_upload(
            tenant=request.tenant,
            user=request.user,
            filename=metadata.get("filename", ""),
            length=length,
            metadata=metadata,
        )
    except uploads.UploadError as exc:
        return _error(exc.message, exc.status)
    response = _tus(HttpResponse(status=201))
    response["Location"] = reverse("tus_resource", args=[upload.pk])
    response["Upload-Offset"] = "0"
    return response


def tus_resource(request: HttpRequest, pk: str) -> HttpResponse:
    """HEAD: where the upload stands; PATCH: append bytes; DELETE: cancel it (tus termination)."""
    if request.method == "OPTIONS":
        return _options()
    if request.method not in ("HEAD", "PATCH", "DELETE"):
        return _not_allowed("OPTIONS, HEAD, PATCH, DELETE")
    if not _may_upload(request):
        return _forbidden()
    if refusal := _refuse_version(request):
        return refusal
    # Uploads live in the organisation's schema: another organisation's id is simply not here.
    found = Upload.objects.filter(pk=pk)
    if not request.user.is_staff:
        found = found.filter(created_by_id=request.user.pk)
    upload = found.select_related("movie").first()
    if upload is None:
        return _error(_("This upload does not exist any more. Start it again."), 404)
    if request.method == "HEAD":
        return _head(upload)
    if request.method == "DELETE":
        try:
            uploads.terminate_upload(upload=upload, user=request.user)
        except uploads.UploadError as exc:
            return _error(exc.message, exc.status)
        return _tus(HttpResponse(status=204))
    return _patch(request, upload)


def _head(upload: Upload) -> HttpResponse:
    response = _tus(HttpResponse(status=200))
    response["Upload-Offset"] = str(upload.offset)
    response["Upload-Length"] = str(upload.length)
    response["Cache-Control"] = "no-store"
    if upload.movie is not None:
        _movie_headers(response, upload.movie)
    return response


def _movie_headers(response: HttpResponse, movie: Movie) -> None:
    response["Movie-Id"] = str(movie.pk)
    response["Movie-Location"] = reverse("movie_detail", args=[movie.pk])


def _patch(request: HttpRequest, upload: Upload) -> HttpResponse:
    if request.content_type != TUS_CONTENT_TYPE:
        return _error(_("The upload sent its data in the wrong format."), 415)
    offset = _header_int(request, "Upload-Offset")
    content_length = request.META.get("CONTENT_LENGTH") or "0"
    if offset is None or not (content_length.isascii() and content_length.isdigit()):
        return _error(_("The upload did not say where its data goes. Try again."), 400)
    try:
        upload = uploads.append_chunk(
            upload=upload, offset=offset, stream=request, content_length=int(content_length)
        )
        movie = None
        if upload.is_complete:
            movie = uploads.complete_movie_upload(
                upload=upload, tenant=request.tenant, user=request.user
            )
    except uploads.UploadError as exc:
        return _error(exc.message, exc.status)
    response = _tus(HttpResponse(status=204))
    response["Upload-Offset"] = str(upload.offset)
    if movie is not None:
        _movie_headers(response, movie)
    return response


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
    }


@require_GET
def upload_page(request: HttpRequest) -> HttpResponse:
    if not _may_upload(request):
        return render(
            request,
            "error.html",
            {
                "status": 403,
                "title": _("Upload not allowed"),
                "message": _("Viewers can watch movies and recaps but not upload them."),
            },
            status=403,
        )
    tenant_language = getattr(request.tenant, "default_language", "")
    codes = uploads.language_codes()
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
    if not _may_upload(request):
        return _error(_("Viewers can watch movies and recaps but not upload them."), 403)
    movie = Movie.objects.filter(pk=pk).first()
    if movie is None:
        return JsonResponse({"error": _("This movie does not exist.")}, status=404)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return JsonResponse({"error": _("Choose a subtitle file (SRT or WebVTT).")}, status=400)
    try:
        track = uploads.add_subtitle_track(
            movie=movie,
            uploaded_file=uploaded,
            language=request.POST.get("language", ""),
            user=request.user,
        )
    except uploads.UploadError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    return JsonResponse({"id": track.pk, "cues": track.cue_count}, status=201)
