"""Uploads in progress: the declared length is held against the storage quota from creation, an
organisation has only so many at once, and their bytes stay in the organisation's own folder."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from media_pipeline import uploads
from media_pipeline.models import Upload

pytestmark = pytest.mark.django_db

GB = 1024**3
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def create(client, length: int):
    return client.post("/api/v1/uploads/", None, HTTP_UPLOAD_LENGTH=str(length), **TUS)


def test_declared_lengths_are_reserved_until_the_upload_ends(api, key_a, tenant_a):
    client = api("alpha", f"Api-Key {key_a}")
    first = create(client, 6 * GB)  # the free plan holds 10 GB
    assert first.status_code == 201
    refused = create(client, 6 * GB)
    assert refused.status_code == 413
    assert refused["Content-Type"] == "application/problem+json"
    with tenant_context(tenant_a):
        assert Upload.objects.count() == 1
    assert client.delete(first["Location"], **TUS).status_code == 204
    assert create(client, 6 * GB).status_code == 201


def test_an_organisation_has_only_so_many_uploads_in_progress(api, key_a, tenant_a, settings):
    settings.MAX_CONCURRENT_UPLOADS = 2
    client = api("alpha", f"Api-Key {key_a}")
    assert [create(client, 1000).status_code for _ in range(2)] == [201, 201]
    refused = create(client, 1000)
    assert refused.status_code == 409
    assert "2 uploads in progress" in refused.json()["detail"]
    with tenant_context(tenant_a):
        assert Upload.objects.count() == 2
        # An upload abandoned more than a day ago no longer holds a place.
        Upload.objects.filter(pk=Upload.objects.first().pk).update(
            created_at=timezone.now() - timedelta(days=2)
        )
    assert create(client, 1000).status_code == 201


def test_staged_bytes_live_in_the_organisations_own_folder(tenant_a, tenant_b, settings, tmp_path):
    settings.WORK_ROOT = str(tmp_path / "work")
    folders = []
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            upload = Upload(filename="a.mp4", length=10)
            folders.append(uploads.staged_path(upload).parent)
    assert folders[0] != folders[1]
    assert folders == [
        Path(settings.WORK_ROOT) / "uploads" / t.schema_name for t in (tenant_a, tenant_b)
    ]
