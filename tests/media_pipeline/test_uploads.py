"""Resumable uploads (tus 1.0.0) on an organisation's site: movies arrive in chunks, resume after
a drop, are checked by content, and refused input leaves nothing behind; subtitle files too."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from pathlib import Path

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from billing.models import Plan, UsageRecord
from compliance.models import AuditEvent
from media_pipeline import uploads
from media_pipeline.models import Movie, MovieStatus, SubtitleTrack, Upload
from media_pipeline.pipeline import ffmpeg
from tenants.models import Tenant
from tests import factories
from tests.factories import use_local_storage
from tests.media_pipeline.pipeline.media import make_clip

pytestmark = pytest.mark.django_db

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
OCTETS = "application/offset+octet-stream"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


# ---- media, made once --------------------------------------------------------------------------
def _encode(path: Path, *args: str) -> Path:
    ffmpeg.run([*args, str(path)], timeout=60)
    return path


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("upload-media")
    movie = Path(make_clip(str(root / "movie.mp4"), duration=4, size=(160, 120)))
    data = movie.read_bytes()
    (root / "half.mp4").write_bytes(data[: len(data) // 2])  # moov at the end: cut it off
    (root / "notes.mp4").write_text("Shopping list\neggs\nmilk\n" * 40)
    (root / "playlist.mp4").write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n"
    )
    (root / "concat-url.mkv").write_text("ffconcat version 1.0\nfile 'https://example.com/a.mp4'\n")
    (root / "concat-file.mkv").write_text("ffconcat version 1.0\nfile file:/etc/passwd\n")
    _encode(root / "song.mp4", "-f", "lavfi", "-i", "sine=d=2", "-c:a", "aac")
    _encode(
        root / "tiny.mp4",
        "-f", "lavfi", "-i", "testsrc=s=16x16:d=1", "-c:v", "libx264", "-preset", "ultrafast",
    )  # fmt: skip
    small = _encode(
        root / "small.mkv",
        "-f", "lavfi", "-i", "testsrc=s=64x64:d=1:r=5", "-c:v", "libx264", "-preset", "ultrafast",
    )  # fmt: skip
    # Matroska PixelWidth (B0) and PixelHeight (BA) of 64 rewritten to claim 100000 each.
    original = bytes([0xB0, 0x81, 0x40, 0xBA, 0x81, 0x40])
    claimed = bytes([0xB0, 0x83, 0x01, 0x86, 0xA0, 0xBA, 0x83, 0x01, 0x86, 0xA0])
    (root / "huge.mkv").write_bytes(small.read_bytes().replace(original, claimed, 1))
    return {p.name: p for p in root.iterdir()}


@pytest.fixture(autouse=True)
def places(settings, tmp_path) -> dict[str, Path]:
    storage, work = tmp_path / "storage", tmp_path / "work"
    use_local_storage(settings, storage)
    settings.WORK_ROOT = str(work)
    return {"storage": storage, "work": work}


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Requests run inside the test's transaction: play their after-commit work too."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def alpha(client_for, owner_a) -> Client:
    return client_for(owner_a, host="alpha.localhost")


def metadata(**pairs: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


def create(client: Client, length: int, prefix: str = "", **extra) -> object:
    meta = metadata(filename="movie.mp4", title="Le Voyage", language="fr", kind="movie")
    return client.post(
        f"{prefix}/uploads/",
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=meta,
        **TUS,
        **EN,
        **extra,
    )


def patch(client: Client, location: str, data: bytes, offset: int, content_type: str = OCTETS):
    return client.generic(
        "PATCH", location, data, content_type=content_type, HTTP_UPLOAD_OFFSET=str(offset),
        **TUS, **EN,
    )  # fmt: skip


def upload_file(client: Client, path: Path, pieces: int = 3, prefix: str = ""):
    """Create, then PATCH the file in `pieces` chunks; the last response is returned."""
    data = path.read_bytes()
    created = create(client, len(data), prefix=prefix)
    assert created.status_code == 201, created.content
    location = created["Location"]
    step = max(1, -(-len(data) // pieces))
    response = None
    for offset in range(0, len(data), step):
        response = patch(client, location, data[offset : offset + step], offset)
        if response.status_code != 204:
            break
    return response


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_nothing_left(tenant: Tenant, places: dict[str, Path]) -> None:
    with tenant_context(tenant):
        assert not Movie.objects.exists()
        assert not Upload.objects.exists()
    assert files_under(places["storage"]) == []
    assert files_under(places["work"] / "uploads") == []


def use_plan(tenant: Tenant, **limits) -> None:
    fields = {"max_movie_minutes": None, "storage_gb": None, "processing_hours_per_month": None}
    plan = Plan.objects.create(code="test-limits", name="Test limits", **{**fields, **limits})
    Tenant.objects.filter(pk=tenant.pk).update(plan=plan)


# ---- the whole journey -------------------------------------------------------------------------
def test_a_movie_sent_in_chunks_becomes_a_ready_movie_in_storage(
    alpha, tenant_a, owner_a, media, places, run_on_commit
):
    data = media["movie.mp4"].read_bytes()
    with run_on_commit():
        done = upload_file(alpha, media["movie.mp4"], pieces=4)

    assert done.status_code == 204, done.content
    assert done["Tus-Resumable"] == "1.0.0"
    assert done["Upload-Offset"] == str(len(data))
    assert done["Movie-Location"] == f"/movies/{done['Movie-Id']}/"
    with tenant_context(tenant_a):
        movie = Movie.objects.get(pk=done["Movie-Id"])
        assert (movie.title, movie.language, movie.uploader) == ("Le Voyage", "fr", owner_a)
        assert movie.status == MovieStatus.READY
        assert (movie.width, movie.height) == (160, 120)
        assert movie.duration == pytest.approx(4, abs=0.1)
        assert movie.fps == pytest.approx(24)
        assert movie.container.startswith("mov,mp4")
        assert (movie.video_codec, movie.audio_codec) == ("h264", "aac")
        assert movie.probe["width"] == 160 and "path" not in movie.probe
        assert movie.size_bytes == len(data)
        assert movie.checksum == hashlib.sha256(data).hexdigest()
        assert movie.file.name.startswith(f"tenants/{tenant_a.schema_name}/movies/")
        assert movie.file.name.endswith(".mp4")
        assert (places["storage"] / movie.file.name).read_bytes() == data
        assert Upload.objects.get().movie == movie
    assert files_under(places["work"] / "uploads") == []
    usage = UsageRecord.objects.get(tenant=tenant_a, reference=f"movie:{movie.pk}")
    assert (usage.kind, usage.quantity) == (UsageRecord.Kind.STORAGE_BYTES, len(data))
    assert AuditEvent.objects.filter(action="movie.uploaded", target=f"movie:{movie.pk}").exists()


def test_options_advertises_the_protocol(alpha):
    response = alpha.options("/uploads/")
    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0"
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Extension"] == "creation,termination"
    assert int(response["Tus-Max-Size"]) > 0


def test_creation_answers_with_a_location_and_offset_zero(alpha, tenant_a, places):
    response = create(alpha, 1000)
    assert response.status_code == 201
    assert response["Upload-Offset"] == "0"
    with tenant_context(tenant_a):
        upload = Upload.objects.get()
    assert response["Location"] == f"/uploads/{upload.pk}/"
    assert upload.metadata == {"title": "Le Voyage", "language": "fr", "language_chosen": True}
    assert upload.filename == "movie.mp4"


def test_location_works_under_the_path_prefix(client_for, owner_a, tenant_a, media, run_on_commit):
    client = client_for(owner_a, host="localhost")
    data = media["movie.mp4"].read_bytes()
    created = create(client, len(data), prefix="/t/alpha")
    location = created["Location"]
    assert location.startswith("/t/alpha/uploads/")
    head = client.head(location, **TUS)
    assert (head.status_code, head["Upload-Offset"]) == (200, "0")
    with run_on_commit():
        done = patch(client, location, data, 0)
    assert done.status_code == 204
    assert done["Movie-Location"] == f"/t/alpha/movies/{done['Movie-Id']}/"


# ---- resuming ----------------------------------------------------------------------------------
def test_a_dropped_upload_resumes_from_the_offset_the_server_reports(
    alpha, client_for, owner_a, tenant_a, media, run_on_commit
):
    data = media["movie.mp4"].read_bytes()
    location = create(alpha, len(data))["Location"]
    third = len(data) // 3
    assert patch(alpha, location, data[:third], 0)["Upload-Offset"] == str(third)
    # The connection drops halfway through the next chunk: the body simply ends early.
    with tenant_context(tenant_a):
        upload = Upload.objects.get()
        uploads.append_chunk(
            upload=upload,
            offset=third,
            stream=io.BytesIO(data[third : third + 100]),
            content_length=third,
            user=owner_a,
        )

    reloaded = client_for(owner_a, host="alpha.localhost")  # a fresh page after a reload
    head = reloaded.head(location, **TUS)
    assert head.status_code == 200
    assert head["Cache-Control"] == "no-store"
    assert head["Upload-Length"] == str(len(data))
    offset = int(head["Upload-Offset"])
    assert offset == third + 100
    with run_on_commit():
        done = patch(reloaded, location, data[offset:], offset)
    assert done.status_code == 204
    with tenant_context(tenant_a):
        movie = Movie.objects.get(pk=done["Movie-Id"])
        assert movie.checksum == hashlib.sha256(data).hexdigest()
    # After completion HEAD still says where the movie went (a lost final answer is recoverable).
    assert alpha.head(location, **TUS)["Movie-Id"] == str(movie.pk)


def test_a_patch_at_the_wrong_offset_is_a_conflict(alpha, tenant_a):
    location = create(alpha, 1000)["Location"]
    assert patch(alpha, location, b"x" * 100, 0).status_code == 204
    response = patch(alpha, location, b"y" * 100, 0)
    assert response.status_code == 409
    assert "error" in response.json()
    with tenant_context(tenant_a):
        assert Upload.objects.get().offset == 100


def test_a_chunk_past_the_declared_length_is_refused(alpha, tenant_a):
    location = create(alpha, 100)["Location"]
    response = patch(alpha, location, b"x" * 101, 0)
    assert response.status_code == 413
    with tenant_context(tenant_a):
        assert Upload.objects.get().offset == 0


def test_a_patch_with_the_wrong_content_type_is_refused(alpha):
    location = create(alpha, 100)["Location"]
    response = patch(alpha, location, b"x" * 10, 0, content_type="application/octet-stream")
    assert response.status_code == 415
    assert response["Tus-Resumable"] == "1.0.0"


def test_a_request_without_the_protocol_version_is_refused(alpha):
    response = alpha.post("/uploads/", HTTP_UPLOAD_LENGTH="100")
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"


def test_delete_terminates_the_upload_and_its_staged_bytes(alpha, tenant_a, places, run_on_commit):
    location = create(alpha, 1000)["Location"]
    patch(alpha, location, b"x" * 10, 0)
    assert len(files_under(places["work"] / "uploads")) == 1
    with run_on_commit():
        assert alpha.delete(location, **TUS).status_code == 204
    assert alpha.head(location, **TUS).status_code == 404
    assert_nothing_left(tenant_a, places)


def test_csrf_protection_stays_on(owner_a, tenant_a):
    client = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    client.force_login(owner_a)
    assert create(client, 100).status_code == 403
    client.get("/movies/upload/")
    token = client.cookies["csrftoken"].value
    assert create(client, 100, HTTP_X_CSRFTOKEN=token).status_code == 201


# ---- who may upload ----------------------------------------------------------------------------
def test_a_viewer_may_not_upload(client_for, tenant_a, owner_a):
    viewer = factories.make_member(tenant_a, "viewer-a@example.com", role="viewer")
    location = create(client_for(owner_a, host="alpha.localhost"), 100)["Location"]
    client = client_for(viewer, host="alpha.localhost")
    response = create(client, 100)
    assert response.status_code == 403
    assert response.json()["error"] == "Viewers can watch movies and recaps but not upload them."
    assert client.head(location, **TUS).status_code == 403
    assert client.get("/movies/upload/").status_code == 403


def test_another_organisations_upload_is_not_found(client_for, tenant_b, owner_b, alpha, owner_a):
    location = create(client_for(owner_b, host="bravo.localhost"), 100)["Location"]
    assert alpha.head(location, **TUS).status_code == 404
    assert patch(alpha, location, b"x" * 10, 0).status_code == 404
    assert alpha.delete(location, **TUS).status_code == 404
    with tenant_context(tenant_b):
        assert Upload.objects.get().offset == 0


# ---- refused input: a translated reason, and nothing left --------------------------------------
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("notes.mp4", "This file is not a video we can read. Upload an MP4, MKV, MOV or WebM."),
        ("half.mp4", "The file is incomplete or damaged."),
        ("song.mp4", "This file has no picture (audio only). Upload a video."),
        ("tiny.mp4", "The picture is too small to make a recap"),
        ("huge.mkv", "The picture is too large"),
        ("playlist.mp4", "Playlists and streaming manifests are not accepted."),
        ("concat-url.mkv", "Playlists and streaming manifests are not accepted."),
        ("concat-file.mkv", "Playlists and streaming manifests are not accepted."),
    ],
)
def test_refused_content_leaves_nothing_behind(
    alpha, tenant_a, media, places, run_on_commit, name, reason
):
    with run_on_commit():
        response = upload_file(alpha, media[name], pieces=2)
    assert response.status_code == 422
    assert reason in response.json()["error"]
    assert_nothing_left(tenant_a, places)


def test_a_movie_longer_than_the_plan_allows_is_refused(
    alpha, tenant_a, media, places, run_on_commit
):
    use_plan(tenant_a, max_movie_minutes=0)
    with run_on_commit():
        response = upload_file(alpha, media["movie.mp4"])
    assert response.status_code == 422
    # The plan's precise sentence, with where to upgrade.
    error = response.json()["error"]
    assert "your plan accepts movies up to 0:00." in error
    assert re.search(r"http://alpha\.localhost(:\d+)?/billing/", error)
    assert_nothing_left(tenant_a, places)


def test_an_empty_file_is_refused_at_creation(alpha, tenant_a, places):
    response = create(alpha, 0)
    assert response.status_code == 400
    assert response.json()["error"] == "The file is empty. Choose the movie file again."
    assert_nothing_left(tenant_a, places)


def test_a_file_over_the_storage_quota_is_refused_at_creation(alpha, tenant_a, places):
    use_plan(tenant_a, storage_gb=0)
    response = create(alpha, 1000)
    assert response.status_code == 413
    assert "would exceed your plan's 0 GB of storage" in response.json()["error"]
    assert_nothing_left(tenant_a, places)


def test_a_file_over_the_upload_limit_is_refused_at_creation(alpha, tenant_a, places, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    assert create(alpha, 1001).status_code == 413
    assert_nothing_left(tenant_a, places)


# ---- subtitle files ----------------------------------------------------------------------------
@pytest.fixture
def movie(tenant_a):
    with tenant_context(tenant_a):
        return Movie.objects.create(title="Le Voyage", status=MovieStatus.READY)


def post_subtitles(client: Client, movie: Movie, content: bytes, name: str, language="fr"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(
        f"/movies/{movie.pk}/subtitles/", {"file": upload, "language": language}, **EN
    )


def test_a_cp1252_srt_is_kept_with_its_cue_count(alpha, tenant_a, movie, places):
    srt = (
        "1\r\n00:00:00,500 --> 00:00:01,500\r\nVoilà le café.\r\n\r\n"
        "2\r\n00:00:02,000 --> 00:00:03,000\r\n« Très bien », dit-il.\r\n\r\n"
        "3\r\n00:00:03,200 --> 00:00:03,900\r\nÀ bientôt…\r\n"
    ).encode("cp1252")
    response = post_subtitles(alpha, movie, srt, "voyage.srt")
    assert response.status_code == 201
    assert response.json()["cues"] == 3
    with tenant_context(tenant_a):
        track = SubtitleTrack.objects.get(pk=response.json()["id"])
        assert (track.movie, track.language, track.cue_count) == (movie, "fr", 3)
        assert track.file.name.startswith(f"tenants/{tenant_a.schema_name}/subtitles/")
        assert (places["storage"] / track.file.name).read_bytes() == srt


def test_a_binary_subtitle_file_is_refused_and_nothing_is_saved(alpha, tenant_a, movie, places):
    junk = bytes(range(256)) * 8
    response = post_subtitles(alpha, movie, junk, "film.srt")
    assert response.status_code == 400
    assert response.json()["error"] == (
        "The subtitle file could not be read. Upload an SRT or WebVTT text file."
    )
    with tenant_context(tenant_a):
        assert not SubtitleTrack.objects.exists()
    assert files_under(places["storage"]) == []


def test_subtitles_need_an_offered_language(alpha, tenant_a, movie):
    srt = b"1\n00:00:00,500 --> 00:00:01,500\nHello\n"
    response = post_subtitles(alpha, movie, srt, "film.srt", language="xx")
    assert response.status_code == 400
    with tenant_context(tenant_a):
        assert not SubtitleTrack.objects.exists()


# ---- the page ----------------------------------------------------------------------------------
def test_the_upload_page_gives_the_script_its_urls_and_translated_text(alpha):
    response = alpha.get("/movies/upload/", **EN)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-endpoint="/uploads/"' in body
    assert 'data-recap-url="/movies/987654321/recap/"' in body
    assert 'id="upload-text"' in body and "Checking the movie" in body
    assert 'aria-live="polite"' in body and "<progress" in body
