"""Fixtures of the API tests: API keys, JWTs, clients that reach an organisation by host,
path prefix or header, files in a temporary storage, and small recaps to download."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django_tenants.utils import tenant_context

from api import services as api_services
from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob
from tests.factories import use_local_storage

# The three ways a client names an organisation: (Client kwargs, path prefix).
REACH = {
    "host": lambda slug: ({"HTTP_HOST": f"{slug}.localhost"}, ""),
    "prefix": lambda slug: ({"HTTP_HOST": "localhost"}, f"/t/{slug}"),
    "header": lambda slug: ({"HTTP_HOST": "localhost", "HTTP_X_TENANT_ID": slug}, ""),
}


@pytest.fixture(autouse=True)
def generous_rates(settings):
    """Rate limits stay out of the way, except where a test sets its own; passwords hash fast
    (a token is obtained in many tests; the hasher itself is not what they check)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "10000/min", "auth": "10000/min"},
    }


@pytest.fixture(autouse=True)
def storage(settings, tmp_path) -> Path:
    root = tmp_path / "storage"
    use_local_storage(settings, root)
    settings.WORK_ROOT = str(tmp_path / "work")
    return root


def make_key(tenant, user, scope: str = "write", name: str = "CI") -> str:
    with tenant_context(tenant):
        return api_services.create_api_key(name=name, scope=scope, acting_user=user).key


@pytest.fixture
def key_a(tenant_a, owner_a) -> str:
    return make_key(tenant_a, owner_a)


@pytest.fixture
def read_key_a(tenant_a, owner_a) -> str:
    return make_key(tenant_a, owner_a, scope="read")


@pytest.fixture
def key_b(tenant_b, owner_b) -> str:
    return make_key(tenant_b, owner_b)


class Api:
    """A test client for one organisation's API, with a credential and a way to reach it."""

    def __init__(self, slug: str, auth: str = "", reach: str = "host", language: str = "en"):
        extra, self.prefix = REACH[reach](slug)
        if auth:
            extra["HTTP_AUTHORIZATION"] = auth
        extra["HTTP_ACCEPT_LANGUAGE"] = language
        self.client = Client(**extra)

    def url(self, path: str) -> str:
        """A path of the API, or a URL the API answered (it already carries any prefix)."""
        if path.startswith("http"):
            return "/" + path.split("/", 3)[3]
        return self.prefix + path

    def get(self, path: str, **kw):
        return self.client.get(self.url(path), **kw)

    def post(self, path: str, data=None, **kw):
        kw.setdefault("content_type", "application/json")
        return self.client.post(self.url(path), data, **kw)

    def put(self, path: str, data=None, **kw):
        return self.client.put(self.url(path), data, content_type="application/json", **kw)

    def delete(self, path: str, **kw):
        return self.client.delete(self.url(path), **kw)

    def head(self, path: str, **kw):
        return self.client.head(self.url(path), **kw)

    def patch(self, path: str, data: bytes, **kw):
        return self.client.generic("PATCH", self.url(path), data, **kw)


@pytest.fixture
def api() -> Callable[..., Api]:
    return Api


@pytest.fixture
def alpha(key_a) -> Api:
    return Api("alpha", f"Api-Key {key_a}")


def add_movie(tenant, owner, *, title: str = "Le Voyage", language: str = "fr", **fields) -> Movie:
    """A ready movie with a (tiny, not playable) stored file; the API never decodes it."""
    with tenant_context(tenant):
        movie = Movie(
            title=title,
            language=language,
            uploader=owner,
            status=MovieStatus.READY,
            duration=fields.pop("duration", 60.0),
            size_bytes=fields.pop("size_bytes", 4),
            **fields,
        )
        movie.file.save("movie.mp4", ContentFile(b"\x00\x00\x00\x18"), save=True)
    return movie


def add_recap(tenant, movie: Movie) -> Recap:
    """A finished job and its recap, with a small file for every output."""
    with tenant_context(tenant):
        job = RecapJob.objects.create(
            movie=movie,
            target="60",
            language="en",
            state=JobState.DONE,
            percent=100,
            timings={"probing": 0.2, "analyzing": 1.5},
        )
        recap = Recap(
            job=job,
            movie=movie,
            language="en",
            synopsis="A traveller leaves, loses everything, and comes home changed.",
            chapters=[
                {
                    "title": "Departure",
                    "source_start": 0.0,
                    "source_end": 20.0,
                    "recap_start": 0.0,
                    "recap_end": 5.0,
                }
            ],
            duration=12.5,
            size_bytes=300,
        )
        for field, name, data in (
            ("video", "recap.mp4", b"video-bytes" * 10),
            ("poster", "poster.jpg", b"\xff\xd8poster"),
            ("sprite", "sprite.jpg", b"\xff\xd8sprite"),
            ("thumbnails_vtt", "thumbnails.vtt", b"WEBVTT\n"),
            ("chapters_vtt", "chapters.vtt", b"WEBVTT\n\n00:00.000 --> 00:05.000\nDeparture\n"),
        ):
            getattr(recap, field).save(name, ContentFile(data), save=False)
        recap.save()
        Movie.objects.filter(pk=movie.pk).update(status=MovieStatus.DONE)
    return recap
