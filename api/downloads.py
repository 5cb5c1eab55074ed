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

from media_pipeline.files import content_disposition
from media_pipeline.models import Recap
from media_pipeline.sharing import download_name
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


def sign_file(name: str, download_name: str = "") -> str:
    """A token for one file; `download_name`: what the file is saved as (the movie's title)."""
    data = {"k": name, "s": connection.schema_name}
    if download_name:
        data["n"] = download_name
    return _signer().sign_object(data, compress=True)


def file_for_token(token: str) -> tuple[str, str]:
    """The storage key a token grants, relative to the organisation's folder, and the name the
    file is saved as ('' for none)."""
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
    return name[len(prefix) :], str(data.get("n", ""))


def recap_links(recap: Recap, url_for_token: Callable[[str], str]) -> Links:
    ttl = settings.API_DOWNLOAD_TTL
    on_s3 = hasattr(default_storage, "bucket_name")
    urls: dict[str, str | None] = {}
    title = recap.movie.title
    for field in Recap.FILE_FIELDS:
        name = getattr(recap, field).name
        saved_as = download_name(title, field)
        if not name:
            urls[field] = None
        elif on_s3:
            parameters = {"ResponseContentDisposition": content_disposition(saved_as)}
            urls[field] = default_storage.url(name, expire=ttl, parameters=parameters)
        else:
            urls[field] = url_for_token(sign_file(name, saved_as))
    return Links(expires_at=timezone.now() + timedelta(seconds=ttl), urls=urls)
