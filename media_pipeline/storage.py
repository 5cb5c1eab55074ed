"""Where an organisation's files live: every object key starts with tenants/<schema>/."""

from __future__ import annotations

import posixpath
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection


def tenant_prefix(schema_name: str | None = None) -> str:
    return f"tenants/{schema_name or connection.schema_name}/"


def tenant_key(*parts: str, schema_name: str | None = None) -> str:
    """An object key inside the current (or given) organisation's folder."""
    key = posixpath.normpath(posixpath.join(*parts)).lstrip("/")
    if key.startswith("..") or key == ".":
        raise ValueError("Object keys stay inside the organisation's folder.")
    return tenant_prefix(schema_name) + key


def _extension(filename: str) -> str:
    return posixpath.splitext(filename)[1].lower()[:10]


def movie_upload_to(instance: object, filename: str) -> str:
    return tenant_key("movies", f"{uuid.uuid4().hex}{_extension(filename)}")


def subtitle_upload_to(instance: object, filename: str) -> str:
    return tenant_key("subtitles", f"{uuid.uuid4().hex}{_extension(filename)}")


def recap_upload_to(instance: object, filename: str) -> str:
    job_id = getattr(instance, "job_id", None) or "unassigned"
    return tenant_key("recaps", str(job_id), posixpath.basename(filename))


def staging_dir() -> Path:
    """Local folder for bytes in flight (resumable uploads); per organisation."""
    path = Path(settings.WORK_ROOT) / "uploads" / connection.schema_name
    path.mkdir(parents=True, exist_ok=True)
    return path


def work_dir(job_id: int) -> Path:
    """Local scratch folder of one recap job; removed when the job ends."""
    path = Path(settings.WORK_ROOT) / "jobs" / connection.schema_name / str(job_id)
    path.mkdir(parents=True, exist_ok=True)
    return path
