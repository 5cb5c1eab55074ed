"""The web benchmark starts the server as the Procfile does, keeps its bare view out of the
product, and reads issue 14's targets right."""

from __future__ import annotations

import importlib

from django.conf import settings

from bench.web import load, report


def test_the_server_is_the_procfiles_web_process_on_a_local_port():
    command = load.procfile_web_command(4321)
    assert command[:2] == ["gunicorn", "config.wsgi"]
    assert command[command.index("--bind") + 1] == "127.0.0.1:4321"
    assert command[command.index("--workers") + 1] == "2"
    assert command[command.index("--threads") + 1] == "4"


def test_the_bare_view_lives_only_in_the_benchmarks_settings():
    bench_settings = importlib.import_module("bench.web.settings")
    assert bench_settings.MIDDLEWARE[0] == "bench.web.bare.BareJsonMiddleware"
    assert bench_settings.MIDDLEWARE[1:] == settings.MIDDLEWARE
    assert not any("bench" in name for name in settings.MIDDLEWARE)


def result(label: str, per_second: float, cpu_ms: float, p95: float = 10.0) -> dict:
    return {"label": label, "per_second": per_second, "worker_cpu_ms": cpu_ms,
            "latency_ms": {"p95": p95}}  # fmt: skip


def test_the_verdicts_compare_with_the_bare_view_of_the_same_run():
    run = {
        "results": {
            "bare": result("bare", 2000, 0.5),
            "me": result("me", 900, 1.0),
            "movies20_key": result("20", 400, 2.0, p95=60.0),
            "movies2000_key": result("2000", 600, 1.8),
            "movies20_jwt": result("20 jwt", 400, 2.0),
            "movies2000_jwt": result("2000 jwt", 400, 2.0),
            "dashboard": result("dashboard", 100, 8.0),
        },
        "sql": {"movies20_key": 3, "movies20_jwt": 3, "movies2000_key": 5, "movies2000_jwt": 3,
                "dashboard": 8},
        "memory": {"workers": [11], "samples": [{"requests": 0, "rss_mib": [100.0]},
                                                {"requests": 100_000, "rss_mib": [106.0]}]},
    }  # fmt: skip
    found = report.verdicts(run)
    assert found[0].startswith("❌ 20: 0.20×")  # below 0.25× the bare view
    assert found[1].startswith("✅ 2000: 0.30×")
    assert found[2].startswith("✅ me: 0.45×")
    assert found[3].startswith("❌ 20: p95 60.0 ms")
    assert "❌ 2000: 5 SQL statements (target ≤ 4)" in found
    assert found[-1].startswith("❌ worker 11: 100.0 → 106.0 MiB")  # +6% is not flat
