"""Health endpoints answer before tenant resolution and reveal no secrets."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["localhost", "10.0.0.7", "unknown.example"])
def test_liveness_answers_on_any_host(client_for, host):
    response = client_for(host=host).get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("path", "checks"),
    [
        ("/health/ready", {"database", "redis", "broker", "storage"}),
        ("/health/dependencies", {"database", "redis", "broker", "storage"}),
        ("/health/db", {"database"}),
        ("/health/redis", {"redis"}),
    ],
)
def test_readiness_checks_each_dependency_with_latency(client_for, path, checks):
    response = client_for(host="10.0.0.7").get(path)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == checks
    for result in body["checks"].values():
        assert result["status"] == "up"
        assert result["latency_ms"] >= 0


def test_a_dependency_down_gives_503_without_secrets(client_for, settings):
    settings.REDIS_URL = "redis://:hunter2-secret@127.0.0.1:1/0"
    response = client_for(host="localhost").get("/health/redis")
    assert response.status_code == 503
    text = response.content.decode()
    assert json.loads(text)["checks"]["redis"]["status"] == "down"
    assert "hunter2" not in text
    assert "127.0.0.1" not in text
    assert settings.SECRET_KEY not in text
