"""Recaps through the API: metadata, chapters and synopsis, and expiring signed download links
that work without credentials but only for their file, their organisation and 15 minutes."""

from __future__ import annotations

import pytest
from django.core import signing
from django_tenants.utils import tenant_context

from tests.api.conftest import add_movie, add_recap

pytestmark = pytest.mark.django_db


@pytest.fixture
def recap(tenant_a, owner_a):
    return add_recap(tenant_a, add_movie(tenant_a, owner_a))


def test_a_recap_has_its_synopsis_chapters_and_links(alpha, recap):
    body = alpha.get(f"/api/v1/recaps/{recap.pk}/").json()
    assert body["synopsis"].startswith("A traveller leaves")
    assert body["chapters"][0] == {
        "title": "Departure",
        "source_start": 0.0,
        "source_end": 20.0,
        "recap_start": 0.0,
        "recap_end": 5.0,
    }
    assert (body["duration"], body["job_id"], body["movie_id"]) == (
        12.5,
        recap.job_id,
        recap.movie_id,
    )
    assert body["downloads_url"].endswith(f"/api/v1/recaps/{recap.pk}/downloads/")
    listed = alpha.get(f"/api/v1/recaps/?movie={recap.movie_id}&language=en").json()
    assert [r["id"] for r in listed["results"]] == [recap.pk]
    job = alpha.get(f"/api/v1/jobs/{recap.job_id}/").json()
    assert (job["state"], job["recap_id"], job["timings"]["analyzing"]) == ("done", recap.pk, 1.5)


def test_download_links_serve_the_files_without_credentials(alpha, recap, api):
    links = alpha.get(f"/api/v1/recaps/{recap.pk}/downloads/").json()
    assert links["subtitles_vtt"] is None and links["expires_at"]
    anonymous = api("alpha")
    video = anonymous.get(links["video"])
    assert video.status_code == 200
    assert b"".join(video.streaming_content) == b"video-bytes" * 10
    # Saved under the movie's title (RFC 6266), not as "recap.mp4".
    assert video["Content-Disposition"] == (
        'attachment; filename="Le Voyage - recap.mp4"; '
        "filename*=UTF-8''Le%20Voyage%20-%20recap.mp4"
    )
    chapters = anonymous.get(links["chapters_vtt"])
    assert chapters["Content-Type"].startswith("text/vtt")
    assert b"Departure" in b"".join(chapters.streaming_content)


def test_download_links_work_under_the_path_prefix(recap, key_a, api):
    prefixed = api("alpha", f"Api-Key {key_a}", reach="prefix")
    links = prefixed.get(f"/api/v1/recaps/{recap.pk}/downloads/").json()
    assert "/t/alpha/api/v1/files/" in links["poster"]
    assert api("alpha", reach="prefix").get(links["poster"]).status_code == 200


def test_an_expired_link_is_refused(alpha, recap, api, settings):
    poster = alpha.get(f"/api/v1/recaps/{recap.pk}/downloads/").json()["poster"]
    settings.API_DOWNLOAD_TTL = -1
    refused = api("alpha").get(poster)
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert "expired" in refused.json()["detail"]


def test_a_forged_link_is_not_found(alpha, recap, api, tenant_a):
    poster = alpha.get(f"/api/v1/recaps/{recap.pk}/downloads/").json()["poster"]
    token = poster.rstrip("/").rsplit("/", 1)[1]
    assert api("alpha").get(poster.replace(token, token[:-3] + "abc")).status_code == 404
    # A correctly signed token naming a file outside the organisation's folder.
    with tenant_context(tenant_a):
        signer = signing.TimestampSigner(salt=f"api.files:{tenant_a.schema_name}")
        outside = signer.sign_object({"k": "tenants/t_bravo/movies/x.mp4", "s": "t_alpha"})
    assert api("alpha").get(f"/api/v1/files/{outside}/").status_code == 404


def test_a_link_of_one_organisation_is_refused_on_another(alpha, recap, api, owner_b):
    poster = alpha.get(f"/api/v1/recaps/{recap.pk}/downloads/").json()["poster"]
    path = "/" + poster.split("/", 3)[3]
    for reach in ("host", "prefix", "header"):
        bravo = api("bravo", reach=reach)
        response = bravo.get(path)
        assert response.status_code == 404, reach
        assert response["Content-Type"] == "application/problem+json"
