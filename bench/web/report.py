"""The web benchmark's verdicts on the targets of issue 14, and its Markdown table."""

from __future__ import annotations

# Targets: req/s of an endpoint against the bare view's in the same run, p95 at 32 connections,
# SQL statements with warm caches, and a worker's memory across the memory run.
RATIO = {"movies20_key": 0.25, "movies2000_key": 0.25, "me": 0.4}
P95_MS = {"movies20_key": 50.0, "movies2000_key": 50.0}
SQL = {
    "movies20_key": 4,
    "movies20_jwt": 4,
    "movies2000_key": 4,
    "movies2000_jwt": 4,
    "dashboard": 8,
}
# "Flat": the last sample within this share of the first one taken after the warm-up.
MEMORY_GROWTH = 0.05
MEMORY_MIX = (
    "Memory (the mix: movie lists and /me/ of every organisation, the dashboard, unknown hosts "
    "never seen twice; the first row is taken after 10 s of warm-up):"
)


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def verdicts(run: dict) -> list[str]:
    results = run["results"]
    bare = results["bare"]["per_second"]
    found = []
    for name, wanted in RATIO.items():
        ratio = results[name]["per_second"] / bare
        by_cpu = results["bare"]["worker_cpu_ms"] / results[name]["worker_cpu_ms"]
        label = results[name]["label"]
        found.append(
            f"{_mark(ratio >= wanted)} {label}: {ratio:.2f}× the bare view's req/s "
            f"(target ≥ {wanted}×; by worker CPU per request: {by_cpu:.2f}×)"
        )
    for name, limit in P95_MS.items():
        p95 = results[name]["latency_ms"]["p95"]
        label = results[name]["label"]
        found.append(f"{_mark(p95 < limit)} {label}: p95 {p95:.1f} ms (target < {limit:g} ms)")
    for name, limit in SQL.items():
        count = run["sql"][name]
        label = results[name]["label"]
        found.append(f"{_mark(count <= limit)} {label}: {count} SQL statements (target ≤ {limit})")
    samples = run["memory"]["samples"]
    first, last = samples[0], samples[-1]
    for index, pid in enumerate(run["memory"]["workers"]):
        start, end = first["rss_mib"][index], last["rss_mib"][index]
        growth = (end - start) / start if start else 0.0
        found.append(
            f"{_mark(growth <= MEMORY_GROWTH)} worker {pid}: {start:.1f} → {end:.1f} MiB "
            f"over {last['requests']:,} requests ({growth:+.1%}; flat: "
            f"≤ {MEMORY_GROWTH:.0%})"
        )
    return found


def _endpoint_table(run: dict) -> str:
    results = run["results"]
    bare = results["bare"]["per_second"]
    bare_cpu = results["bare"]["worker_cpu_ms"]
    rows = [
        "| endpoint | status | req/s (rounds) | × bare | p50 ms | p95 ms | p99 ms | errors | "
        "worker CPU ms/req | × bare by CPU | SQL |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results.values():
        latency = result["latency_ms"]
        errors = sum(count for kind, count in result["errors"].items() if kind != "status")
        sql = "" if result["sql"] is None else str(result["sql"])
        rounds = ", ".join(str(value) for value in result["rounds_per_second"])
        rows.append(
            f"| {result['label']} | {result['status']} | {result['per_second']:.0f} ({rounds}) | "
            f"{result['per_second'] / bare:.2f} | {latency['p50']:.1f} | {latency['p95']:.1f} | "
            f"{latency['p99']:.1f} | {errors} | {result['worker_cpu_ms']:.2f} | "
            f"{bare_cpu / result['worker_cpu_ms']:.2f} | {sql} |"
        )
    return "\n".join(rows)


def _memory_table(run: dict) -> str:
    workers = run["memory"]["workers"]
    rows = [
        "| requests | " + " | ".join(f"worker {pid} RSS (MiB)" for pid in workers) + " |",
        "|---" * (1 + len(workers)) + "|",
    ]
    for sample in run["memory"]["samples"]:
        values = " | ".join(f"{value:.1f}" for value in sample["rss_mib"])
        rows.append(f"| {sample['requests']:,} | {values} |")
    return "\n".join(rows)


def markdown(run: dict) -> str:
    machine, settings = run["machine"], run["settings"]
    head = [
        f"Command: `{run['command']}` — started {run['started']}, took {run['seconds_taken']} s",
        f"Server: `{run['server']}` (the Procfile's web process)",
        f"Load: {machine['wrk']}, {settings['connections']} connections, "
        f"{settings['wrk_threads']} threads; each endpoint {settings['seconds']:g} s after "
        f"{settings['warmup']:g} s of warm-up, in {settings['rounds']} interleaved rounds, the "
        f"best round shown (worker CPU: the lowest); rate limit {settings['throttle']} per "
        f"credential, {settings['credentials']} API keys and as many people taken in turn",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
        f"{machine['os']}, Python {machine['python']}; load average before "
        f"{machine['load_average_before']}, after {machine['load_average_after']}",
    ]
    parts = [
        "\n".join(f"- {line}" for line in head),
        _endpoint_table(run),
        MEMORY_MIX + "\n\n" + _memory_table(run),
        "\n".join(f"- {line}" for line in verdicts(run)),
    ]
    return "\n\n".join(parts) + "\n"
