"""Where an organisation's files live: every object key starts with tenants/<schema>/."""

from __future__ import annotations

import posixpath
import uuid

from django.db import connection


def tenant_prefix(schema_name: str | None = None) -> str:
    return f"tenants/{schema_name or connection.schema_name}/"


def tenant_key(*parts: str, schema_name: str | None = None) -> str:
    """An object key inside the current (or given) organisation's folder."""
    key = posixpath.normpath(posixpath.join(*parts)).lstrip("/")
    if key.startswith(".."):
        raise ValueError("Object keys stay inside the organisation's folder.")
    return tenant_prefix(schema_name) + key


def movie_upload_to(instance: object, filename: str) -> str:
    extension = posixpath.splitext(filename)[1].lower()[:10]
    return tenant_key("movies", f"{uuid.uuid4().hex}{extension}")
