"""The whole journey in a real browser with a real worker: upload a movie with subtitles, watch
the progress, and play the recap with working chapters and subtitles."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import tenant_context

from media_pipeline.models import JobState, RecapJob
from tenants.models import Tenant
from tests import factories
from tests.e2e.helpers import signed_in_page
from tests.factories import use_local_storage
from tests.media_pipeline.media import synth_movie
from tests.worker import celery_worker

pytestmark = [pytest.mark.e2e, pytest.mark.worker]


@pytest.fixture
def site(live_server, transactional_db, settings, tmp_path):
    use_local_storage(settings, tmp_path / "storage")
    settings.WORK_ROOT = str(tmp_path / "work")
    factories.ensure_platform()
    tenant = factories.make_tenant("journey")
    owner = factories.make_member(tenant, "owner@journey.example", role="owner")
    port = live_server.url.rsplit(":", 1)[1]
    yield tenant, owner, f"http://journey.localhost:{port}"
    for other in Tenant.objects.exclude(schema_name="public"):
        other.delete(force_drop=True)


def test_upload_watch_progress_and_play_the_recap(site, browser, tmp_path, settings):
    tenant, owner, base = site
    # A little over a minute: a one-minute recap must be shorter than its movie.
    movie, subtitles, _truth = synth_movie(tmp_path, "premiere.mp4", duration=64.0)
    context, page, errors = signed_in_page(browser, owner, "journey.localhost")
    seen_states: set[str] = set()
    page.on(
        "response",
        lambda r: seen_states.add(r.json()["state"]) if "/jobs/" in r.url and r.ok else None,
    )
    with celery_worker(extra_env={"WORK_ROOT": str(settings.WORK_ROOT)}):
        page.goto(f"{base}/movies/upload/")
        page.get_by_label("Movie file").set_input_files(str(movie))
        page.get_by_label("Title", exact=True).fill("Première")
        page.get_by_label("Recap length").select_option("60")
        page.get_by_label("Subtitle file (SRT or WebVTT)").set_input_files(str(subtitles))
        page.get_by_label("Language of the subtitles").select_option("en")
        page.get_by_role("button", name="Upload").click()
        page.wait_for_url(re.compile(r"/movies/\d+/$"), timeout=30_000)

        # The progress updates live until the recap link appears.
        watch = page.get_by_role("link", name="Watch the recap")
        watch.wait_for(state="visible", timeout=120_000)
        assert page.locator("[data-job-percent]").inner_text() == "100"
        watch.click()

    page.wait_for_url(re.compile(r"/recaps/\d+/$"))
    assert seen_states & {"analyzing", "selecting", "rendering", "publishing", "done"}
    video = page.locator("#recap-video")
    assert video.evaluate("v => v.canPlayType('video/mp4; codecs=\"avc1.640028\"')") != ""
    page.wait_for_function(
        "() => document.getElementById('recap-video').readyState >= 1", timeout=20_000
    )
    duration = video.evaluate("v => v.duration")
    # A one-minute recap of a 64 s movie: most of it, never more than the minute asked for.
    assert 40 <= duration <= 61

    tracks = video.evaluate(
        """v => new Promise(resolve => {
            const all = Array.from(v.textTracks);
            all.forEach(t => { t.mode = 'hidden'; });
            const ready = () => all.every(t => t.kind === 'metadata' || (t.cues && t.cues.length));
            const done = () => resolve(
                all.map(t => ({kind: t.kind, cues: t.cues ? t.cues.length : 0})));
            let tries = 0;
            const tick = () => (ready() || ++tries > 100) ? done() : setTimeout(tick, 100);
            tick();
        })"""
    )
    kinds = {t["kind"]: t["cues"] for t in tracks}
    assert kinds["chapters"] >= 3
    assert kinds["subtitles"] >= 1

    chapters = page.locator(".chapters [data-seek]")
    assert chapters.count() >= 3
    last = chapters.nth(chapters.count() - 1)
    target = float(last.get_attribute("data-seek"))
    last.click()
    page.wait_for_function(
        f"() => Math.abs(document.getElementById('recap-video').currentTime - {target}) < 1.5"
    )
    # Each synopsis sentence shows its evidence: selecting it seeks to that moment.
    sentences = page.locator(".synopsis [data-seek]")
    assert sentences.count() >= 1
    first = sentences.first
    at = float(first.get_attribute("data-seek"))
    first.click()
    page.wait_for_function(
        f"() => Math.abs(document.getElementById('recap-video').currentTime - {at}) < 1.5"
    )
    assert page.locator(".synopsis").inner_text().strip()
    assert errors == []
    context.close()

    with tenant_context(tenant):
        assert RecapJob.objects.get().state == JobState.DONE
