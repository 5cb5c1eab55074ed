"""On a phone the header is one row, the organisation's name and a Menu button that opens the rest
as a list and closes with Escape; in English and Arabic (right to left). Without scripts, and
on a wide screen, every link stays in the header as before."""

from __future__ import annotations

import pytest

from tenants.models import Tenant
from tests import factories
from tests.e2e.a11y import assert_no_serious_violations, assert_rendered_in
from tests.e2e.helpers import signed_in_page

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
# The controls the menu holds for a signed-in owner (the language list aside).
MENU_LINKS = ["/", "/movies/", "/team/", "/settings/", "/billing/", "/accounts/profile/"]
TARGET_MIN = 24  # px, WCAG 2.2 target size (minimum)


@pytest.fixture
def site(live_server, transactional_db):
    factories.ensure_platform()
    tenant = factories.make_tenant("menu-e2e", name="Cinémathèque du Quartier Latin")
    owner = factories.make_member(tenant, "owner@menu-e2e.example", role="owner")
    port = live_server.url.rsplit(":", 1)[1]
    yield owner, "menu-e2e.localhost", f"http://menu-e2e.localhost:{port}"
    for other in Tenant.objects.exclude(schema_name="public"):
        other.delete(force_drop=True)


def _open_tab(browser, site, language: str, **options):
    owner, host, base = site
    context, page, errors = signed_in_page(browser, owner, host, **options)
    context.add_cookies(
        [{"name": "recap_language", "value": language, "domain": host, "path": "/"}]
    )
    return context, page, errors, base


def _boxes(page, selector: str) -> list[dict]:
    """The visible controls under `selector`, with their box."""
    return page.evaluate(
        """selector => Array.from(document.querySelectorAll(selector))
            .filter(el => el.getClientRects().length)
            .map(el => {
                const box = el.getBoundingClientRect();
                return {what: el.outerHTML.slice(0, 80), top: box.top, height: box.height,
                        start: box.left, end: box.right};
            })""",
        selector,
    )


def _link(page, href: str):
    return page.locator(f"#site-menu a[href='{href}']")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_on_a_phone_the_header_is_one_row_with_a_menu_button(browser, site, language):
    context, page, errors, base = _open_tab(browser, site, language)
    try:
        page.set_viewport_size(PHONE)
        page.goto(f"{base}/movies/")
        assert_rendered_in(page, language)
        toggle = page.locator("[data-menu-toggle]")
        header = page.locator(".site-header")

        # Closed: the name and the button, in one short row; the links wait behind it.
        assert toggle.is_visible()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert toggle.get_attribute("aria-controls") == "site-menu"
        if language == "en":
            assert toggle.inner_text() == "Menu"
        else:
            assert toggle.inner_text() not in ("", "Menu")
        assert header.bounding_box()["height"] <= 64
        for href in MENU_LINKS:
            assert not _link(page, href).is_visible(), href
        assert not page.locator("#language-select").is_visible()
        brand, button = page.locator(".nav .brand").bounding_box(), toggle.bounding_box()
        assert abs(brand["y"] + brand["height"] / 2 - (button["y"] + button["height"] / 2)) < 8
        # The button sits at the end of the row: the right in English, the left in Arabic.
        if language == "ar":
            assert button["x"] < brand["x"]
        else:
            assert button["x"] > brand["x"]
        assert button["height"] >= TARGET_MIN

        # Open: every link, the language list, the account and sign-out, one under another.
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        for href in MENU_LINKS:
            assert _link(page, href).is_visible(), href
        assert page.locator("#language-select").is_visible()
        assert page.locator("#site-menu button.link").is_visible()  # sign out
        controls = _boxes(page, "#site-menu :is(a, button, select)")
        assert len(controls) == len(MENU_LINKS) + 2
        for control in controls:
            assert control["height"] >= TARGET_MIN, control
            assert control["start"] >= 0 and control["end"] <= PHONE["width"], control
        tops = [control["top"] for control in controls]
        assert tops == sorted(tops) and len(set(tops)) == len(tops)  # a vertical list
        assert_rendered_in(page, language)  # nothing scrolls sideways
        assert_no_serious_violations(page, f"the open header menu ({language})")

        # Escape closes it and gives the focus back to the button.
        _link(page, "/team/").focus()
        page.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not _link(page, "/team/").is_visible()
        assert page.evaluate("document.activeElement.hasAttribute('data-menu-toggle')")

        # The button toggles: a second click closes what the first opened.
        toggle.click()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not _link(page, "/movies/").is_visible()
    finally:
        context.close()
    assert errors == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_on_a_wide_screen_the_links_show_and_the_button_does_not(browser, site, language):
    context, page, errors, base = _open_tab(browser, site, language)
    try:
        page.set_viewport_size(DESKTOP)
        page.goto(f"{base}/movies/")
        assert_rendered_in(page, language)
        assert not page.locator("[data-menu-toggle]").is_visible()
        for href in MENU_LINKS:
            assert _link(page, href).is_visible(), href
        # Still one row, as before the menu existed.
        tops = {round(box["top"]) for box in _boxes(page, ".nav :is(a, button, select)")}
        assert max(tops) - min(tops) < 16, tops
    finally:
        context.close()
    assert errors == []


def test_without_scripts_a_phone_shows_every_link(browser, site):
    context, page, _errors, base = _open_tab(
        browser, site, "en", java_script_enabled=False, viewport=PHONE
    )
    try:
        page.goto(f"{base}/movies/")
        assert not page.locator("[data-menu-toggle]").is_visible()
        for href in MENU_LINKS:
            assert _link(page, href).is_visible(), href
        assert page.locator("#language-select").is_visible()
        assert_rendered_in(page, "en")
    finally:
        context.close()
