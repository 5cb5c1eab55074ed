"""A visitor signs up a new organisation in a real browser and lands on its dashboard."""

from __future__ import annotations

import re

import pytest

from tenants.models import Tenant
from tests import factories

pytestmark = pytest.mark.e2e


@pytest.fixture
def public_site(live_server, transactional_db):
    factories.ensure_platform()
    yield live_server.url.replace("127.0.0.1", "localhost")
    for tenant in Tenant.objects.exclude(schema_name="public"):
        tenant.delete(force_drop=True)


def test_sign_up_lands_on_the_new_dashboard(public_site, page):
    page.goto(f"{public_site}/")
    page.get_by_role("link", name="Create your organisation").click()
    page.get_by_label("Organisation name").fill("Lumière Pictures")
    page.get_by_label("Your site's address").fill("lumiere")
    page.get_by_label("Data region").select_option("eu-west-1")
    page.get_by_label("Your name").fill("Louise Lumière")
    page.get_by_label("Email").fill("louise@lumiere.example")
    page.get_by_label("Password").fill("cinématographe 1895 Lyon")
    page.get_by_role("button", name="Create organisation").click()

    page.wait_for_url(re.compile(r"^http://lumiere\.localhost:\d+/$"))
    assert page.get_by_test_id("dashboard-title").inner_text() == "Welcome to Lumière Pictures"
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.console_errors == []
    assert Tenant.objects.get(slug="lumiere").memberships.get().role == "owner"


def test_sign_up_in_arabic_shows_a_right_to_left_form_with_translated_errors(public_site, page):
    page.goto(f"{public_site}/signup/")
    with page.expect_navigation():
        page.locator("#language-select").select_option("ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    page.locator("#id_slug").fill("www")
    page.locator("form[novalidate] button[type=submit]").click()
    error = page.locator(".field.has-error .error").first
    assert error.is_visible()
    assert "reserved" not in error.inner_text()
    assert not Tenant.objects.filter(slug="www").exists()
