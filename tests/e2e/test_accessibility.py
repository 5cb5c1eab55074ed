"""The main pages pass axe-core's WCAG A/AA checks in English and Arabic, fit a phone, and can be
used with the keyboard alone."""

from __future__ import annotations

import pytest
from django.urls import Resolver404, resolve

from tests.e2e.a11y import (
    assert_no_serious_violations,
    assert_rendered_in,
    contrast,
    focusable_in,
    focused,
    has_focus_ring,
    processed_site,
)
from tests.e2e.helpers import signed_in_page

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

LANGUAGES = ["en", "ar"]


def _exists(path: str, urlconf: str) -> bool:
    try:
        resolve(path, urlconf=urlconf)
    except Resolver404:
        return False
    return True


# Pages that other parts of the product add over time are checked as soon as they exist.
PUBLIC_PAGES = [
    (name, path)
    for name, path in [
        ("landing", "/"),
        ("pricing", "/pricing/"),
        ("signup", "/signup/"),
        ("login", "/accounts/login/"),
        ("password-reset", "/accounts/password-reset/"),
    ]
    if _exists(path, "config.urls_public")
]
TENANT_PAGES = [
    (name, path)
    for name, path in [
        ("dashboard", "/"),
        ("library", "/movies/"),
        ("upload", "/movies/upload/"),
        ("movie", "/movies/{movie}/"),
        ("recap", "/recaps/{recap}/"),
        ("subtitles", "/movies/{movie}/subtitles/{track}/"),
        ("team", "/team/"),
        ("account", "/accounts/profile/"),
        ("settings", "/settings/"),
    ]
    if _exists(path.format(movie=1, recap=1, track=1), "config.urls_tenant")
]


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory, browser):
    with processed_site(django_db_blocker, tmp_path_factory.mktemp("a11y"), "a11y") as site:
        yield site


@pytest.fixture(scope="module")
def tabs(site, browser):
    """One browser tab per audience and language, reused page after page (new contexts cost)."""
    opened: dict[tuple[str, str], tuple] = {}

    def tab(audience: str, language: str):
        key = (audience, language)
        if key not in opened:
            if audience == "public":
                context = browser.new_context(locale="en-US")
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                host = "localhost"
            else:
                context, page, errors = signed_in_page(browser, site.owner, site.tenant_host)
                host = site.tenant_host
            context.add_cookies(
                [{"name": "recap_language", "value": language, "domain": host, "path": "/"}]
            )
            opened[key] = (page, errors)
        page, errors = opened[key]
        errors.clear()
        return page, errors

    yield tab
    for page, _errors in opened.values():
        page.context.close()


def _check(page, errors: list[str], language: str, where: str) -> None:
    assert_rendered_in(page, language)
    assert_no_serious_violations(page, where)
    page.set_viewport_size({"width": 360, "height": 800})
    assert_rendered_in(page, language)
    assert errors == [], f"{where}: {errors}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "path"), PUBLIC_PAGES, ids=[n for n, _p in PUBLIC_PAGES])
def test_public_page_has_no_serious_accessibility_problems(site, tabs, language, name, path):
    page, errors = tabs("public", language)
    page.set_viewport_size({"width": 1280, "height": 900})
    response = page.goto(f"{site.public_url}{path}")
    assert response.status == 200, f"{path}: {response.status}"
    _check(page, errors, language, f"the public {name} page ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "path"), TENANT_PAGES, ids=[n for n, _p in TENANT_PAGES])
def test_organisation_page_has_no_serious_accessibility_problems(site, tabs, language, name, path):
    page, errors = tabs("organisation", language)
    page.set_viewport_size({"width": 1280, "height": 900})
    where = path.format(movie=site.movie_id, recap=site.recap_id, track=site.track_id)
    url = f"{site.tenant_url}{where}"
    response = page.goto(url)
    assert response.status == 200, f"{url}: {response.status}"
    if name == "recap":
        page.wait_for_function(
            "() => document.getElementById('recap-video').readyState >= 1", timeout=20_000
        )
    _check(page, errors, language, f"the organisation's {name} page ({language})")


def _tab(page) -> dict:
    page.keyboard.press("Tab")
    state = focused(page)
    assert has_focus_ring(state), f"no visible focus ring on {state}"
    # WCAG 1.4.11: the ring must stand out from what it is drawn on by 3:1 at least.
    if state["outlineStyle"] not in ("none", ""):
        ratio = contrast(state["outlineColor"], state["ringOn"])
        assert ratio >= 3, f"focus ring contrast {ratio:.2f}:1 on {state}"
    assert state["inWindow"], f"the focused element is off screen: {state}"
    return state


@pytest.mark.parametrize("language", LANGUAGES)
def test_keyboard_reaches_the_header_and_the_signup_form_with_a_visible_focus(site, tabs, language):
    page, errors = tabs("public", language)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{site.public_url}/signup/")
    assert_rendered_in(page, language)

    # The first Tab shows the skip link, then each control of the header in order.
    skip = _tab(page)
    assert "skip-link" in skip["classes"] and skip["href"] == "#main"
    header = focusable_in(page, ".site-header")
    assert "select|language-select|language|" in header
    assert [_tab(page)["key"] for _ in header] == header

    # Following the skip link puts the next Tab on the form: every field, then its button.
    page.goto(f"{site.public_url}/signup/")
    _tab(page)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    form = focusable_in(page, "main form[method=post]")
    reached = [_tab(page) for _ in form]
    assert [state["key"] for state in reached] == form
    assert [state["id"] for state in reached[:6]] == [
        "id_name",
        "id_slug",
        "id_region",
        "id_full_name",
        "id_email",
        "id_password",
    ]
    assert (reached[-1]["tag"], reached[-1]["type"]) == ("button", "submit")
    assert errors == []
