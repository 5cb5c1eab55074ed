"""The tus 1.0.0 protocol (core, creation, termination) over media_pipeline.uploads.

Each function reads a Django request's tus headers (the API passes the request under DRF's) and
returns a `TusAnswer`: the status, the tus
headers, the upload and, once complete, the movie — or a translated refusal with a stable code.
The upload page's endpoints and the API's each render it their own way (JSON or problem+json,
page or API URLs); neither re-reads the other's output.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest
from django.utils.translation import gettext as _

from web import ratelimit

from . import uploads
from .errors import UploadError
from .models import Movie, Upload
from .roles import require_uploader

VERSION = "1.0.0"
EXTENSIONS = "creation,termination"
CONTENT_TYPE = "application/offset+octet-stream"
# Refusals that mean something more specific than their status.
CODES = {422: "upload_refused", 410: "upload_expired", 412: "tus_version", 429: "throttled"}


@dataclass(frozen=True)
class TusAnswer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""
    upload: Upload | None = None
    movie: Movie | None = None

    @property
    def code(self) -> str | None:
        return CODES.get(self.status) if self.error else None


def _answer(status: int, **kwargs: Any) -> TusAnswer:
    headers = {"Tus-Resumable": VERSION, **kwargs.pop("headers", {})}
    return TusAnswer(status, headers, **kwargs)


def refuse(message: str, status: int, **headers: str) -> TusAnswer:
    return _answer(status, error=message, headers=headers)


def options() -> TusAnswer:
    return _answer(
        204,
        headers={
            "Tus-Version": VERSION,
            "Tus-Extension": EXTENSIONS,
            "Tus-Max-Size": str(settings.MAX_UPLOAD_BYTES),
        },
    )


def not_allowed(allowed: str) -> TusAnswer:
    return refuse(_("This method is not allowed here."), 405, Allow=allowed)


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


def _version_refusal(headers: Mapping[str, str]) -> TusAnswer | None:
    if headers.get("Tus-Resumable") == VERSION:
        return None
    return refuse(
        _("This upload client speaks a protocol version we do not support."),
        412,
        **{"Tus-Version": VERSION},
    )


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else None


def _refusal(exc: UploadError | PermissionDenied) -> TusAnswer:
    if isinstance(exc, PermissionDenied):
        return refuse(str(exc), 403)
    return refuse(exc.message, exc.status)


def _gate(user: Any, headers: Mapping[str, str]) -> TusAnswer | None:
    """Who may upload at all, and in which protocol version: the refusal, or None."""
    try:
        require_uploader(user=user)
    except PermissionDenied as exc:
        return _refusal(exc)
    return _version_refusal(headers)


def create(request: HttpRequest) -> TusAnswer:
    """POST: open a new upload (tus creation) for the caller of `request`."""
    tenant, user, headers = request.tenant, request.user, request.headers
    if refusal := _gate(user, headers):
        return refusal
    length = _header_int(headers, "Upload-Length")
    if length is None:
        return refuse(_("The upload did not say how large the file is."), 400)
    limit = ratelimit.hit(
        "uploads",
        f"{connection.schema_name}:user:{user.pk}",
        ratelimit.parse_rate(settings.UPLOAD_THROTTLE_RATE),
    )
    if not limit.allowed:
        return refuse(
            ratelimit.retry_message(limit.retry_after),
            429,
            **{"Retry-After": str(limit.retry_after)},
        )
    try:
        metadata = parse_metadata(headers.get("Upload-Metadata", ""))
    except ValueError:
        return refuse(_("The upload's description could not be read. Try again."), 400)
    try:
        upload = uploads.create_upload(
            tenant=tenant,
            user=user,
            filename=metadata.get("filename", ""),
            length=length,
            metadata=metadata,
        )
    except (UploadError, PermissionDenied) as exc:
        return _refusal(exc)
    return _answer(201, headers={"Upload-Offset": "0"}, upload=upload)


def find(*, user: Any, upload_id: str) -> Upload | None:
    """The caller's own upload (staff: any). Uploads live in the organisation's schema, so
    another organisation's id is simply not here."""
    found = Upload.objects.filter(pk=upload_id)
    if not getattr(user, "is_staff", False):
        found = found.filter(created_by_id=user.pk)
    return found.select_related("movie").first()


def resource(request: HttpRequest, upload_id: str) -> TusAnswer:
    """HEAD: where the upload stands; PATCH: append bytes; DELETE: cancel it (termination)."""
    method, user, headers = request.method, request.user, request.headers
    if refusal := _gate(user, headers):
        return refusal
    upload = find(user=user, upload_id=upload_id)
    if upload is None:
        return refuse(_("This upload does not exist any more. Start it again."), 404)
    if method == "HEAD":
        return _answer(
            200,
            headers={
                "Upload-Offset": str(upload.offset),
                "Upload-Length": str(upload.length),
                "Cache-Control": "no-store",
            },
            upload=upload,
            movie=upload.movie,
        )
    if method == "DELETE":
        try:
            uploads.terminate_upload(upload=upload, user=user)
        except (UploadError, PermissionDenied) as exc:
            return _refusal(exc)
        return _answer(204)
    return _patch(request, upload)


def _patch(request: HttpRequest, upload: Upload) -> TusAnswer:
    """Append the request's body at Upload-Offset; the request itself is the stream."""
    if request.content_type != CONTENT_TYPE:
        return refuse(_("The upload sent its data in the wrong format."), 415)
    offset = _header_int(request.headers, "Upload-Offset")
    content_length = request.META.get("CONTENT_LENGTH") or "0"
    if offset is None or not (content_length.isascii() and content_length.isdigit()):
        return refuse(_("The upload did not say where its data goes. Try again."), 400)
    user = request.user
    try:
        upload = uploads.append_chunk(
            upload=upload,
            offset=offset,
            stream=request,
            content_length=int(content_length),
            user=user,
        )
        movie = None
        if upload.is_complete:
            movie = uploads.complete_movie_upload(upload=upload, tenant=request.tenant, user=user)
    except (UploadError, PermissionDenied) as exc:
        return _refusal(exc)
    return _answer(204, headers={"Upload-Offset": str(upload.offset)}, upload=upload, movie=movie)
