"""`Idempotency-Key` on POSTs that create something: the first successful answer is kept for
24 hours and replayed to the same client for the same request; the same key with another
request is refused (422), and one still running answers 409."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from .errors import problem_response
from .models import ApiKey, IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
TTL = timedelta(hours=24)
# Request headers that are part of "the same request" besides the body (tus creation has none).
FINGERPRINT_HEADERS = ("Upload-Length", "Upload-Metadata")
# Response headers worth replaying (the rest is recomputed for every answer).
KEPT_HEADERS = ("Location", "Upload-Offset", "Upload-Length", "Tus-Resumable", "Movie-Id")

Handler = Callable[..., Response]


def owner_of(request: Request) -> str:
    if isinstance(request.auth, ApiKey):
        return f"key:{request.auth.pk}"
    return f"user:{request.user.pk}"


def _canonical(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        content = hashlib.sha256()
        for chunk in value.chunks():
            content.update(chunk)
        value.seek(0)
        return {"file": value.name, "size": value.size, "sha256": content.hexdigest()}
    return value


def fingerprint_of(request: Request) -> str:
    digest = hashlib.sha256()
    data = request.data
    if hasattr(data, "lists"):
        payload: Any = {key: [_canonical(v) for v in values] for key, values in data.lists()}
    else:
        payload = data
    headers = {name: request.headers.get(name, "") for name in FINGERPRINT_HEADERS}
    blob = json.dumps([request.method, request.path, headers, payload], sort_keys=True, default=str)
    digest.update(blob.encode())
    return digest.hexdigest()


def purge_expired_records(*, now: Any = None) -> int:
    """Forget records older than the replay window (current organisation)."""
    cutoff = (now or timezone.now()) - TTL
    deleted, _detail = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def idempotent(*, redact: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
    """Wrap an APIView POST handler. Fields in `redact` (secrets) are not stored; a replay
    answers them as null."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            key = request.headers.get(HEADER)
            if key is None:
                return handler(view, request, *args, **kwargs)
            key = key.strip()
            if not key or len(key) > 255:
                raise exceptions.ValidationError(
                    {HEADER: [_("Use an Idempotency-Key of 1 to 255 characters.")]}
                )
            owner, fingerprint = owner_of(request), fingerprint_of(request)
            IdempotencyRecord.objects.filter(
                owner=owner, key=key, created_at__lt=timezone.now() - TTL
            ).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        owner=owner,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        fingerprint=fingerprint,
                    )
            except IntegrityError:
                return _answer_again(request, owner, key, fingerprint)
            try:
                response = handler(view, request, *args, **kwargs)
            except BaseException:
                record.delete()
                raise
            if not 200 <= response.status_code < 300:
                # Only successes are kept: a refused request may be corrected and sent again.
                record.delete()
                return response
            body = response.data
            if isinstance(body, dict) and redact:
                body = {k: (None if k in redact else v) for k, v in body.items()}
            record.status = response.status_code
            record.body = json.loads(json.dumps(body, default=str)) if body is not None else None
            record.headers = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
            record.save(update_fields=["status", "body", "headers"])
            return response

        return wrapper

    return decorate


def _answer_again(request: Request, owner: str, key: str, fingerprint: str) -> Response:
    record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if record is None:  # finished and forgotten between the two queries: refuse, don't guess
        return problem_response(
            409,
            _("A request with this Idempotency-Key is still being processed. Retry shortly."),
            request=request._request,
            code="idempotency_in_progress",
        )
    if record.fingerprint != fingerprint:
        return problem_response(
            422,
            _(
                "This Idempotency-Key was already used for a different request. "
                "Use a new key for a new request."
            ),
            request=request._request,
            code="idempotency_key_reused",
        )
    if record.status is None:
        return problem_response(
            409,
            _("A request with this Idempotency-Key is still being processed. Retry shortly."),
            request=request._request,
            code="idempotency_in_progress",
        )
    response = Response(record.body, status=record.status, headers=dict(record.headers))
    response[REPLAYED_HEADER] = "true"
    return response
