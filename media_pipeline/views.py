"""Pages of the movie library, and the only way an organisation's files are served."""

from __future__ import annotations

import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect

from .storage import tenant_key


def protected_file(request: HttpRequest, name: str) -> HttpResponse:
    """Serve a file of the current organisation; the membership check has already run."""
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
    return FileResponse(default_storage.open(key, "rb"), content_type=content_type)
