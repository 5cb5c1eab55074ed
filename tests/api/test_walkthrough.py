"""The Python walk-through of docs/api.md, run exactly as written: against a live server, with a
real Celery worker making the recap, webhooks delivered to the walk-through's own receiver, and
the recap's files downloaded through the expiring links."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys

import pytest
from django_tenants.utils import tenant_context

from api import services as api_services
from api.models import ApiKey
from media_pipeline.models import JobState, Recap, RecapJob
from tenants.models import Tenant
from tests import factories
from tests.media_pipeline.media import synth_movie
from tests.worker import ROOT, celery_worker
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.worker

GUIDE = ROOT / "docs" / "api.md"
# The walk-through is every block fenced as ```python walkthrough, in the order they appear.
WALKTHROUGH_BLOCK = re.compile(r"^```python walkthrough\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
SLUG = "walkthrough"
OWNER = "owner@walkthrough.example"
# The two ways to reach an organisation that need no DNS: its path prefix, or X-Tenant-ID on
# the main host (then the download links must still work without the header). With the header,
# the walk-through also makes its own API key from the owner's password (step 1).
WAYS = {
    "prefix-with-key": lambda url, key: {
        "RECAP_BASE_URL": f"{url}/t/{SLUG}/",
        "RECAP_API_KEY": key,
    },
    "header-with-password": lambda url, key: {
        "RECAP_BASE_URL": url,
        "RECAP_TENANT": SLUG,
        "RECAP_EMAIL": OWNER,
        "RECAP_PASSWORD": factories.PASSWORD,
    },
}


def walkthrough_code() -> str:
    blocks = WALKTHROUGH_BLOCK.findall(GUIDE.read_text(encoding="utf-8"))
    assert len(blocks) >= 5, "docs/api.md lost its ```python walkthrough blocks"
    return "\n".join(blocks)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def organisation(live_server, transactional_db, settings, storage):
    """A committed organisation with an owner and a write key made by the real service."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True  # the receiver listens on 127.0.0.1, http
    factories.ensure_platform()
    tenant = factories.make_tenant(SLUG)
    owner = factories.make_member(tenant, OWNER, role="owner")
    with tenant_context(tenant):
        key = api_services.create_api_key(name="Test suite", scope="write", acting_user=owner)
    yield tenant, key.key
    for made in Tenant.objects.exclude(schema_name="public"):
        made.delete(force_drop=True)


@pytest.mark.parametrize("way", sorted(WAYS))
def test_the_python_walkthrough_runs_as_written(way, organisation, live_server, settings, tmp_path):
    tenant, key = organisation
    movie, subtitles, _truth = synth_movie(tmp_path, "night-train.mp4", duration=22.0)
    script = tmp_path / "walkthrough.py"
    script.write_text(walkthrough_code(), encoding="utf-8")
    out = tmp_path / "downloads"
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("RECAP_")},
        **WAYS[way](live_server.url, key),
        "RECAP_MOVIE": str(movie),
        "RECAP_SUBTITLES": str(subtitles),
        "RECAP_LANGUAGE": "en",
        "RECAP_TARGET": "auto",
        # Several chunks, so the upload really goes in pieces.
        "RECAP_CHUNK_BYTES": str(max(64 * 1024, movie.stat().st_size // 4)),
        "RECAP_WEBHOOK_PORT": str(free_port()),
        "RECAP_OUT": str(out),
        "RECAP_WAIT_SECONDS": "120",
        "NO_PROXY": "localhost,127.0.0.1",
    }
    worker_env = {"WORK_ROOT": str(settings.WORK_ROOT), "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1"}
    with celery_worker(extra_env=worker_env):
        run = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    [line] = [line for line in run.stdout.splitlines() if line.startswith("SUMMARY ")]
    summary = json.loads(line.removeprefix("SUMMARY "))

    # The movie went up in chunks and the recap job finished.
    assert summary["organisation"] == SLUG
    assert summary["chunks"] >= 2 and summary["movie_status"] == "ready"
    assert summary["subtitle_cues"] > 0
    assert summary["job_state"] == "done"
    assert 3.0 <= summary["recap_duration"] <= 22.5

    # Webhooks arrived signed and were verified; the receiver refuses replays and forgeries.
    assert {"webhook.test", "recap.completed"} <= set(summary["webhooks"])
    assert len(summary["webhooks"]) == len(set(summary["webhooks"]))  # each event handled once
    assert summary["receiver_checks"] == {
        "signed": 204,
        "replayed": 200,
        "tampered": 400,
        "stale": 400,
        "unsigned": 400,
    }

    # Every file of the recap came down through its link, none empty.
    files = summary["files"]
    assert {"video", "poster", "sprite", "thumbnails_vtt", "subtitles_vtt"} <= set(files)
    assert all(size > 0 for size in files.values()), files
    assert sorted(p.stat().st_size for p in out.iterdir()) == sorted(files.values())
    assert (out / f"recap-{summary['recap_id']}.mp4").read_bytes()[4:8] == b"ftyp"

    # Errors are problem documents in the caller's language; the list pages through to the end.
    assert summary["not_found"]["type"] == "urn:movie-recap:problem:not_found"
    assert summary["not_found"]["detail"] != "Not found."  # asked in French
    assert summary["library"] == [summary["movie_id"]]

    # The server agrees: one finished job and its recap; the script removed its endpoint.
    with tenant_context(tenant):
        job = RecapJob.objects.get()
        assert job.state == JobState.DONE
        assert Recap.objects.get(job=job).pk == summary["recap_id"]
        assert not WebhookEndpoint.objects.exists()
        keys = ApiKey.objects.order_by("pk")
        made = ["Test suite"] if way == "prefix-with-key" else ["Test suite", "Walk-through"]
        assert [api_key.name for api_key in keys] == made
        assert keys.last().last_used_at is not None  # the key the walk-through used
