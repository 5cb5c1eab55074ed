"""How a failure scenario runs its workers: short leases, a recovery sweep called where beat
would call it, and ffmpeg on a machine slow enough that a stage lasts the seconds the scenario
needs to act during it. A scenario then takes seconds where production takes minutes."""

from __future__ import annotations

import itertools
import logging
import threading
from pathlib import Path

import requests

LEASE_SECONDS = 3
RECOVERY_INTERVAL = 1.0
SLOW_FFMPEG = Path(__file__).with_name("slow_ffmpeg.py")
_slugs = itertools.count(1)
log = logging.getLogger(__name__)


def new_tenant(prefix: str):
    from tests import factories

    factories.ensure_platform()
    return factories.make_tenant(f"{prefix}{next(_slugs)}")


def worker_env(
    folders: dict[str, Path], *, render_rate: float | None = None,
    analysis_rate: float | None = None, **extra: str,
) -> dict[str, str]:  # fmt: skip
    """A worker with short leases on this test's work folder; `render_rate` and
    `analysis_rate` are seconds of movie read per second by the encode and the analysis."""
    from media_pipeline.pipeline import ffmpeg

    env = {
        "RECAP_LEASE_SECONDS": str(LEASE_SECONDS),
        "WORK_ROOT": str(folders["work"]),
        "FFMPEG_BINARY": str(SLOW_FFMPEG),
        "SLOW_FFMPEG_BINARY": ffmpeg.binary(),
        **extra,
    }
    if render_rate:
        env["SLOW_FFMPEG_RENDER_RATE"] = str(render_rate)
    if analysis_rate:
        env["SLOW_FFMPEG_ANALYSIS_RATE"] = str(analysis_rate)
    return env


class Beat(threading.Thread):
    """The recovery sweep every RECOVERY_INTERVAL, as beat sends it, run in this process (its
    messages go to the session's broker). A sweep that fails (the database is down for the
    scenario) is tried again at the next tick, as beat would."""

    def __init__(self) -> None:
        super().__init__(daemon=True, name="beat")
        self.requeued = 0
        self._done = threading.Event()

    def run(self) -> None:
        from django.db import connection

        from media_pipeline.tasks import recover_stalled_jobs

        try:
            while not self._done.wait(RECOVERY_INTERVAL):
                try:
                    self.requeued += recover_stalled_jobs()
                except Exception as exc:
                    log.info("sweep failed: %s", exc)
                    connection.close()
        finally:
            connection.close()

    def __enter__(self) -> Beat:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self.join(timeout=30)


def unacked_stages(schema: str) -> list[tuple[int, str]]:
    """The organisation's stage messages that the broker holds as delivered but never
    acknowledged (their worker died): what it hands out again once the visibility timeout
    passes. Other tests' killed workers leave theirs in the same broker."""
    import base64
    import json

    from celery import current_app

    from media_pipeline.recap_jobs.queue import RUN_STAGE

    with current_app.connection_for_write() as conn:
        entries = conn.default_channel.client.hgetall("unacked")
    stages = []
    for raw in entries.values():
        message = json.loads(raw)[0]
        headers = message["headers"]
        if headers.get("task") == RUN_STAGE and headers.get("_schema_name") == schema:
            args = json.loads(base64.b64decode(message["body"]))[0]
            stages.append((args[0], args[1]))
    return stages


def redeliver_unacked() -> None:
    """What the broker does once the visibility timeout of an unacknowledged message has
    passed, done now: kombu's own restore, with a timeout of zero."""
    from celery import current_app

    options = {"visibility_timeout": 0}
    with current_app.connection_for_write(transport_options=options) as conn:
        conn.default_channel.qos.restore_visible(num=100)


def api_key_for(tenant: object, owner: object) -> str:
    from django_tenants.utils import tenant_context

    from api import services as api_services

    with tenant_context(tenant):
        return api_services.create_api_key(name="CI", scope="write", acting_user=owner).key


def session_cookie(user: object) -> str:
    """A signed-in browser's session cookie (written to the database and the cache)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def visit(
    base_url: str, path: str, *, tenant: object, key: str = "", session: str = "",
    language: str = "en", method: str = "GET", json: dict | None = None,
) -> requests.Response:  # fmt: skip
    """One request to a real server, on the organisation's own host name."""
    headers = {"Host": f"{tenant.slug}.localhost", "Accept-Language": language}
    if key:
        headers["Authorization"] = f"Api-Key {key}"
    cookies = {"sessionid": session} if session else {}
    return requests.request(
        method, base_url + path, headers=headers, cookies=cookies, json=json, timeout=30,
        allow_redirects=False,
    )  # fmt: skip


def assert_unavailable(response: requests.Response, *, language: str) -> None:
    """503 with Retry-After in the visitor's language: problem+json for the API, else a page."""
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(language):
        sentence = gettext("The service is briefly unavailable. Please try again in a minute.")
    assert response.status_code == 503, (response.status_code, response.text[:500])
    assert int(response.headers["Retry-After"]) > 0
    if "/api/" in response.url:
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 503
        assert response.json()["detail"] == sentence
    else:
        assert response.headers["Content-Type"].startswith("text/html")
        assert sentence in response.text
        assert f'lang="{language}"' in response.text
    if language != "en":
        with translation.override("en"):
            assert sentence != gettext(
                "The service is briefly unavailable. Please try again in a minute."
            ), f"no {language} translation"
