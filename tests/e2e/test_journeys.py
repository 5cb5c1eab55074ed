"""The main journey of a new customer, in English and in Arabic, on a phone-sized window: sign up,
invite a teammate, upload a movie with subtitles, follow the progress, watch the recap, then read
the same page in another language. Every page must be in the chosen language and direction and
must not scroll sideways at 360 px."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from accounts.models import Invitation, User
from media_pipeline.models import JobState, RecapJob
from tenants.models import Tenant
from tests import factories
from tests.e2e.a11y import assert_rendered_in
from tests.e2e.helpers import open_menu
from tests.factories import use_local_storage
from tests.media_pipeline.media import synth_movie
from tests.worker import celery_worker

pytestmark = [pytest.mark.e2e, pytest.mark.worker]

# The language each journey switches to at the end, from the header of the recap page.
SWITCH_TO = {"en": "fr", "ar": "en"}
ACTIVE_STATES = {
    "queued", "probing", "transcribing", "analyzing", "selecting", "rendering", "publishing",
}  # fmt: skip


@pytest.fixture
def public_site(live_server, transactional_db, settings, tmp_path):
    use_local_storage(settings, tmp_path / "storage")
    settings.WORK_ROOT = str(tmp_path / "work")
    factories.ensure_platform()
    yield live_server.url.replace("127.0.0.1", "localhost")
    for tenant in Tenant.objects.exclude(schema_name="public"):
        tenant.delete(force_drop=True)


class Journey:
    """One browser tab on a phone-sized window that checks every page it arrives on."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(locale="en-US", viewport={"width": 360, "height": 780})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.visited: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )

    def arrive(self, url_pattern: str, language: str) -> None:
        self.page.wait_for_url(re.compile(url_pattern))
        self.page.wait_for_load_state()
        assert_rendered_in(self.page, language)
        self.visited.append(self.page.url)

    def switch_language(self, language: str) -> None:
        open_menu(self.page)
        with self.page.expect_navigation():
            self.page.locator("#language-select").select_option(language)

    def cookie(self, url: str, name: str) -> str | None:
        return next((c["value"] for c in self.context.cookies(url) if c["name"] == name), None)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_sign_up_invite_upload_and_watch_the_recap(
    public_site, browser, tmp_path, settings, language
):
    slug = f"premiere-{language}"
    owner_email = f"louise@{slug}.example"
    teammate_email = f"auguste@{slug}.example"
    movie, subtitles, _truth = synth_movie(tmp_path, "premiere.mp4", duration=24.0)
    journey = Journey(browser)
    page = journey.page
    jobs: list[dict] = []
    page.on("response", lambda r: jobs.append(r.json()) if "/jobs/" in r.url and r.ok else None)

    with celery_worker(extra_env={"WORK_ROOT": str(settings.WORK_ROOT)}):
        # The public site, in the visitor's language picked from the header.
        page.goto(f"{public_site}/")
        journey.arrive(r"/$", "en")
        if language != "en":
            journey.switch_language(language)
            journey.arrive(r"/$", language)
            assert journey.cookie(public_site, "recap_language") == language

        page.locator("main a[href='/signup/']").first.click()
        journey.arrive(r"/signup/$", language)
        page.locator("#id_name").fill("Cinéma Lumière")
        page.locator("#id_slug").fill(slug)
        page.locator("#id_region").select_option("eu-west-1")
        page.locator("#id_full_name").fill("Louise Lumière")
        page.locator("#id_email").fill(owner_email)
        page.locator("#id_password").fill("cinématographe 1895 Lyon")
        page.locator("main form[method=post] button[type=submit]").click()

        # The new organisation's dashboard, on its own subdomain.
        journey.arrive(rf"^http://{slug}\.localhost:\d+/$", language)
        tenant_site = page.url.rstrip("/")
        assert "Cinéma Lumière" in page.get_by_test_id("dashboard-title").inner_text()
        owner = User.objects.get(email=owner_email)
        assert owner.language == language  # the choice became the person's saved preference
        # The cookie stayed on the public host: the subdomain speaks it from the profile.
        assert journey.cookie(tenant_site, "recap_language") is None

        # Team: invite a teammate, who gets an email with the link to join.
        open_menu(page)
        page.locator("nav a[href='/team/']").click()
        journey.arrive(r"/team/$", language)
        page.locator("#id_email").fill(teammate_email)
        page.locator("#id_role").select_option("member")
        with page.expect_navigation():
            page.locator("form:has(#id_email) button[type=submit]").click()
        journey.arrive(r"/team/$", language)
        assert page.locator(".messages .message.success").count() == 1
        assert teammate_email in page.locator("main").inner_text()
        tenant = Tenant.objects.get(slug=slug)
        invitation = Invitation.objects.get(tenant=tenant, email=teammate_email)
        sent = [message for message in mail.outbox if message.to == [teammate_email]]
        assert len(sent) == 1
        assert f"/invitations/{invitation.token}/" in sent[0].body

        # Upload a movie with its subtitles from the dashboard's upload button.
        page.locator("nav a.brand").click()
        journey.arrive(rf"^{re.escape(tenant_site)}/$", language)
        page.locator("main a[href='/movies/upload/']").click()
        journey.arrive(r"/movies/upload/$", language)
        page.locator("#movie-file").set_input_files(str(movie))
        page.locator("#movie-title").fill("Première")
        page.locator("#recap-target").select_option("auto")
        page.locator("#subtitle-file").set_input_files(str(subtitles))
        page.locator("#subtitle-language").select_option("en")
        page.locator("#upload-start").click()
        journey.arrive(r"/movies/\d+/$", language)
        movie_url = page.url

        # The movie page follows the job live until the recap is ready.
        assert int(page.locator("[data-job-percent]").inner_text()) < 100
        watch = page.locator("[data-job-recap] a")
        page.wait_for_function(
            """() => document.querySelector('[data-job-percent]').textContent === '100'
                && !document.querySelector('[data-job-recap]').hidden""",
            timeout=120_000,
        )
        assert watch.is_visible()
        assert page.locator("[data-job-progress]").evaluate("p => p.value") == 100
        # Rendered while active (below 100%), then brought to "done" by the page's own polling,
        # without a reload; a quick worker may finish before the first poll sees an active state.
        states = [job["state"] for job in jobs]
        assert states and states[-1] == "done", states
        assert set(states) <= ACTIVE_STATES | {"done"}, states
        assert_rendered_in(page, language)
        watch.click()

    journey.arrive(r"/recaps/\d+/$", language)
    page.wait_for_function(
        "() => document.getElementById('recap-video').readyState >= 1", timeout=20_000
    )
    assert page.locator(".synopsis").inner_text().strip()
    assert page.locator("[data-seek]").count() >= 1

    # The header's switcher re-renders the same address in the other language.
    recap_url = page.url
    other = SWITCH_TO[language]
    journey.switch_language(other)
    journey.arrive(rf"^{re.escape(recap_url)}$", other)
    owner.refresh_from_db()
    assert owner.language == other
    page.goto(movie_url)
    journey.arrive(rf"^{re.escape(movie_url)}$", other)

    assert journey.errors == []
    assert len(journey.visited) >= 9
    journey.context.close()
    with tenant_context(tenant):
        assert RecapJob.objects.get().state == JobState.DONE
