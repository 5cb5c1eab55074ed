"""Task time limits come from settings, and the broker never redelivers a task while it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent.parent
LIMIT_SETTINGS = (
    "CELERY_TASK_TIME_LIMIT",
    "RECAP_STAGE_TIME_LIMIT",
    "RECAP_STAGE_SOFT_TIME_LIMIT",
    "RECAP_LEASE_SECONDS",
    "RECAP_RECOVERY_INTERVAL",
)


def settings_under(**variables: str) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter with these environment variables."""
    env = {k: v for k, v in os.environ.items() if k not in {*LIMIT_SETTINGS, "SECRET_KEY"}}
    script = (
        "import json; from django.conf import settings; print(json.dumps({"
        "'visibility_timeout': settings.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], "
        + "".join(f"'{name}': settings.{name}, " for name in LIMIT_SETTINGS)
        + "}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", **variables},
        capture_output=True,
        text=True,
        timeout=60,
    )


def limits_under(**variables: str) -> dict[str, int]:
    result = settings_under(**variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def visibility_timeout() -> int:
    return app.conf.broker_transport_options["visibility_timeout"]


def test_the_visibility_timeout_is_above_every_hard_limit_a_task_uses():
    app.loader.import_default_modules()
    hard_limits = {name: task.time_limit for name, task in app.tasks.items()}
    assert "media_pipeline.tasks.run_stage" in hard_limits
    assert all(limit for limit in hard_limits.values()), "every task has a hard limit"
    over = {name: limit for name, limit in hard_limits.items() if limit >= visibility_timeout()}
    assert over == {}
    assert visibility_timeout() > settings.CELERY_TASK_TIME_LIMIT
    assert visibility_timeout() > settings.RECAP_STAGE_TIME_LIMIT


def test_a_dead_worker_s_stage_is_recovered_by_its_lease_before_any_redelivery():
    recovered_after = settings.RECAP_LEASE_SECONDS + settings.RECAP_RECOVERY_INTERVAL
    assert recovered_after < visibility_timeout()


def test_the_recap_stage_limits_default_to_three_hours_with_two_minutes_to_stop():
    limits = limits_under()
    assert limits["RECAP_STAGE_TIME_LIMIT"] == 3 * 60 * 60 == limits["CELERY_TASK_TIME_LIMIT"]
    assert limits["RECAP_STAGE_SOFT_TIME_LIMIT"] == 3 * 60 * 60 - 120
    assert limits["visibility_timeout"] == 3 * 60 * 60 + 15 * 60


def test_lowering_the_task_limit_keeps_the_timeout_above_a_longer_stage():
    limits = limits_under(CELERY_TASK_TIME_LIMIT="600", RECAP_STAGE_TIME_LIMIT="14400")
    assert limits["CELERY_TASK_TIME_LIMIT"] == 600
    assert limits["RECAP_STAGE_SOFT_TIME_LIMIT"] == 14400 - 120
    assert limits["visibility_timeout"] == 14400 + 15 * 60


def test_a_stage_follows_a_lowered_task_limit_unless_given_its_own():
    limits = limits_under(CELERY_TASK_TIME_LIMIT="600")
    assert limits["RECAP_STAGE_TIME_LIMIT"] == 600
    assert limits["RECAP_STAGE_SOFT_TIME_LIMIT"] == 480
    assert limits["visibility_timeout"] == 600 + 15 * 60


def test_a_longer_task_limit_than_the_stage_s_still_sets_the_timeout():
    limits = limits_under(CELERY_TASK_TIME_LIMIT="20000", RECAP_STAGE_TIME_LIMIT="3600")
    assert limits["visibility_timeout"] == 20000 + 15 * 60


def test_a_soft_limit_at_or_above_the_hard_one_is_refused_at_start():
    result = settings_under(RECAP_STAGE_TIME_LIMIT="600", RECAP_STAGE_SOFT_TIME_LIMIT="600")
    assert result.returncode != 0
    assert "RECAP_STAGE_SOFT_TIME_LIMIT must be above zero" in result.stderr
