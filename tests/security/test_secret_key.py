"""The secret key: without the debug pages the development key or a short one stops the start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings.base import DEVELOPMENT_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent.parent


def manage_check(**env: str | None) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ENV"}
    }
    base.update({k: v for k, v in env.items() if v is not None})
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "key",
    [None, DEVELOPMENT_SECRET_KEY, "k" * 49],
    ids=["absent", "development-key", "49-characters"],
)
def test_debug_off_refuses_the_development_or_a_short_key(key):
    result = manage_check(DJANGO_DEBUG="0", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY must be set to at least 50 random characters" in result.stderr


def test_debug_off_starts_with_a_long_random_key():
    result = manage_check(DJANGO_DEBUG="0", SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_with_debug_on_still_needs_a_real_key():
    result = manage_check(
        DJANGO_ENV="production", DJANGO_DEBUG="1", SECRET_KEY=DEVELOPMENT_SECRET_KEY
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
