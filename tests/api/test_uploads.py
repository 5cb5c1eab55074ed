"""Movies uploaded through the API with tus: in chunks, resumable, refused input explained as
problem+json, and the movie's API URL at the end."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context

from media_pipeline.models import Movie, MovieStatus, Upload
from tests.media_pipeline.pipeline.media import make_clip

pytestmark = pytest.mark.django_db

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
OCTETS = "application/offset+octet-stream"


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("api-upload") / "clip.mp4"
    return Path(make_clip(str(path), duration=2, size=(96, 64))).read_bytes()


def metadata(**pairs: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


def create(client, length: int, **extra):
    return client.post(
        "/api/v1/uploads/",
        None,
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=metadata(filename="trip.mp4", title="Road Trip", language="en"),
        **TUS,
        **extra,
    )


def send(client, location: str, chunk: bytes, offset: int):
    return client.patch(location, chunk, content_type=OCTETS, HTTP_UPLOAD_OFFSET=str(offset), **TUS)


@pytest.mark.parametrize("reach", ["host", "prefix", "header"])
def test_a_movie_sent_in_chunks_through_the_api_becomes_a_movie(
    reach, tenant_a, key_a, owner_a, clip, api, django_capture_on_commit_callbacks
):
    client = api("alpha", f"Api-Key {key_a}", reach=reach)
    created = create(client, len(clip))
    assert created.status_code == 201, created.content
    location = created["Location"]
    assert "/api/v1/uploads/" in location
    assert location.startswith("http://") and (reach != "prefix" or "/t/alpha/" in location)

    third = len(clip) // 3
    assert send(client, location, clip[:third], 0)["Upload-Offset"] == str(third)
    head = client.head(location, **TUS)
    assert (head.status_code, head["Upload-Offset"]) == (200, str(third))
    with django_capture_on_commit_callbacks(execute=True):
        done = send(client, location, clip[third:], third)

    assert done.status_code == 204, done.content
    movie_url = done["Movie-Location"]
    assert movie_url.endswith(f"/api/v1/movies/{done['Movie-Id']}/")
    movie = client.get(movie_url).json()
    assert (movie["title"], movie["status"], movie["size_bytes"]) == (
        "Road Trip",
        MovieStatus.READY,
        len(clip),
    )
    with tenant_context(tenant_a):
        assert Movie.objects.get(pk=movie["id"]).uploader == owner_a


def test_a_chunk_at_the_wrong_offset_is_a_problem_with_the_tus_headers(alpha):
    location = create(alpha, 1000)["Location"]
    assert send(alpha, location, b"x" * 10, 0).status_code == 204
    conflict = send(alpha, location, b"x" * 10, 0)
    assert conflict.status_code == 409
    assert conflict["Content-Type"] == "application/problem+json"
    assert conflict["Tus-Resumable"] == "1.0.0"
    assert conflict.json()["type"] == "urn:movie-recap:problem:conflict"
    assert "resume" in conflict.json()["detail"]


def test_a_file_that_is_not_a_video_is_refused_and_discarded(alpha, tenant_a):
    junk = b"These are notes, not a movie.\n" * 30
    location = create(alpha, len(junk))["Location"]
    refused = send(alpha, location, junk, 0)
    assert refused.status_code == 422
    assert refused.json()["type"] == "urn:movie-recap:problem:upload_refused"
    assert refused.json()["detail"].startswith("This file is not a video we can read.")
    with tenant_context(tenant_a):
        assert not Upload.objects.exists() and not Movie.objects.exists()


def test_an_upload_without_the_protocol_version_is_refused(alpha):
    response = alpha.post("/api/v1/uploads/", None, HTTP_UPLOAD_LENGTH="10")
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    assert response["Content-Type"] == "application/problem+json"


def test_an_upload_can_be_terminated(alpha, tenant_a, django_capture_on_commit_callbacks):
    location = create(alpha, 1000)["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        assert alpha.delete(location, **TUS).status_code == 204
    assert alpha.head(location, **TUS).status_code == 404
    with tenant_context(tenant_a):
        assert not Upload.objects.exists()


def test_a_viewer_may_not_upload(tenant_a, owner_a, api):
    from tests import factories

    viewer = factories.make_member(tenant_a, "viewer-a@example.com", role="viewer")
    pair = api("alpha").post(
        "/api/v1/auth/token/", {"email": viewer.email, "password": factories.PASSWORD}
    )
    refused = create(api("alpha", f"Bearer {pair.json()['access']}"), 100)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Viewers can watch movies and recaps but not upload them."
