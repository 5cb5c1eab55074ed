"""A member uploads a small movie with a subtitle file through the page, in a real browser, and
lands on the movie's page once the upload has finished and the recap was asked for."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from django_tenants.utils import tenant_context

from media_pipeline.models import Movie, MovieStatus
from tenants.models import Tenant
from tests import factories
from tests.e2e.helpers import signed_in_page
from tests.factories import use_local_storage
from tests.media_pipeline.pipeline.media import make_clip

pytestmark = pytest.mark.e2e

SRT = "1\n00:00:00,500 --> 00:00:01,500\nBonjour.\n\n2\n00:00:02,000 --> 00:00:03,000\nÀ bientôt.\n"


@pytest.fixture
def site(live_server, transactional_db, settings, tmp_path):
    use_local_storage(settings, tmp_path / "storage")
    settings.WORK_ROOT = str(tmp_path / "work")
    factories.ensure_platform()
    tenant = factories.make_tenant("upload-e2e")
    owner = factories.make_member(tenant, "owner@upload-e2e.example", role="owner")
    port = live_server.url.rsplit(":", 1)[1]
    base = f"http://upload-e2e.localhost:{port}"
    yield tenant, owner, base
    for other in Tenant.objects.exclude(schema_name="public"):
        other.delete(force_drop=True)


def test_upload_with_subtitles_lands_on_the_movie_page(site, browser, tmp_path):
    tenant, owner, base = site
    movie_file = make_clip(str(tmp_path / "voyage.mp4"), duration=4, size=(160, 120))
    subtitles = tmp_path / "voyage.srt"
    subtitles.write_text(SRT, encoding="utf-8")

    context, page, errors = signed_in_page(browser, owner, "upload-e2e.localhost")
    try:
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto(f"{base}/movies/upload/")
        page.get_by_label("Movie file").set_input_files(movie_file)
        assert page.get_by_label("Title", exact=True).input_value() == "voyage"
        page.get_by_label("Title", exact=True).fill("Le Voyage")
        page.get_by_label("Language of the movie").select_option("fr")
        page.get_by_label("Recap length").select_option("auto")
        page.get_by_label("Subtitle file (SRT or WebVTT)").set_input_files(str(subtitles))
        page.get_by_label("Language of the subtitles").select_option("fr")
        # Small chunks, and the connection drops once mid-way: the page must resume by itself.
        page.locator("#upload-form").evaluate("form => { form.dataset.chunkSize = '65536'; }")
        dropped: list[str] = []

        def drop_once(route):
            request = route.request
            offset = request.headers.get("upload-offset", "0")
            if request.method == "PATCH" and offset != "0" and not dropped:
                dropped.append(offset)
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route(re.compile(r"/uploads/[0-9a-f-]+/$"), drop_once)
        methods: list[str] = []
        page.on("requestfinished", lambda request: methods.append(request.method))
        assert not page.get_by_role("button", name="Pause").is_visible()
        assert not page.get_by_role("button", name="Resume").is_visible()
        page.get_by_role("button", name="Upload").click()

        page.wait_for_url(re.compile(r"/movies/\d+/$"), timeout=30_000)
        movie_id = int(re.search(r"/movies/(\d+)/$", page.url).group(1))
        # The one dropped PATCH is logged by the browser; nothing else may be.
        assert [e for e in errors if "ERR_CONNECTION_RESET" not in e] == []
        assert dropped == ["65536"]
        assert "HEAD" in methods  # it asked the server where to continue from
    finally:
        context.close()

    with tenant_context(tenant):
        movie = Movie.objects.get(pk=movie_id)
        assert movie.title == "Le Voyage"
        assert movie.language == "fr"
        assert movie.status in (MovieStatus.READY, MovieStatus.PROCESSING)
        track = movie.subtitle_tracks.get()
        assert (track.language, track.cue_count) == ("fr", 2)
        job = movie.jobs.get()
        assert (job.target, job.language) == ("auto", "fr")


LIMITED = "The movie lasts %(duration)s: longer recap lengths are not offered."
LENGTHS = ["auto", "60", "180", "300", "600"]


def offered_lengths(page) -> list[str]:
    return page.locator("#recap-target option:not([disabled])").evaluate_all(
        "options => options.map(option => option.value)"
    )


def wait_for_lengths(page, offered: list[str]) -> None:
    """The file's running time is read in the background: wait until the options follow it."""
    page.wait_for_function(
        "offered => JSON.stringify([...document.querySelectorAll('#recap-target option')]"
        ".filter(option => !option.disabled).map(option => option.value))"
        " === JSON.stringify(offered)",
        arg=offered,
        timeout=10_000,
    )


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_short_file_offers_only_the_lengths_it_can_have(site, browser, tmp_path, language):
    tenant, owner, base = site
    movie_file = make_clip(str(tmp_path / "court.mp4"), duration=4, size=(160, 120))
    with translation.override(language):
        expected_note = gettext(LIMITED) % {"duration": "0:04"}
    if language == "ar":
        assert expected_note != LIMITED % {"duration": "0:04"}  # the Arabic sentence, not English

    context, page, errors = signed_in_page(browser, owner, "upload-e2e.localhost")
    context.add_cookies([{"name": "recap_language", "value": language,
                          "domain": "upload-e2e.localhost", "path": "/"}])  # fmt: skip
    try:
        page.goto(f"{base}/movies/upload/")
        assert page.locator("html").get_attribute("lang") == language
        target, note = page.locator("#recap-target"), page.locator("#recap-target-help")
        assert target.get_attribute("aria-describedby") == "recap-target-help"
        assert note.get_attribute("aria-live") == "polite"
        # Before a file is chosen every length is offered, and nothing is said about them.
        assert offered_lengths(page) == LENGTHS
        assert note.inner_text() == ""
        target.select_option("60")

        page.locator("#movie-file").set_input_files(movie_file)
        # Every fixed length is as long as the 4-second movie or longer: the server would refuse
        # them, so the page does not offer them, and the choice falls back to automatic.
        wait_for_lengths(page, ["auto"])
        assert target.input_value() == "auto"
        assert note.is_visible()
        assert note.inner_text() == expected_note
        assert "0:04" in note.inner_text()

        page.locator("#upload-start").click()
        page.wait_for_url(re.compile(r"/movies/\d+/$"), timeout=30_000)
        movie_id = int(re.search(r"/movies/(\d+)/$", page.url).group(1))
        assert errors == []
    finally:
        context.close()

    with tenant_context(tenant):
        job = Movie.objects.get(pk=movie_id).jobs.get()
        assert job.target == "auto"


def test_the_offered_lengths_follow_the_chosen_file(site, browser, tmp_path):
    _tenant, owner, base = site
    longer = make_clip(str(tmp_path / "longer.mp4"), duration=63, size=(64, 36), audio=False)
    short = make_clip(str(tmp_path / "short.mp4"), duration=4, size=(64, 36), audio=False)
    unreadable = tmp_path / "unreadable.mp4"
    unreadable.write_bytes(b"not a movie at all" * 64)

    context, page, errors = signed_in_page(browser, owner, "upload-e2e.localhost")
    try:
        page.goto(f"{base}/movies/upload/")
        target, note = page.get_by_label("Recap length"), page.locator("#recap-target-help")
        target.select_option("180")

        page.get_by_label("Movie file").set_input_files(longer)
        # 63 seconds: one minute still fits, three minutes and more do not.
        wait_for_lengths(page, ["auto", "60"])
        assert target.input_value() == "auto"
        assert note.inner_text() == LIMITED % {"duration": "1:03"}
        target.select_option("60")

        page.get_by_label("Movie file").set_input_files(short)
        wait_for_lengths(page, ["auto"])
        assert target.input_value() == "auto"
        assert note.inner_text() == LIMITED % {"duration": "0:04"}

        # A running time the browser cannot read: every length is offered again, without a note.
        page.get_by_label("Movie file").set_input_files(str(unreadable))
        wait_for_lengths(page, LENGTHS)
        assert note.inner_text() == ""
        target.select_option("600")
        assert target.input_value() == "600"
        assert errors == []
    finally:
        context.close()
