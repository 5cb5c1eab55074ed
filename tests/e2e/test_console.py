"""The operations console and the signup form in a real browser: an operator suspends an
organisation with a reason and looks at jobs across organisations (screenshots of each admin
page go to tests/artifacts/screenshots/); a visitor gets the address suggested from the name,
in English and in Arabic."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_tenants.utils import tenant_context

from media_pipeline.models import JobState, Movie, MovieStatus, RecapJob
from tenants.models import Tenant
from tests import factories
from tests.e2e.helpers import signed_in_page

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


@pytest.fixture
def public_site(live_server, transactional_db):
    factories.ensure_platform()
    yield live_server.url.replace("127.0.0.1", "localhost")
    for tenant in Tenant.objects.exclude(schema_name="public"):
        tenant.delete(force_drop=True)


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"admin-{name}.png"), full_page=True)


def test_an_operator_finds_failed_jobs_and_suspends_an_organisation_with_a_reason(
    public_site, browser
):
    tenant = factories.make_tenant("gamma", "Gamma Studios")
    owner = factories.make_member(tenant, "owner-g@example.com", role="owner")
    with tenant_context(tenant):
        movie = Movie.objects.create(title="Cut short", file="m/cut.mp4", status=MovieStatus.FAILED)
        RecapJob.objects.create(movie=movie, state=JobState.FAILED, failure_code="truncated",
                                failure_reason="The file ends early.")  # fmt: skip
    operator = factories.make_user("ops-e2e@example.com", is_staff=True)
    operator.is_superuser = True
    operator.save()
    context, page, errors = signed_in_page(browser, operator, "localhost")
    try:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"{public_site}/admin/")
        page.get_by_role("link", name="Recap jobs in every organisation").click()
        row = page.get_by_test_id("job-row")
        assert "Cut short" in row.inner_text() and "Not retryable" in row.inner_text()
        shoot(page, "jobs")

        page.goto(f"{public_site}/admin/tenants/tenant/")
        shoot(page, "organisations")
        page.get_by_role("link", name="Gamma Studios").click()
        page.get_by_test_id("usage").wait_for()  # the organisation's page has loaded
        assert page.get_by_test_id("usage").is_visible()
        assert not page.locator("[name=name_fr]").is_visible()  # folded
        shoot(page, "organisation")

        page.goto(f"{public_site}/admin/tenants/tenant/")
        page.locator(f"input[name=_selected_action][value='{tenant.pk}']").check()
        page.locator("select[name=action]").select_option("suspend")
        page.get_by_role("button", name="Go").click()
        page.get_by_label("Reason").fill("Repeated copyright complaints.")
        shoot(page, "suspend")
        page.get_by_role("button", name="Yes, suspend").click()
        assert "1 organisation suspended." in page.locator(".messagelist").inner_text()
        assert errors == []
    finally:
        context.close()
    assert Tenant.objects.get(pk=tenant.pk).status == "suspended"

    visitor = browser.new_context(locale="en-US")
    try:
        closed = visitor.new_page()
        closed.goto(public_site.replace("localhost", "gamma.localhost") + "/")
        assert "Repeated copyright complaints." in closed.locator("main").inner_text()
        assert (
            closed.get_by_role("link", name="Contact us")
            .get_attribute("href")
            .endswith("/contact/")
        )
    finally:
        visitor.close()
    assert owner.email


@pytest.mark.parametrize(
    ("language", "name", "address"),
    [("en", "Lumière Pictures", "lumiere-pictures"), ("ar", "Studio 9 Nord", "studio-9-nord")],
)
def test_signup_suggests_the_address_and_shows_progress(public_site, page, language, name, address):
    page.context.add_cookies(
        [{"name": "recap_language", "value": language, "domain": "localhost", "path": "/"}]
    )
    page.goto(f"{public_site}/signup/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.locator("#id_name").fill(name)
    assert page.locator("#id_slug").input_value() == address
    # Typed by the visitor: the name no longer overwrites it.
    page.locator("#id_slug").fill("my-own")
    page.locator("#id_name").fill(name + " Two")
    assert page.locator("#id_slug").input_value() == "my-own"

    # The button turns busy on submit (the form is held back here to look at it).
    page.evaluate(
        "document.querySelector('form[data-signup]')"
        ".addEventListener('submit', (event) => event.preventDefault())"
    )
    button = page.locator("form[data-signup] button[type=submit]")
    busy_label = button.get_attribute("data-busy-label")
    button.click()
    assert button.get_attribute("aria-busy") == "true" and button.is_disabled()
    assert button.inner_text() == busy_label
    assert page.console_errors == []
