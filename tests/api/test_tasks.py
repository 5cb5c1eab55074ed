"""Idempotency records are forgotten after their replay window, in every organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from api.models import IdempotencyRecord
from api.tasks import purge_idempotency_records

pytestmark = pytest.mark.django_db


def make_record(key: str) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        owner="key:1", key=key, method="POST", path="/api/v1/movies/1/jobs/",
        fingerprint="0" * 64, status=201, body={"id": 1},
    )  # fmt: skip


def test_old_idempotency_records_are_purged_and_recent_ones_kept(tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            old = make_record("old")
            IdempotencyRecord.objects.filter(pk=old.pk).update(
                created_at=timezone.now() - timedelta(days=2)
            )
            make_record("new")
    assert purge_idempotency_records() == 2
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
