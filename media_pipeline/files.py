"""Serving an organisation's stored files (movies, subtitles, recap outputs): the one place that
turns an object key into a response, for the pages and for signed API download links.

Local files answer byte ranges (a player seeking in a recap asks for them), or are handed to the
front server after the access check when PROTECTED_MEDIA_HANDOFF says so; files on S3 are
served by a short-lived signed URL, never proxied.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils.http import http_date

from .storage import tenant_key

# One range of bytes; several ranges in one request are answered with the whole file (allowed
# by RFC 9110 §14.2), which players never ask for anyway.
BYTE_RANGE = re.compile(r"^bytes=(?P<first>\d*)-(?P<last>\d*)$")
CHUNK = 64 * 1024


class Unsatisfiable(Exception):
    """The range starts past the end of the file (416)."""


@dataclass(frozen=True)
class ByteRange:
    first: int
    last: int  # inclusive

    @property
    def length(self) -> int:
        return self.last - self.first + 1


def byte_range(header: str, size: int) -> ByteRange | None:
    """The range a `Range` header asks for in a file of `size` bytes: None to send the whole
    file (no header, or one this server does not serve), Unsatisfiable past the end."""
    match = BYTE_RANGE.match(header.strip())
    if not match or not (match["first"] or match["last"]):
        return None
    if not match["first"]:  # the last N bytes
        wanted = int(match["last"])
        if wanted == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - wanted), size - 1)
    first = int(match["first"])
    last = int(match["last"]) if match["last"] else size - 1
    if match["last"] and last < first:
        return None  # malformed: ignored, as RFC 9110 asks
    if first >= size:
        raise Unsatisfiable
    return ByteRange(first, min(last, size - 1))


def _read(handle: IO[bytes], wanted: ByteRange) -> Iterator[bytes]:
    with handle:
        handle.seek(wanted.first)
        left = wanted.length
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def _content_type(key: str) -> str:
    if key.endswith(".vtt"):
        return "text/vtt; charset=utf-8"
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


def _handoff(key: str, content_type: str) -> HttpResponse:
    """The access check is done: the front server sends the bytes (and answers ranges)."""
    response = HttpResponse(content_type=content_type)
    if settings.PROTECTED_MEDIA_HANDOFF == "x-accel-redirect":
        response["X-Accel-Redirect"] = settings.PROTECTED_MEDIA_ACCEL_PREFIX + quote(key)
    else:
        response["X-Sendfile"] = default_storage.path(key)
    return response


def content_disposition(filename: str) -> str:
    """RFC 6266 `attachment`: an ASCII fallback for old clients and the exact name in UTF-8
    (RFC 8187)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9 ._()-]+", "_", ascii_name).strip() or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(
    request: HttpRequest, name: str, *, download_name: str | None = None
) -> HttpResponse:
    """The file `name` (relative to the current organisation's folder), or Http404.
    `download_name`: saved under that name rather than shown (on S3 the signed URL carries it)."""
    try:
        key = tenant_key(name)
    except ValueError as exc:
        raise Http404 from exc
    if not default_storage.exists(key):
        raise Http404
    disposition = content_disposition(download_name) if download_name else ""
    if hasattr(default_storage, "bucket_name"):
        parameters = {"ResponseContentDisposition": disposition} if disposition else None
        return HttpResponseRedirect(default_storage.url(key, parameters=parameters))
    response = _local_response(request, key)
    if disposition:
        response["Content-Disposition"] = disposition
    return response


def _local_response(request: HttpRequest, key: str) -> HttpResponse:
    content_type = _content_type(key)
    if settings.PROTECTED_MEDIA_HANDOFF:
        return _handoff(key, content_type)

    size = default_storage.size(key)
    modified = http_date(default_storage.get_modified_time(key).timestamp())
    asked = request.headers.get("Range", "")
    if request.headers.get("If-Range", modified) != modified:
        asked = ""  # the file changed since the client's copy: it gets the whole new one
    try:
        wanted = byte_range(asked, size)
    except Unsatisfiable:
        response = HttpResponse(status=416, content_type=content_type)
        response["Content-Range"] = f"bytes */{size}"
    else:
        if wanted is None:
            response = FileResponse(default_storage.open(key, "rb"), content_type=content_type)
        else:
            response = StreamingHttpResponse(
                _read(default_storage.open(key, "rb"), wanted),
                status=206,
                content_type=content_type,
            )
            response["Content-Range"] = f"bytes {wanted.first}-{wanted.last}/{size}"
            response["Content-Length"] = str(wanted.length)
    response["Accept-Ranges"] = "bytes"
    response["Last-Modified"] = modified
    return response


def file_url(field: object) -> str:
    """The protected page URL of a stored file (under the organisation's folder)."""
    name = getattr(field, "name", "") or ""
    prefix = tenant_key("x")[:-1]
    if not name.startswith(prefix):
        return ""
    return reverse("protected_file", args=[name[len(prefix) :]])
