"""A real Celery worker process on the test database and Redis, for tests that need one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    db = connection.settings_dict
    host = quote(db.get("HOST") or "", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}{port}/{db['NAME']}"


def service_env(*, database_url: str | None = None, redis_url: str | None = None) -> dict[str, str]:
    """The environment of a process of the product on the test's services (or the given ones)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url or test_database_url(),
        "REDIS_URL": redis_url or settings.REDIS_URL,
        "MEDIA_ROOT": str(settings.STORAGES["default"]["OPTIONS"]["location"]),
    }


@contextmanager
def celery_worker(
    *,
    queues: str = "default,video,maintenance",
    extra_env: dict[str, str] | None = None,
    pool: str = "solo",
    concurrency: int = 1,
    database_url: str | None = None,
    redis_url: str | None = None,
    log: Path | None = None,
) -> Iterator[subprocess.Popen]:
    """A worker in its own process group. `pool="prefork"` with `concurrency` > 1 gives a parent
    and its pool children, as in production; `log` keeps its output in a file (else a pipe)."""
    env = {**service_env(database_url=database_url, redis_url=redis_url), **(extra_env or {})}
    output = open(log, "ab") if log is not None else subprocess.PIPE  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "--queues",
            queues,
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        stop_process(proc)
        if log is not None:
            output.close()


def stop_process(proc: subprocess.Popen, *, grace: float = 20) -> None:
    """Ask politely, then kill the process group (a killed test leaves nothing behind)."""
    if proc.poll() is None:
        proc.terminate()
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def wait_for(predicate, seconds: float, what: str, *, interval: float = 0.1):
    """Poll `predicate` until it returns something truthy, and return that."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")
