"""The services a failure scenario starts, stops and restarts: a PostgreSQL and a Redis of its
own (never the ones the whole test session shares), gunicorn, Celery beat, and the outside
world's end of email (an SMTP server)."""

from __future__ import annotations

import os
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.db import connection, connections

from scripts import services
from tests.worker import ROOT, stop_process, wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL of its own (pgserver in a temporary folder), migrated like a new
    deployment; `stop()` shuts it down as a restart would (sessions cut), `start()` brings it
    back on the same socket."""

    def __init__(self, folder: Path) -> None:
        import pgserver

        self.folder = folder
        self.server = pgserver.get_server(folder / "pg", cleanup_mode="delete")
        self.server.psql("CREATE DATABASE recap;")
        self.socket_dir = str(self.server.get_postmaster_info().socket_dir)
        self.url = f"postgres://postgres@{quote(self.socket_dir, safe='')}/recap"
        self.running = True

    def migrate(self) -> None:
        env = {**os.environ, "DATABASE_URL": self.url}
        subprocess.run(
            [sys.executable, "manage.py", "setup_platform", "-v", "0"],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=300,
        )  # fmt: skip

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(list(args), pgdata=self.server.pgdata, user=self.server.system_user, timeout=60)

    def stop(self) -> None:
        self._pg_ctl("-w", "-m", "fast", "stop")
        self.running = False

    def start(self) -> None:
        log = str(self.server.pgdata / "log")
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", log, "start")
        self.running = True

    def close(self) -> None:
        if self.running:
            self.stop()
        self.server.cleanup()


@contextmanager
def database_at(url_parts: ThrowawayPostgres) -> Iterator[None]:
    """Point this process's ORM (every thread's connection) at another PostgreSQL for a while.
    The connection settings are one dict shared by all threads' connections."""
    settings_dict = connection.settings_dict
    saved = {key: settings_dict.get(key) for key in ("NAME", "HOST", "PORT", "USER", "PASSWORD")}
    connections.close_all()
    settings_dict.update(
        {"NAME": "recap", "HOST": url_parts.socket_dir, "PORT": "", "USER": "postgres",
         "PASSWORD": ""}
    )  # fmt: skip
    try:
        yield
    finally:
        connections.close_all()
        settings_dict.update(saved)


class ThrowawayRedis:
    """A Redis without persistence of its own: `stop()` kills it, `start()` brings it back
    empty on the same socket, as a broker restarted without persistence would come back."""

    def __init__(self) -> None:
        # Unix socket paths are limited to ~107 bytes: a short folder of its own.
        self.folder = Path(tempfile.mkdtemp(prefix="rl-redis-"))
        self.socket = self.folder / "redis.sock"
        self.url = f"unix://{self.socket}?db=0"
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        _url, self.proc = services.start_redis(socket_path=self.socket, folder=self.folder)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        self.socket.unlink(missing_ok=True)

    def close(self) -> None:
        self.stop()
        for path in self.folder.iterdir():
            path.unlink()
        self.folder.rmdir()


@dataclass(frozen=True)
class WebServer:
    url: str
    proc: subprocess.Popen


@contextmanager
def web_server(env: dict[str, str], log: Path, *, port: int = 0) -> Iterator[WebServer]:
    """gunicorn as the Procfile runs it (2 processes × 4 threads), in its own process group."""
    port = port or free_port()
    with open(log, "ab") as output:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
                "--workers", "2", "--threads", "4", "--access-logfile", "-",
            ],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: _answers(url, proc), 60, "gunicorn to answer")
            yield WebServer(url, proc)
        finally:
            stop_process(proc, grace=10)


def _answers(url: str, proc: subprocess.Popen) -> bool:
    if proc.poll() is not None:
        raise AssertionError(f"gunicorn exited with {proc.returncode}")
    try:
        return requests.get(f"{url}/health", timeout=5).status_code < 500
    except requests.RequestException:  # not listening yet, or its workers still booting
        return False


@contextmanager
def celery_beat(env: dict[str, str], folder: Path) -> Iterator[subprocess.Popen]:
    """Celery beat sending the periodic sweeps, with its schedule file in `folder`."""
    with open(folder / "beat.log", "ab") as output:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
                "--schedule", str(folder / "beat-schedule"),
            ],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            yield proc
        finally:
            stop_process(proc, grace=10)


class SmtpSink(socketserver.ThreadingTCPServer):
    """The mail server at the other end: speaks enough SMTP to take messages and keeps them.
    With `hang`, it accepts the connection and never answers, like a stalled relay."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, hang: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.hang = hang
        self.messages: list[str] = []
        self.connected = threading.Event()
        self._release = threading.Event()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def env(self) -> dict[str, str]:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "0",
        }

    def close(self) -> None:
        self._release.set()
        self.shutdown()
        self.server_close()


class _SmtpSession(socketserver.StreamRequestHandler):
    server: SmtpSink

    def handle(self) -> None:
        self.server.connected.set()
        if self.server.hang:
            self.server._release.wait()
            return
        self._say("220 sink ESMTP")
        data: list[str] | None = None
        for raw in self.rfile:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if data is not None:
                if line == ".":
                    self.server.messages.append("\n".join(data))
                    data = None
                    self._say("250 kept")
                else:
                    data.append(line[1:] if line.startswith("..") else line)
                continue
            verb = line[:4].upper()
            if verb == "DATA":
                data = []
                self._say("354 go on")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 ok")

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")


class SmallDisk:
    """A size-limited filesystem mounted on `path` (a tmpfs: needs root, CAP_SYS_ADMIN), the
    full disk of a scenario; `grow()` gives it room, as an operator freeing space would."""

    def __init__(self, path: Path, size: str) -> None:
        self.path = path
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (root needed): {done.stderr.strip()}")

    def grow(self, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.path)], check=True)

    def close(self) -> None:
        subprocess.run(["umount", "--lazy", str(self.path)], check=True)


def pause(seconds: float) -> None:
    """A deliberate wait (an outage lasting this long), named so tests read as the scenario."""
    time.sleep(seconds)
