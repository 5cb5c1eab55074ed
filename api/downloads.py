"""Expiring download links for recap files: signed tokens served by /api/v1/files/<token>/,
or S3 presigned URLs when the files live on S3. A token names one file of one organisation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from media_pipeline.models import Recap
from media_pipeline.storage import tenant_prefix


class InvalidLink(Exception):
    """Forged, for another organisation, or for a file outside its folder."""


class ExpiredLink(Exception):
    """Signed correctly, but older than API_DOWNLOAD_TTL."""


@dataclass(frozen=True)
class Links:
    expires_at: datetime
    urls: dict[str, str | None]


def _signer() -> signing.TimestampSigner:
    # The salt carries the schema: a token signed for one organisation is garbage on another.
    return signing.TimestampSigner(salt=f"api.files:{connection.schema_name}")


def sign_file(name: str) -> str:
    return _signer().sign_object({"k": name, "s": connection.schema_name}, compress=True)


def file_for_token(token: str) -> str:
    """The storage key a token grants, relative to the organisation's folder."""
    try:
        data = _signer().unsign_object(token, max_age=settings.API_DOWNLOAD_TTL)
    except signing.SignatureExpired as exc:
        raise ExpiredLink from exc
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidLink from exc
    if not isinstance(data, dict) or data.get("s") != connection.schema_name:
        raise InvalidLink
    name, prefix = str(data.get("k", "")), tenant_prefix()
    if not name.startswith(prefix):
        raise InvalidLink
    return name[len(prefix) :]


def recap_links(recap: Recap, url_for_token: Callable[[str], str]) -> Links:
    ttl = settings.API_DOWNLOAD_TTL
    on_s3 = hasattr(default_storage, "bucket_name")
    urls: dict[str, str | None] = {}
    for field in Recap.FILE_FIELDS:
        name = getattr(recap, field).name
        if not name:
            urls[field] = None
        elif on_s3:
            urls[field] = default_storage.url(name, expire=ttl)
        else:
            urls[field] = url_for_token(sign_file(name))
    return Links(expires_at=timezone.now() + timedelta(seconds=ttl), urls=urls)
