"""python -m bench.web: seed, start gunicorn as the Procfile does, measure every endpoint against
the bare JSON view in one run, count SQL statements, weigh a worker across many requests."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.web.settings"
# Production-like: no debug machinery; everything else as the development defaults.
os.environ["DJANGO_DEBUG"] = "0"
# Without debug the development key is refused; a fresh one per run stands in for production's.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
# Rate limits stay on, high enough that the load (spread over many keys and people) is never
# refused, low enough that each bucket holds what a production bucket holds.
os.environ.setdefault("API_THROTTLE_RATE", "6000/min")

ROOT = Path(__file__).resolve().parent.parent.parent
UNKNOWN_HOST = "nobody-here.localhost"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per endpoint")
    parser.add_argument("--rounds", type=int, default=3, help="each endpoint, best round kept")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds before each")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--credentials", type=int, default=128, help="API keys and people each")
    parser.add_argument("--crowd", type=int, default=20, help="small organisations, memory run")
    parser.add_argument("--memory-requests", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/out/web")
    return parser.parse_args()


def lines(host: str, path: str, auths: list[str] | None = None) -> list[str]:
    if not auths:
        return [f"{path}\tHost: {host}"]
    return [f"{path}\tHost: {host}\t{auth}" for auth in auths]


def phases(small, large) -> list[tuple[str, str, list[str], int]]:
    """(name, how it is called, wrk lines, expected status); credentials minted now."""
    small_keys = [f"Authorization: Api-Key {key}" for key in small.keys]
    large_keys = [f"Authorization: Api-Key {key}" for key in large.keys]
    small_jwt = [f"Authorization: Bearer {token}" for token in small.tokens()]
    large_jwt = [f"Authorization: Bearer {token}" for token in large.tokens()]
    movies = "/api/v1/movies/"
    return [
        ("bare", "bare Django JSON view (reference)", lines(small.host, "/bench/bare/"), 200),
        ("health", "GET /health (no tenant, no auth)", lines(small.host, "/health"), 200),
        ("me", "GET /api/v1/me/ · API key", lines(small.host, "/api/v1/me/", small_keys), 200),
        (
            "movies20_key",
            "GET /api/v1/movies/ · 20 movies · API key",
            lines(small.host, movies, small_keys),
            200,
        ),
        (
            "movies20_jwt",
            "GET /api/v1/movies/ · 20 movies · JWT",
            lines(small.host, movies, small_jwt),
            200,
        ),
        (
            "movies2000_key",
            "GET /api/v1/movies/ · 2,000 movies (first page) · API key",
            lines(large.host, movies, large_keys),
            200,
        ),
        (
            "movies2000_jwt",
            "GET /api/v1/movies/ · 2,000 movies (first page) · JWT",
            lines(large.host, movies, large_jwt),
            200,
        ),
        (
            "dashboard",
            "GET / (dashboard) · signed in, 20 movies",
            lines(small.host, "/", [f"Cookie: {small.session_cookie()}"]),
            200,
        ),
        ("unknown", "GET / · unknown organisation (404)", lines(UNKNOWN_HOST, "/"), 404),
    ]


def memory_mix(small, large, crowd) -> list[str]:
    """Every kind of request, across every organisation, and unknown hosts never seen twice."""
    mix = []
    for org in (small, large, *crowd):
        key = f"Authorization: Api-Key {org.keys[0]}"
        mix += lines(org.host, "/api/v1/movies/", [key]) + lines(org.host, "/api/v1/me/", [key])
    mix += lines(small.host, "/", [f"Cookie: {small.session_cookie()}"])
    mix += lines("x{rand}.localhost", "/") + lines("x{rand}.localhost", "/api/v1/movies/")
    return mix


def statements(small, large) -> dict[str, int]:
    """SQL statements of one request with warm caches, read from Django's connection."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cases = {
        "me": (small.host, "/api/v1/me/", f"Api-Key {small.keys[0]}", None),
        "movies20_key": (small.host, "/api/v1/movies/", f"Api-Key {small.keys[0]}", None),
        "movies20_jwt": (small.host, "/api/v1/movies/", f"Bearer {small.tokens()[0]}", None),
        "movies2000_key": (large.host, "/api/v1/movies/", f"Api-Key {large.keys[0]}", None),
        "movies2000_jwt": (large.host, "/api/v1/movies/", f"Bearer {large.tokens()[0]}", None),
        "dashboard": (small.host, "/", None, small.owner),
        "unknown": (UNKNOWN_HOST, "/", None, None),
    }
    counted = {}
    for name, (host, path, auth, person) in cases.items():
        client = Client(HTTP_HOST=host, **({"HTTP_AUTHORIZATION": auth} if auth else {}))
        if person is not None:
            client.force_login(person)
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        counted[name] = len(queries.captured_queries)
    return counted


def measure(port: int, master: int, small, large, args: argparse.Namespace) -> dict[str, dict]:
    """Every endpoint in turn, for several rounds (a shared machine's load comes and goes; the
    best round of each is kept, like the pipeline benchmark does), with the workers' CPU."""
    from bench.web import load

    workers = load.workers(master)
    settle = {"connections": args.connections, "threads": args.threads}
    rounds: dict[str, list[dict]] = {}
    labels: dict[str, tuple[str, int]] = {}
    for number in range(1, args.rounds + 1):
        # Tokens are minted each round: they last five minutes.
        for name, label, wanted, expected in phases(small, large):
            status = load.status_of(port, wanted[0])
            if status != expected:
                raise RuntimeError(f"{label}: answered {status}, expected {expected}")
            print(f"  round {number}: {label}…", flush=True)
            load.wrk(port, wanted, seconds=args.warmup, **settle)
            before = load.cpu_seconds(workers)
            measured = load.wrk(port, wanted, seconds=args.seconds, **settle)
            cpu = load.cpu_seconds(workers) - before
            labels[name] = (label, status)
            rounds.setdefault(name, []).append(
                {**asdict(measured), "per_second": measured.per_second,
                 "worker_cpu_ms": 1000 * cpu / max(measured.requests, 1)}
            )  # fmt: skip
    results = {}
    for name, measured in rounds.items():
        best = max(measured, key=lambda one: one["per_second"])
        label, status = labels[name]
        results[name] = {
            "label": label,
            "status": status,
            **best,
            "worker_cpu_ms": min(one["worker_cpu_ms"] for one in measured),
            "rounds_per_second": [round(one["per_second"]) for one in measured],
        }
    return results


def weigh_a_worker(port, master, mix, args) -> dict:
    """RSS of each worker after a warm-up, then after every chunk until the total is reached."""
    from bench.web import load

    load.wrk(port, mix, seconds=10, connections=args.connections, threads=args.threads)
    pids = load.workers(master)
    samples = [{"requests": 0, "rss_mib": [round(load.rss_mib(pid), 1) for pid in pids]}]
    total = 0
    while total < args.memory_requests:
        chunk = load.wrk(port, mix, seconds=15, connections=args.connections, threads=args.threads)
        total += chunk.requests
        samples.append({"requests": total, "rss_mib": [round(load.rss_mib(p), 1) for p in pids]})
    return {"workers": pids, "samples": samples}


def main() -> int:
    args = arguments()
    import django

    django.setup()
    from django.core.management import call_command

    from bench.pipeline.machine import describe
    from bench.web import load, report, seed

    args.out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    load_before = [round(value, 2) for value in os.getloadavg()]
    print("Seeding (organisations and movies are reused by later runs)…", flush=True)
    call_command("setup_platform", verbosity=0)
    small = seed.organisation("bench-20", movies=20, keys=args.credentials, people=args.credentials)
    large = seed.organisation(
        "bench-2000", movies=2000, keys=args.credentials, people=args.credentials
    )
    crowd = [seed.organisation(f"bench-crowd-{n:02d}", movies=5, keys=1) for n in range(args.crowd)]

    from django.test import Client

    bare_json = args.out / "bare.json"
    listed = Client(HTTP_HOST=small.host, HTTP_AUTHORIZATION=f"Api-Key {small.keys[0]}")
    bare_json.write_bytes(listed.get("/api/v1/movies/").content)

    port = load.free_port()
    env = {**os.environ, "BENCH_BARE_JSON": str(bare_json)}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    log = args.out / "gunicorn.log"
    log.write_bytes(b"")
    server = load.start_server(port, env, log)
    try:
        results = measure(port, server.pid, small, large, args)
        print(f"  memory across {args.memory_requests:,} requests…", flush=True)
        memory = weigh_a_worker(port, server.pid, memory_mix(small, large, crowd), args)
    finally:
        load.stop_server(server)
    # Counted once the caches are long warm (a new organisation is read from the database for
    # the first seconds after its creation: see web/cache.py).
    sql = statements(small, large)
    for name, result in results.items():
        result["sql"] = sql.get(name)

    described = describe()
    machine = {key: described[key] for key in ("cpu", "cores", "memory_gib", "os", "python")}
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout
    machine["wrk"] = version.splitlines()[0].split(" Copyright")[0] if version else "wrk"
    machine["load_average_before"] = load_before
    machine["load_average_after"] = [round(value, 2) for value in os.getloadavg()]
    run = {
        "command": "python -m bench.web " + " ".join(sys.argv[1:]),
        "started": started.isoformat(timespec="seconds"),
        "seconds_taken": round((datetime.now(UTC) - started).total_seconds()),
        "server": " ".join(load.procfile_web_command(port)),
        "settings": {
            "connections": args.connections,
            "wrk_threads": args.threads,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "throttle": os.environ["API_THROTTLE_RATE"],
            "credentials": args.credentials,
            "crowd": args.crowd,
        },
        "machine": machine,
        "results": results,
        "sql": sql,
        "memory": memory,
    }
    (args.out / "results.json").write_text(json.dumps(run, indent=2, default=str))
    table = report.markdown(run)
    (args.out / "results.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
