"""Driving the load: gunicorn started as the Procfile starts it, wrk against it, and what a
worker process weighs."""

from __future__ import annotations

import http.client
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = Path(__file__).with_name("requests.lua")


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    errors: dict[str, int]
    latency_ms: dict[str, float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def procfile_web_command(port: int) -> list[str]:
    """The Procfile's `web:` command, bound to 127.0.0.1:`port`."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _colon, command = line.partition(":")
        if name.strip() == "web":
            args = shlex.split(command)
            args[args.index("--bind") + 1] = f"127.0.0.1:{port}"
            return args
    raise RuntimeError("The Procfile has no web process.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = procfile_web_command(port)
    binary = Path(sys.executable).with_name(command[0])
    with log.open("ab") as out:
        server = subprocess.Popen(
            [str(binary), *command[1:]],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start; see {log}")
        try:
            if status_of(port, "/health") == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer /health within a minute.")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def status_of(port: int, line: str) -> int:
    """The status one request of a wrk line gets (a check that the phase measures the right
    answer, not a refusal)."""
    path, *fields = line.replace("{rand}", "1").split("\t")
    headers = dict(field.split(": ", 1) for field in fields)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def wrk(port: int, lines: list[str], *, seconds: float, connections: int, threads: int) -> Load:
    """wrk against the server, taking `lines` (path, then headers, tab-separated) in turn."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is needed: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(lines) + "\n")
    try:
        done = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
             "--timeout", "10s", "-s", str(SCRIPT), f"http://127.0.0.1:{port}"],
            env={**os.environ, "BENCH_REQUESTS": listing.name},
            capture_output=True,
            text=True,
            check=True,
        )  # fmt: skip
    finally:
        os.unlink(listing.name)
    report = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    found = json.loads(report[len("BENCH ") :])
    return Load(
        requests=found["requests"],
        seconds=found["duration_us"] / 1e6,
        errors=found["errors"],
        latency_ms={name: value / 1000 for name, value in found["latency_us"].items()},
    )


def workers(master: int) -> list[int]:
    """The gunicorn worker processes: the master's children."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
