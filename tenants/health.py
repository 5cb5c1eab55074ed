"""Health endpoints for load balancers and orchestrators; they reveal no secrets.

/health is liveness (the process answers); /health/ready checks every dependency;
/health/db, /health/redis check one; /health/dependencies lists each with its latency.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import redis
from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def check_broker() -> None:
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def check_storage() -> None:
    name = default_storage.save(f"health/{uuid.uuid4().hex}", ContentFile(b"ok"))
    default_storage.delete(name)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "redis": check_redis,
    "broker": check_broker,
    "storage": check_storage,
}


def run_check(name: str) -> dict[str, object]:
    started = time.perf_counter()
    try:
        CHECKS[name]()
    except Exception as exc:  # any failure means "down"; the type is enough to act on
        status, error = "down", type(exc).__name__
    else:
        status, error = "up", None
    result: dict[str, object] = {
        "status": status,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if error:
        result["error"] = error
    return result


def report(names: list[str]) -> JsonResponse:
    results = {name: run_check(name) for name in names}
    healthy = all(r["status"] == "up" for r in results.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": results}
    return JsonResponse(body, status=200 if healthy else 503)


def dispatch(request: HttpRequest) -> JsonResponse:
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"status": "method not allowed"}, status=405)
    path = request.path.rstrip("/")
    if path == "/health":
        return JsonResponse({"status": "ok"})
    if path in ("/health/ready", "/health/dependencies"):
        return report(list(CHECKS))
    if path == "/health/db":
        return report(["database"])
    if path == "/health/redis":
        return report(["redis"])
    return JsonResponse({"status": "not found"}, status=404)
