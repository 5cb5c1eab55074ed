"""Checks shared by the browser acceptance tests: axe-core, page language and direction, overflow
at phone width, focus visibility; and one organisation with a finished recap to look at.

axe-core is the build shipped inside the `axe-playwright-python` wheel, injected by path, so no
Node.js or network is needed at test time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import axe_playwright_python
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test.utils import override_settings
from django_tenants.utils import tenant_context

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
AXE_JS = Path(axe_playwright_python.__file__).parent / "axe.min.js"
# WCAG 2.x A/AA plus axe's best practices (landmarks, one h1, unique names); only "serious" and
# "critical" findings fail a test, the rest is printed by axe's own report if anyone asks for it.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


# ---- axe-core ------------------------------------------------------------------------------


def axe_violations(page) -> list[dict]:
    """axe's violations on the page as it is now, whatever their impact."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's debugging protocol, which the pages' strict
        # Content-Security-Policy does not govern (a <script> tag without its nonce would be
        # refused, as it should be); the trailing 0 keeps Playwright from calling a result.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;0")
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return results["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"— {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(str(t) for t in node['target'])}")
    return "\n".join(lines)


def assert_no_serious_violations(page, where: str) -> None:
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe found serious problems on {where}:\n{describe(blocking)}"


# ---- layout and language ----------------------------------------------------------------------


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def assert_rendered_in(page, language: str) -> None:
    """The page says it is in `language`, in that language's direction, and fits the window."""
    html = page.locator("html")
    assert html.get_attribute("lang") == language, page.url
    expected = "rtl" if language in RTL_LANGUAGES else "ltr"
    assert html.get_attribute("dir") == expected, page.url
    overflow = horizontal_overflow(page)
    assert overflow == 0, f"{page.url} scrolls sideways by {overflow}px at {viewport(page)}"


def viewport(page) -> str:
    size = page.viewport_size or {}
    return f"{size.get('width')}x{size.get('height')}"


# A control's identity in tab-order checks: tag, id, name and link target.
_KEY_JS = "el => [el.tagName.toLowerCase(), el.id, el.getAttribute('name') || '',"
_KEY_JS += " el.getAttribute('href') || ''].join('|')"


def focusable_in(page, selector: str) -> list[str]:
    """The keyboard-reachable controls inside `selector`, in document order."""
    return page.evaluate(
        f"""selector => {{
            const key = {_KEY_JS};
            const controls = document.querySelectorAll(
                `${{selector}} :is(a[href], button, input:not([type=hidden]), select, textarea)`);
            return Array.from(controls)
                .filter(el => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length)
                .map(key);
        }}""",
        selector,
    )


def focused(page) -> dict:
    """What has keyboard focus, how it looks, and whether it is inside the window."""
    return page.evaluate(
        rf"""() => {{
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            // The ring is drawn just outside the element, on the first opaque background of
            // its ancestors.
            let ringOn = 'rgb(255, 255, 255)';
            for (let node = el.parentElement; node; node = node.parentElement) {{
                const color = getComputedStyle(node).backgroundColor;
                if (color !== 'transparent' && !/^rgba\(.*,\s*0\)$/.test(color)) {{
                    ringOn = color;
                    break;
                }}
            }}
            return {{
                key: ({_KEY_JS})(el),
                tag: el.tagName.toLowerCase(),
                id: el.id,
                type: el.getAttribute('type') || '',
                href: el.getAttribute('href') || '',
                classes: el.className || '',
                outlineStyle: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth) || 0,
                outlineColor: style.outlineColor,
                boxShadow: style.boxShadow,
                ringOn,
                inWindow: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
                    && box.right <= window.innerWidth && box.bottom <= window.innerHeight,
            }};
        }}"""
    )


def has_focus_ring(state: dict) -> bool:
    outline = state["outlineStyle"] not in ("none", "") and state["outlineWidth"] > 0
    shadow = state["boxShadow"] not in ("none", "")
    return outline or shadow


def _luminance(css_color: str) -> float:
    red, green, blue = (int(float(v)) for v in re.findall(r"[\d.]+", css_color)[:3])
    channels = []
    for value in (red / 255, green / 255, blue / 255):
        channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two computed CSS colours (`rgb(...)` / `rgba(...)`)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# ---- one organisation with a finished recap -----------------------------------------------


@dataclass(frozen=True)
class ProcessedSite:
    tenant: object
    owner: object
    public_url: str
    tenant_url: str
    tenant_host: str
    movie_id: int
    recap_id: int
    track_id: int


@contextmanager
def processed_site(django_db_blocker, folder: Path, slug: str) -> Iterator[ProcessedSite]:
    """A live server, an organisation, its owner and one movie recapped by a real worker.

    Built once per test module: pytest-django's `live_server` flushes the database after every
    test, so this runs its own server and removes what it made (tenant schema included) itself.
    """
    from pytest_django.live_server_helper import LiveServer

    from accounts.models import User
    from media_pipeline import services
    from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob
    from media_pipeline.subtitle_tracks import add_subtitle_track
    from tests import factories
    from tests.media_pipeline.media import synth_movie
    from tests.worker import celery_worker, wait_for

    storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder / "storage"), "base_url": "/media/"},
    }
    with django_db_blocker.unblock():
        from django.conf import settings

        overrides = override_settings(
            STORAGES={**settings.STORAGES, "default": storage}, WORK_ROOT=str(folder / "work")
        )
        overrides.enable()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        tenant = owner = None
        try:
            factories.ensure_platform()
            tenant = factories.make_tenant(slug, name="Cinéma Lumière")
            owner = factories.make_member(tenant, f"owner@{slug}.example", role="owner")
            movie_path, srt_path, truth = synth_movie(folder, "lumiere.mp4", duration=16.0)
            with tenant_context(tenant):
                movie = Movie(
                    title="Le Voyage dans la Lune",
                    uploader=owner,
                    duration=truth.duration,
                    language="en",
                    status=MovieStatus.READY,
                )
                with open(movie_path, "rb") as handle:
                    movie.file.save("lumiere.mp4", File(handle), save=True)
                subtitles = SimpleUploadedFile("lumiere.srt", srt_path.read_bytes())
                track = add_subtitle_track(
                    movie=movie, uploaded_file=subtitles, language="en", user=owner
                )
                job = services.start_recap_job(
                    movie=movie, target="auto", language="en", acting_user=owner
                )

            def finished() -> bool:
                with tenant_context(tenant):
                    state = RecapJob.objects.values_list("state", flat=True).get(pk=job.pk)
                return state in {JobState.DONE, JobState.FAILED, JobState.CANCELED}

            with celery_worker(extra_env={"WORK_ROOT": str(folder / "work")}):
                wait_for(finished, 120, "the recap to be made")
            with tenant_context(tenant):
                job.refresh_from_db()
                assert job.state == JobState.DONE, (job.failure_code, job.failure_reason)
                recap = Recap.objects.get(job=job)
            port = server.url.rsplit(":", 1)[1]
            yield ProcessedSite(
                tenant=tenant,
                owner=owner,
                public_url=f"http://localhost:{port}",
                tenant_url=f"http://{slug}.localhost:{port}",
                tenant_host=f"{slug}.localhost",
                movie_id=movie.pk,
                recap_id=recap.pk,
                track_id=track.pk,
            )
        finally:
            server.stop()
            server._live_server_modified_settings.disable()
            if tenant is not None:
                if owner is not None:
                    # The owner's rows in the organisation's schema go first, then the schema.
                    with tenant_context(tenant):
                        User.objects.filter(pk=owner.pk).delete()
                tenant.delete(force_drop=True)
            overrides.disable()
            connections.close_all()
