"""Tenant-aware tasks: queued on one organisation, run by a real worker in its schema only."""

from __future__ import annotations

import hashlib
import time

import pytest
from django.core.files.base import ContentFile
from django_tenants.utils import tenant_context

from media_pipeline.models import Movie
from media_pipeline.tasks import verify_movie_checksum
from tests import factories
from tests.factories import use_local_storage
from tests.worker import celery_worker

pytestmark = pytest.mark.worker


@pytest.fixture
def committed_tenants(transactional_db, settings, tmp_path):
    use_local_storage(settings, tmp_path)
    factories.ensure_platform()
    tenants = [factories.make_tenant("worker-a"), factories.make_tenant("worker-b")]
    yield tenants
    for tenant in tenants:
        tenant.delete(force_drop=True)


def test_task_queued_on_a_runs_in_a_schema_only(committed_tenants):
    tenant_a, tenant_b = committed_tenants
    movies = {}
    for tenant, content in ((tenant_a, b"alpha frames"), (tenant_b, b"bravo frames")):
        with tenant_context(tenant):
            movie = Movie(title=f"{tenant.slug} movie")
            movie.file.save("movie.mp4", ContentFile(content), save=True)
            movies[tenant.slug] = movie.pk
    # Same primary key in both schemas: only the schema tells them apart.
    assert movies["worker-a"] == movies["worker-b"]

    with celery_worker() as worker:
        with tenant_context(tenant_a):
            verify_movie_checksum.delay(movies["worker-a"])
        deadline = time.monotonic() + 60
        checksum = ""
        while time.monotonic() < deadline and not checksum:
            with tenant_context(tenant_a):
                checksum = Movie.objects.get(pk=movies["worker-a"]).checksum
            time.sleep(0.2)
        assert worker.poll() is None, worker.stdout.read().decode()

    assert checksum == hashlib.sha256(b"alpha frames").hexdigest()
    with tenant_context(tenant_b):
        assert Movie.objects.get(pk=movies["worker-b"]).checksum == ""
