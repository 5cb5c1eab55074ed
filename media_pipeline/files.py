"""Serving an organisation's stored files (movies, subtitles, recap outputs): the one place that
turns an object key into a response, for the pages and for signed API download links."""

from __future__ import annotations

import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .storage import tenant_key


def file_response(name: str) -> HttpResponse:
    """The file `name` (relative to the current organisation's folder), or Http404."""
    try:
        key = tenant_key(name)
    except ValueError as exc:
        raise Http404 from exc
    if not default_storage.exists(key):
        raise Http404
    if hasattr(default_storage, "bucket_name"):
        # On S3 the object is served by a short-lived signed URL, never proxied.
        return HttpResponseRedirect(default_storage.url(key))
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    if key.endswith(".vtt"):
        content_type = "text/vtt; charset=utf-8"
    response = FileResponse(default_storage.open(key, "rb"), content_type=content_type)
    response["Accept-Ranges"] = "bytes"
    return response


def file_url(field: object) -> str:
    """The protected page URL of a stored file (under the organisation's folder)."""
    name = getattr(field, "name", "") or ""
    prefix = tenant_key("x")[:-1]
    if not name.startswith(prefix):
        return ""
    return reverse("protected_file", args=[name[len(prefix) :]])
