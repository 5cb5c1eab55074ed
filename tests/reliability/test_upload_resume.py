"""gunicorn killed (SIGKILL, the whole process group) in the middle of a tus PATCH: a new server
answers HEAD with the offset that was committed, the client resumes from there, and the stored
movie is byte for byte the file that was sent (same SHA-256)."""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import signal
from urllib.parse import urlsplit

import pytest
import requests
from django.db import connection
from django_tenants.utils import tenant_context

from media_pipeline.models import Movie, MovieStatus, Upload
from tests.worker import service_env, wait_for

from .harness import api_key_for
from .servers import web_server

pytestmark = pytest.mark.worker

TUS = {"Tus-Resumable": "1.0.0"}


def metadata(**pairs: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


def patch_in_progress() -> bool:
    """A server holds an upload's row lock and waits for the rest of the body: mid-PATCH."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'"
            " AND query LIKE %s",
            ["%media_pipeline_upload%FOR UPDATE%"],
        )
        return cursor.fetchone()[0] > 0


def staged_bytes(folders, tenant) -> int:
    staging = folders["work"] / "uploads" / tenant.schema_name
    return sum(path.stat().st_size for path in staging.glob("*.part")) if staging.exists() else 0


def test_an_upload_cut_by_a_killed_server_resumes_to_the_same_file(
    tenant, owner, movie_file, folders
):
    data = movie_file[0].read_bytes()
    third = len(data) // 3
    host = {
        "Host": f"{tenant.slug}.localhost",
        "Authorization": f"Api-Key {api_key_for(tenant, owner)}",
    }
    env = {**service_env(), "WORK_ROOT": str(folders["work"])}
    with web_server(env, folders["root"] / "web-1.log") as first:
        created = requests.post(
            f"{first.url}/api/v1/uploads/", timeout=30, headers={
                **host, **TUS, "Upload-Length": str(len(data)),
                "Upload-Metadata": metadata(filename="storm.mp4", title="Storm", language="en"),
            },
        )  # fmt: skip
        assert created.status_code == 201, created.text
        path = urlsplit(created.headers["Location"]).path
        patch = {**host, **TUS, "Content-Type": "application/offset+octet-stream"}
        done = requests.patch(f"{first.url}{path}", data=data[:third], timeout=30,
                              headers={**patch, "Upload-Offset": "0"})  # fmt: skip
        assert done.headers["Upload-Offset"] == str(third)

        # The second third is on its way when the server dies, half of it sent.
        port = urlsplit(first.url).port
        cut = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        cut.putrequest("PATCH", path, skip_host=True)
        for name, value in {**patch, "Upload-Offset": str(third),
                            "Content-Length": str(third)}.items():  # fmt: skip
            cut.putheader(name, value)
        cut.endheaders()
        cut.send(data[third : third + third // 2])
        wait_for(patch_in_progress, 30, "the server to be inside the PATCH")
        os.killpg(first.proc.pid, signal.SIGKILL)
        first.proc.wait()
        cut.close()

    with web_server(env, folders["root"] / "web-2.log") as second:
        head = requests.head(f"{second.url}{path}", headers={**host, **TUS}, timeout=30)
        assert head.status_code == 200
        offset = int(head.headers["Upload-Offset"])
        assert offset == third, "only what a committed PATCH wrote counts"
        finished = requests.patch(f"{second.url}{path}", data=data[offset:], timeout=60,
                                  headers={**patch, "Upload-Offset": str(offset)})  # fmt: skip
        assert finished.status_code == 204, finished.text

    with tenant_context(tenant):
        movie = Movie.objects.get(pk=int(finished.headers["Movie-Id"]))
        assert movie.status == MovieStatus.READY and movie.size_bytes == len(data)
        with movie.file.open("rb") as stored:
            digest = hashlib.sha256(stored.read()).hexdigest()
        assert not Upload.objects.filter(movie__isnull=True).exists()
    assert digest == hashlib.sha256(data).hexdigest()
    assert staged_bytes(folders, tenant) == 0
