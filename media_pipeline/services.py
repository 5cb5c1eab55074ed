"""Writes on movies of the current organisation."""

from __future__ import annotations

import hashlib

from django.core.files.storage import default_storage
from django.db import transaction

from .models import Movie

CHUNK = 1024 * 1024


def verify_movie_checksum(*, movie_id: int) -> str:
    """Compute the SHA-256 of the stored file and record it on the movie."""
    movie = Movie.objects.get(pk=movie_id)
    digest = hashlib.sha256()
    with default_storage.open(movie.file.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    with transaction.atomic():
        Movie.objects.filter(pk=movie_id).update(
            checksum=digest.hexdigest(), size_bytes=movie.file.size
        )
    return digest.hexdigest()
