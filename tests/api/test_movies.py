"""Movies and subtitle tracks through the API: paginated, filtered, searched and ordered lists;
delete gives the storage back; subtitle files are checked before they are kept."""

from __future__ import annotations

import io

import pytest
from django_tenants.utils import tenant_context

from billing.models import UsageRecord
from compliance.models import AuditEvent
from media_pipeline.models import Movie, MovieStatus, SubtitleTrack
from tests.api.conftest import add_movie, add_recap

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(tenant_a, owner_a) -> list[Movie]:
    movies = [
        add_movie(tenant_a, owner_a, title="Arrival", language="en", duration=300),
        add_movie(tenant_a, owner_a, title="Amélie", language="fr", duration=100),
        add_movie(tenant_a, owner_a, title="Metropolis", language="de", duration=200),
    ]
    with tenant_context(tenant_a):
        Movie.objects.filter(pk=movies[2].pk).update(status=MovieStatus.FAILED)
    return movies


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [movie["title"] for movie in response.json()["results"]]


def test_the_list_is_paginated_with_count_next_and_previous(alpha, library):
    first = alpha.get("/api/v1/movies/?limit=2").json()
    assert first["count"] == 3 and len(first["results"]) == 2
    assert first["previous"] is None and "offset=2" in first["next"]
    second = alpha.get(first["next"]).json()
    assert [m["title"] for m in second["results"]] == ["Arrival"]
    assert second["next"] is None and second["previous"]


def test_the_list_filters_searches_and_orders(alpha, library):
    assert titles(alpha.get("/api/v1/movies/?status=failed")) == ["Metropolis"]
    assert titles(alpha.get("/api/v1/movies/?language=fr")) == ["Amélie"]
    assert titles(alpha.get("/api/v1/movies/?search=arr")) == ["Arrival"]
    assert titles(alpha.get("/api/v1/movies/?ordering=title")) == [
        "Amélie",
        "Arrival",
        "Metropolis",
    ]
    assert titles(alpha.get("/api/v1/movies/?ordering=-duration")) == [
        "Arrival",
        "Metropolis",
        "Amélie",
    ]


def test_an_unknown_filter_value_is_a_field_error(alpha, library):
    response = alpha.get("/api/v1/movies/?status=lost")
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert list(body["errors"]) == ["status"]
    assert body["instance"] == "/api/v1/movies/"


def test_a_movie_is_retrieved_with_its_api_url(alpha, library):
    body = alpha.get(f"/api/v1/movies/{library[0].pk}/").json()
    assert body["url"] == f"http://alpha.localhost/api/v1/movies/{library[0].pk}/"
    assert (body["title"], body["language"], body["duration"]) == ("Arrival", "en", 300)


def test_deleting_a_movie_removes_its_recaps_and_files_and_frees_storage(
    alpha, tenant_a, owner_a, storage, django_capture_on_commit_callbacks
):
    movie = add_movie(tenant_a, owner_a, size_bytes=4)
    recap = add_recap(tenant_a, movie)
    assert any(storage.rglob("recap.mp4"))
    with django_capture_on_commit_callbacks(execute=True):
        response = alpha.delete(f"/api/v1/movies/{movie.pk}/")
    assert response.status_code == 204
    with tenant_context(tenant_a):
        assert not Movie.objects.exists()
    assert [p for p in storage.rglob("*") if p.is_file()] == []
    freed = UsageRecord.objects.get(tenant=tenant_a, reference=f"movie:{movie.pk}:deleted")
    assert freed.quantity == -(4 + recap.size_bytes)
    assert AuditEvent.objects.filter(action="movie.deleted", actor_id=owner_a.pk).exists()
    assert alpha.get(f"/api/v1/movies/{movie.pk}/").status_code == 404


def test_a_movie_being_recapped_cannot_be_deleted(alpha, tenant_a, owner_a):
    movie = add_movie(tenant_a, owner_a)
    assert alpha.post(f"/api/v1/movies/{movie.pk}/jobs/", {"target": "auto"}).status_code == 201
    response = alpha.delete(f"/api/v1/movies/{movie.pk}/")
    assert response.status_code == 409
    assert "Cancel it before deleting" in response.json()["detail"]


def post_track(client, movie: Movie, content: bytes, language: str = "fr"):
    upload = io.BytesIO(content)
    upload.name = "voyage.srt"
    return client.client.post(
        client.url(f"/api/v1/movies/{movie.pk}/subtitle-tracks/"),
        {"file": upload, "language": language},
    )


def test_subtitle_tracks_are_added_and_listed(alpha, tenant_a, owner_a):
    movie = add_movie(tenant_a, owner_a)
    srt = (
        b"1\n00:00:00,500 --> 00:00:01,500\nBonjour.\n\n"
        b"2\n00:00:02,000 --> 00:00:03,000\nAu revoir.\n"
    )
    added = post_track(alpha, movie, srt)
    assert added.status_code == 201, added.content
    assert (added.json()["language"], added.json()["cue_count"]) == ("fr", 2)
    listed = alpha.get(f"/api/v1/movies/{movie.pk}/subtitle-tracks/").json()
    assert [t["id"] for t in listed["results"]] == [added.json()["id"]]


def test_a_binary_subtitle_file_is_a_field_error_and_nothing_is_kept(alpha, tenant_a, owner_a):
    movie = add_movie(tenant_a, owner_a)
    refused = post_track(alpha, movie, bytes(range(256)) * 4)
    assert refused.status_code == 400
    assert refused.json()["errors"]["file"] == [
        "The subtitle file could not be read. Upload an SRT or WebVTT text file."
    ]
    with tenant_context(tenant_a):
        assert not SubtitleTrack.objects.exists()
