"""The library, a movie's live status, sharing and deleting, in a real browser, in English and
Arabic; screenshots of the new library, recap and share pages go to tests/artifacts/."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context

from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob, ShareLink
from tenants.models import Tenant
from tests import factories
from tests.e2e.a11y import assert_no_serious_violations, assert_rendered_in
from tests.e2e.helpers import signed_in_page
from tests.factories import use_local_storage

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
SLUG = "pages-e2e"
TEXT = {
    "en": {"queued": "Queued", "ready": "Recap ready", "place": "Number 1 in the queue"},
    "ar": {
        "queued": "في قائمة الانتظار",
        "ready": "الملخص جاهز",
        "place": "رقم 1 في قائمة الانتظار",
    },
}


def png(width: int, height: int) -> bytes:
    """A small gradient picture, made without any media tool."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, 90, y * 255 // height))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def site(live_server, transactional_db, settings, tmp_path):
    use_local_storage(settings, tmp_path / "storage")
    factories.ensure_platform()
    tenant = factories.make_tenant(SLUG, name="Cinéma Lumière")
    owner = factories.make_member(tenant, f"owner@{SLUG}.example", role="owner")
    with tenant_context(tenant):
        voyage = Movie.objects.create(title="Le Voyage dans la Lune", duration=71.4, language="fr",
                                      status=MovieStatus.DONE, size_bytes=14_155_776)  # fmt: skip
        done = RecapJob.objects.create(movie=voyage, state=JobState.DONE, percent=100)
        poster = f"tenants/{tenant.schema_name}/recaps/{done.pk}/poster.png"
        default_storage.save(poster, ContentFile(png(320, 180)))
        recap = Recap.objects.create(
            job=done, movie=voyage, language="fr", poster=poster, duration=21.0,
            synopsis="Des savants partent pour la Lune.",
            chapters=[{"title": "Le départ", "recap_start": 0.0}],
        )  # fmt: skip
        Movie.objects.create(title="Metropolis", duration=30.0, language="de",
                             status=MovieStatus.READY)  # fmt: skip
    port = live_server.url.rsplit(":", 1)[1]
    yield {"tenant": tenant, "owner": owner, "base": f"http://{SLUG}.localhost:{port}",
           "recap": recap}  # fmt: skip
    for other in Tenant.objects.exclude(schema_name="public"):
        other.delete(force_drop=True)


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_library_and_live_status_without_a_reload(site, browser):
    for language in ("en", "ar"):
        check_library_and_live_status(site, browser, language)


def check_library_and_live_status(site, browser, language: str) -> None:
    tenant, text = site["tenant"], TEXT[language]
    context, page, errors = signed_in_page(browser, site["owner"], f"{SLUG}.localhost")
    context.add_cookies([{"name": "recap_language", "value": language,
                          "domain": f"{SLUG}.localhost", "path": "/"}])  # fmt: skip
    try:
        page.goto(f"{site['base']}/movies/")
        assert_rendered_in(page, language)
        page.wait_for_function(
            "() => { const img = document.querySelector('img.poster');"
            " return img && img.complete && img.naturalWidth === 320; }",
            timeout=10_000,
        )
        durations = page.locator("[data-duration]").all_inner_texts()
        assert {"0:30", "1:11"} <= set(durations)
        # The header's language list is whole on the library page too.
        assert page.locator("#language-select option").count() == 15
        shoot(page, f"library-{language}")
        assert_no_serious_violations(page, f"the library ({language})")

        with tenant_context(tenant):
            movie = Movie.objects.create(title=f"Nosferatu ({language})", duration=95.0,
                                         language="de", status=MovieStatus.PROCESSING)  # fmt: skip
            job = RecapJob.objects.create(movie=movie, state=JobState.PROBING)
        page.goto(f"{site['base']}/movies/{movie.pk}/")
        assert page.locator("[data-job-state]").inner_text() == text["queued"]
        assert page.locator("[data-job-detail]").inner_text() == text["place"]
        assert not page.locator("[data-start-recap]").is_visible()

        # The worker finishes: the card, the badge and the start form follow by themselves.
        with tenant_context(tenant):
            RecapJob.objects.filter(pk=job.pk).update(state=JobState.DONE, percent=100)
            Recap.objects.create(job=job, movie=movie, language="de", synopsis="…",
                                 duration=3.0)  # fmt: skip
            Movie.objects.filter(pk=movie.pk).update(status=MovieStatus.DONE)
        page.wait_for_function(
            "text => document.querySelector('[data-movie-status]').textContent === text",
            arg=text["ready"],
            timeout=10_000,
        )
        assert page.locator("[data-job-recap] a").is_visible()
        assert page.locator("[data-start-new]").is_visible()
        assert not page.locator("[data-start-again]").is_visible()
        assert not page.locator("[data-job-cancel]").is_visible()
        assert_no_serious_violations(page, f"the movie page ({language})")
        assert errors == []
    finally:
        context.close()


def test_share_revoke_delete_and_the_plan_limit_before_upload(site, browser, tmp_path):
    check_share_revoke_and_delete(site, browser)
    check_plan_limit_before_the_first_byte(site, browser, tmp_path)


def check_share_revoke_and_delete(site, browser) -> None:
    tenant, base, recap = site["tenant"], site["base"], site["recap"]
    context, page, errors = signed_in_page(browser, site["owner"], f"{SLUG}.localhost")
    visitor = browser.new_context(locale="ar")
    try:
        page.goto(f"{base}/recaps/{recap.pk}/")
        page.get_by_label("The link works").select_option("7")
        page.get_by_label("Password (optional)").fill("lune et soleil")
        page.get_by_role("button", name="Create the link").click()
        url = page.locator("[data-share-url]").input_value()
        assert re.fullmatch(rf"{re.escape(base)}/s/[\w-]+/", url)
        assert page.locator("[data-share-embed]").count() == 0  # protected: no embed code
        shoot(page, "recap-share-en")
        assert_no_serious_violations(page, "the recap page with a share link")

        outside = visitor.new_page()
        outside.goto(url)
        assert_rendered_in(outside, "ar")
        outside.get_by_label("كلمة المرور").fill("lune et soleil")
        outside.locator("main form button[type=submit]").click()
        outside.wait_for_selector("[data-share-title]")
        assert "Le Voyage dans la Lune" in outside.locator("[data-share-title]").inner_text()
        # The recap alone, no way into the site (the footer links only the product's legal pages).
        assert outside.locator("nav a:not(.site-footer a)").count() == 0
        assert "Metropolis" not in outside.content()
        shoot(outside, "share-ar")
        assert_no_serious_violations(outside, "the share page (ar)")

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Revoke").click()
        page.wait_for_selector("[data-share-state]:has-text('Revoked')")
        outside.reload()
        assert outside.locator("[data-share-gone]").is_visible()
        with tenant_context(tenant):
            assert ShareLink.objects.get().revoked_at is not None

        # Deleting a movie: a page says what goes, then the library says it is gone.
        with tenant_context(tenant):
            metropolis = Movie.objects.get(title="Metropolis")
        page.goto(f"{base}/movies/{metropolis.pk}/")
        page.locator("[data-delete-movie]").click()
        assert "deleted for good" in page.locator("[data-delete-summary]").inner_text()
        assert_no_serious_violations(page, "the delete confirmation")
        page.get_by_role("button", name="Delete the movie").click()
        page.wait_for_url(f"{base}/movies/")
        assert "“Metropolis” was deleted." in page.locator(".messages").inner_text()
        with tenant_context(tenant):
            assert not Movie.objects.filter(pk=metropolis.pk).exists()
        page.goto(f"{base}/team/")
        assert page.locator("button[data-leave]").is_disabled()  # the only owner
        assert_no_serious_violations(page, "the team page")
        assert errors == []
    finally:
        visitor.close()
        context.close()


def check_plan_limit_before_the_first_byte(site, browser, tmp_path) -> None:
    from billing.models import Plan
    from media_pipeline.models import Upload
    from tests.media_pipeline.pipeline.media import make_clip

    plan = Plan.objects.create(code="tiny-e2e", name="Tiny", max_movie_minutes=0,
                               storage_gb=None, processing_hours_per_month=None)  # fmt: skip
    tenant = Tenant.objects.get(pk=site["tenant"].pk)
    tenant.plan = plan
    tenant.save()  # through the model, so the cached organisation is forgotten
    clip = make_clip(str(tmp_path / "short.mp4"), duration=2, size=(160, 120))
    context, page, errors = signed_in_page(browser, site["owner"], f"{SLUG}.localhost")
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.method))
    try:
        page.goto(f"{site['base']}/movies/upload/")
        page.get_by_label("Movie file").set_input_files(clip)
        page.get_by_role("button", name="Upload").click()
        error = page.locator("#upload-error")
        error.wait_for(state="visible", timeout=10_000)
        assert "your plan accepts movies up to 0:00." in error.inner_text()
        link = error.locator("a")
        assert re.search(r"/billing/$", link.get_attribute("href"))
        assert "PATCH" not in sent  # not one byte of the movie was sent
        with tenant_context(site["tenant"]):
            assert not Upload.objects.exists()
        assert [e for e in errors if "413" not in e] == []
    finally:
        context.close()
