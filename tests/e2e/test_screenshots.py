"""Screenshots of the dashboard and the recap page in English, Arabic and Japanese, at desktop and
phone width, kept under tests/artifacts/screenshots/ for people to look at. The test itself checks
what can be checked by a machine: the language and direction of each page, and that nothing
scrolls sideways."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tests.e2e.a11y import assert_rendered_in, processed_site
from tests.e2e.helpers import signed_in_page

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
WINDOWS = {"desktop": (1280, 800), "phone": (360, 780)}


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory, browser):
    with processed_site(django_db_blocker, tmp_path_factory.mktemp("shots"), "shots") as site:
        yield site


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("language", ["en", "ar", "ja"])
def test_dashboard_and_recap_are_captured_in_the_language_at_desktop_and_phone_width(
    site, browser, language
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context, page, errors = signed_in_page(browser, site.owner, site.tenant_host)
    context.add_cookies(
        [{"name": "recap_language", "value": language, "domain": site.tenant_host, "path": "/"}]
    )
    pages = {"dashboard": "/", "recap": f"/recaps/{site.recap_id}/"}
    try:
        for name, path in pages.items():
            for window, (width, height) in WINDOWS.items():
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{site.tenant_url}{path}")
                if name == "recap":
                    page.wait_for_function(
                        "() => document.getElementById('recap-video').readyState >= 1",
                        timeout=20_000,
                    )
                page.evaluate("() => document.fonts.ready.then(() => true)")
                assert_rendered_in(page, language)

                shot = ARTIFACTS / f"{name}-{language}-{window}.png"
                shot.unlink(missing_ok=True)
                page.screenshot(path=str(shot), full_page=True)
                shot_width, shot_height = png_size(shot)
                # A full-page capture as wide as the window: nothing sticks out sideways.
                assert shot_width == width, (shot, shot_width)
                assert shot_height >= height
                assert shot.stat().st_size > 20_000, shot
        assert errors == []
    finally:
        context.close()
