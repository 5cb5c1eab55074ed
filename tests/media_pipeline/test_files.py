"""Protected files answer byte ranges (a player seeking in a recap), through the page URL and the
signed API download link alike, or hand the file to the front server when configured to."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files import File
from django_tenants.utils import tenant_context

from media_pipeline.files import ByteRange, Unsatisfiable, byte_range, file_url
from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob
from tests.api.conftest import Api
from tests.factories import use_local_storage
from tests.media_pipeline.pipeline.media import make_clip

pytestmark = pytest.mark.django_db


@pytest.fixture
def recap(settings, tmp_path, tenant_a, owner_a) -> tuple[Recap, bytes]:
    """A recap of tenant A whose video is a real (short) H.264 file, and that file's bytes."""
    use_local_storage(settings, tmp_path / "storage")
    clip = Path(make_clip(str(tmp_path / "recap.mp4"), duration=2.0, size=(160, 90)))
    with tenant_context(tenant_a):
        movie = Movie.objects.create(title="Voyage", status=MovieStatus.DONE, uploader=owner_a)
        job = RecapJob.objects.create(movie=movie, state=JobState.DONE, percent=100)
        made = Recap(job=job, movie=movie, language="en", synopsis="…", duration=2.0)
        for field in Recap.FILE_FIELDS[:4]:
            with clip.open("rb") as handle:
                getattr(made, field).save(f"{field}.mp4", File(handle), save=False)
        made.save()
        return made, clip.read_bytes()


def page_url(recap: Recap, tenant) -> str:
    with tenant_context(tenant):
        return file_url(recap.video)


def signed_url(recap: Recap, key: str) -> tuple[Api, str]:
    api = Api("alpha", f"Api-Key {key}")
    link = api.get(f"/api/v1/recaps/{recap.pk}/downloads/").json()["video"]
    return Api("alpha"), api.url(link)


@pytest.fixture(params=["page", "signed link"])
def fetch(request, recap, tenant_a, owner_a, client_for, key_a):
    """GET the recap's video with extra headers, by the page URL or the signed API link."""
    made, _data = recap
    if request.param == "page":
        client, url = client_for(owner_a, host="alpha.localhost"), page_url(made, tenant_a)
    else:
        anonymous, url = signed_url(made, key_a)
        client = anonymous.client
    return lambda **headers: client.get(url, **headers)


@pytest.fixture
def key_a(tenant_a, owner_a) -> str:
    from tests.api.conftest import make_key

    return make_key(tenant_a, owner_a)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_bytes_100_to_199_of_a_recap_come_back_exactly_with_206(fetch, recap):
    _made, data = recap
    response = fetch(HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert response["Content-Length"] == "100"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert body(response) == data[100:200]


def test_without_a_range_the_whole_file_comes_with_accept_ranges(fetch, recap):
    _made, data = recap
    response = fetch()
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert int(response["Content-Length"]) == len(data)
    assert body(response) == data


@pytest.mark.parametrize(
    ("header", "part"),
    [("bytes=-100", slice(-100, None)), ("bytes=1000-", slice(1000, None)),
     ("bytes=0-0", slice(0, 1)), ("bytes=10-999999999", slice(10, None))],
)  # fmt: skip
def test_open_and_suffix_ranges(fetch, recap, header, part):
    _made, data = recap
    response = fetch(HTTP_RANGE=header)
    assert response.status_code == 206
    assert body(response) == data[part]


def test_a_range_past_the_end_is_unsatisfiable(fetch, recap):
    _made, data = recap
    for header in (f"bytes={len(data)}-", "bytes=-0"):
        response = fetch(HTTP_RANGE=header)
        assert response.status_code == 416
        assert response["Content-Range"] == f"bytes */{len(data)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "bytes=9-3", "items=0-5", "bytes=abc"])
def test_ranges_this_server_does_not_serve_get_the_whole_file(fetch, recap, header):
    _made, data = recap
    response = fetch(HTTP_RANGE=header)
    assert response.status_code == 200
    assert body(response) == data


def test_if_range_asks_for_the_part_only_of_the_same_copy(fetch, recap):
    _made, data = recap
    modified = fetch()["Last-Modified"]
    same = fetch(HTTP_RANGE="bytes=100-199", HTTP_IF_RANGE=modified)
    assert same.status_code == 206 and body(same) == data[100:200]
    stale = fetch(HTTP_RANGE="bytes=100-199", HTTP_IF_RANGE="Thu, 01 Jan 2015 00:00:00 GMT")
    assert stale.status_code == 200 and body(stale) == data


def test_another_organisation_gets_404_with_a_range_too(recap, tenant_a, owner_b, client_for):
    made, _data = recap
    url = page_url(made, tenant_a)
    response = client_for(owner_b, host="alpha.localhost").get(url, HTTP_RANGE="bytes=0-9")
    assert response.status_code == 404


def test_the_front_server_gets_the_file_after_the_access_check(
    settings, recap, tenant_a, owner_a, client_for
):
    made, _data = recap
    client, url = client_for(owner_a, host="alpha.localhost"), page_url(made, tenant_a)
    key = made.video.name
    settings.PROTECTED_MEDIA_HANDOFF = "x-accel-redirect"
    accel = client.get(url, HTTP_RANGE="bytes=100-199")
    assert accel.status_code == 200 and accel.content == b""
    assert accel["X-Accel-Redirect"] == f"/protected-media/{key}"
    assert "Accept-Ranges" not in accel  # the front server says what it serves
    settings.PROTECTED_MEDIA_HANDOFF = "x-sendfile"
    sendfile = client.get(url)
    assert Path(sendfile["X-Sendfile"]).read_bytes() == _data
    assert sendfile["X-Sendfile"].endswith(key)


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [("", 10, None), ("bytes=2-5", 10, ByteRange(2, 5)), ("bytes=-3", 10, ByteRange(7, 9)),
     ("bytes=-30", 10, ByteRange(0, 9)), ("bytes=4-", 10, ByteRange(4, 9)),
     ("bytes=4-400", 10, ByteRange(4, 9)), ("bytes=-", 10, None), ("bytes=5-4", 10, None)],
)  # fmt: skip
def test_byte_range_reads_the_header(header, size, expected):
    assert byte_range(header, size) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=10-", 10), ("bytes=-0", 10), ("bytes=-5", 0)])
def test_byte_range_past_the_end(header, size):
    with pytest.raises(Unsatisfiable):
        byte_range(header, size)
