"""Fixtures of the failure scenarios: a test movie, an organisation with its owner, and storage
and work folders of the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.media_pipeline.media import synth_movie

from .harness import LEASE_SECONDS, new_tenant


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.reliability)


@pytest.fixture(scope="session")
def movie_file(tmp_path_factory) -> tuple[Path, float]:
    """A little over a minute of synthetic movie (shots, dialogue, loud and quiet stretches)
    and its length: a one-minute recap must be shorter than its movie, and renders long enough
    for a scenario to act in the middle of it."""
    path, _srt, truth = synth_movie(tmp_path_factory.mktemp("reliability"), duration=64.0)
    return path, truth.duration


@pytest.fixture
def folders(settings, tmp_path) -> dict[str, Path]:
    """This test's storage and work folders (what the worker is told through MEDIA_ROOT and
    WORK_ROOT); every ffmpeg of the scenario names a path under `tmp_path`."""
    from tests.factories import use_local_storage

    media, work = tmp_path / "media", tmp_path / "work"
    work.mkdir()
    use_local_storage(settings, media)
    settings.WORK_ROOT = work
    # The sweeps run here: they judge leases with the workers' lease.
    settings.RECAP_LEASE_SECONDS = LEASE_SECONDS
    return {"media": media, "work": work, "root": tmp_path}


@pytest.fixture
def tenant(transactional_db, folders):
    """An organisation of its own on the session's database (committed: workers see it)."""
    tenant = new_tenant("crash")
    yield tenant
    tenant.delete(force_drop=True)


@pytest.fixture
def owner(tenant):
    from tests import factories

    return factories.make_member(tenant, f"owner@{tenant.slug}.example", role="owner")
