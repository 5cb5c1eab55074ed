"""The lease as a guard: a take per token, and a holder that only lost the database for longer
than its lease keeps its stage if it renews within the grace the recovery sweep gives it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from media_pipeline import services
from media_pipeline.models import JobState, RecapJob
from media_pipeline.recap_jobs import lease, recovery
from tests.factories import not_a_video_movie, use_local_storage

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(tenant_a, owner_a, settings, tmp_path):
    """A job whose probing stage a worker holds."""
    use_local_storage(settings, tmp_path / "media")
    settings.WORK_ROOT = tmp_path / "work"
    with tenant_context(tenant_a):
        movie = not_a_video_movie(owner_a, tmp_path)
        job = services.start_recap_job(
            movie=movie, target="auto", language="en", acting_user=owner_a
        )
        taken = lease.acquire(job.pk, JobState.PROBING)
        assert taken is not None
        yield taken


def run_out(job_id: int) -> None:
    RecapJob.objects.filter(pk=job_id).update(lease_expires_at=timezone.now() - timedelta(1))


def test_a_sweep_leaves_a_held_stage_to_its_holder_for_the_grace(tenant_a, held):
    with tenant_context(tenant_a):
        run_out(held.job_id)
        assert recovery.requeue_stalled() == []  # suspected, not taken

        row = RecapJob.objects.get(pk=held.job_id)
        assert (row.lease_token, row.state) == (held.token, JobState.PROBING)
        assert lease.suspected(row.lease_owner)
        assert row.lease_expires_at > timezone.now() + lease.grace() - timedelta(seconds=1)
        # A message for the stage meanwhile (a redelivery) does not take it from its holder.
        assert lease.acquire(held.job_id, JobState.PROBING) is None

        assert lease.renew(held)  # the holder is back: the suspicion goes with the renewal
        assert not lease.suspected(RecapJob.objects.get(pk=held.job_id).lease_owner)
        run_out(held.job_id)
        assert recovery.requeue_stalled() == []  # suspected afresh, not taken
        assert lease.held(held) is not None


def test_a_holder_that_never_renews_loses_the_stage_after_the_grace(tenant_a, held):
    with tenant_context(tenant_a):
        run_out(held.job_id)
        assert recovery.requeue_stalled() == []
        run_out(held.job_id)  # the grace passed without a renewal: the holder is dead

        assert recovery.requeue_stalled() == [held.job_id]
        again = lease.acquire(held.job_id, JobState.PROBING)

        assert again is not None and again.token != held.token
        assert not lease.renew(held)
        assert lease.held(held) is None


def test_a_stage_waiting_for_a_worker_is_queued_again_at_once(tenant_a, held):
    with tenant_context(tenant_a):
        lease.release(held)
        run_out(held.job_id)

        assert recovery.requeue_stalled() == [held.job_id]
        assert lease.acquire(held.job_id, JobState.PROBING) is not None
