"""Quotas at every entry point (upload start and completion, job start by page, API and admin
retry), the storage reservation that keeps concurrent uploads from both passing the limit,
recap output storage, and the pause while a payment is overdue."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django_tenants.utils import tenant_context

from billing import quotas
from billing.models import UsageRecord
from media_pipeline import services, uploads
from media_pipeline.models import JobState, Movie, MovieStatus, RecapJob, Upload
from tenants.models import Tenant, TenantStatus
from tests import factories
from tests.factories import use_local_storage
from tests.media_pipeline.pipeline.media import make_clip

GB = quotas.GB


@pytest.fixture
def storage(settings, tmp_path):
    use_local_storage(settings, tmp_path / "storage")
    settings.WORK_ROOT = str(tmp_path / "work")


def charge(tenant, kind, quantity, ref):
    quotas.record_usage(tenant=tenant, kind=kind, quantity=quantity, reference=ref)


def ready_movie(*, duration: float, size: int) -> Movie:
    movie = Movie(title="Feature", status=MovieStatus.READY, duration=duration, size_bytes=size)
    movie.file.save("movie.mp4", ContentFile(b"\0" * 16), save=True)
    return movie


@pytest.mark.django_db
def test_upload_start_refuses_what_would_pass_the_storage_limit_with_a_link(
    tenant_a, owner_a, storage
):
    charge(tenant_a, UsageRecord.Kind.STORAGE_BYTES, 9.5 * GB, "movie:old")
    with tenant_context(tenant_a), pytest.raises(uploads.UploadError) as refused:
        uploads.create_upload(tenant=tenant_a, user=owner_a, filename="big.mp4",
                              length=GB, metadata={})  # fmt: skip
    assert refused.value.status == 413
    assert "10 GB of storage" in refused.value.message
    assert "/billing/" in refused.value.message


@pytest.mark.django_db
def test_uploads_in_progress_hold_their_declared_length(tenant_a, owner_a, storage):
    with tenant_context(tenant_a):
        uploads.create_upload(tenant=tenant_a, user=owner_a, filename="a.mp4",
                              length=6 * GB, metadata={})  # fmt: skip
        with pytest.raises(uploads.UploadError):
            uploads.create_upload(tenant=tenant_a, user=owner_a, filename="b.mp4",
                                  length=6 * GB, metadata={})  # fmt: skip
        # Terminating the first gives its reservation back.
        uploads.terminate_upload(upload=Upload.objects.get(filename="a.mp4"), user=owner_a)
        uploads.create_upload(tenant=tenant_a, user=owner_a, filename="b.mp4",
                              length=6 * GB, metadata={})  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_uploads_cannot_both_pass_the_storage_limit(storage):
    factories.ensure_platform()
    tenant = factories.ensure_tenant("racers")
    owner = factories.make_member(tenant, "racer@example.com", role="owner")
    barrier, outcomes = threading.Barrier(2), []

    def start(name: str) -> None:
        connection.set_tenant(tenant)
        barrier.wait()
        try:
            uploads.create_upload(tenant=tenant, user=owner, filename=name,
                                  length=6 * GB, metadata={})  # fmt: skip
            outcomes.append("created")
        except uploads.UploadError as exc:
            outcomes.append(exc.status)
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(n,)) for n in ("a.mp4", "b.mp4")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes, key=str) == [413, "created"]
    with tenant_context(tenant):
        assert Upload.objects.count() == 1
    tenant.delete(force_drop=True)


@pytest.mark.django_db
def test_upload_completion_checks_storage_again(tenant_a, owner_a, storage, tmp_path):
    clip = Path(make_clip(str(tmp_path / "clip.mp4"), duration=2, size=(96, 64)))
    data = clip.read_bytes()
    with tenant_context(tenant_a):
        upload = uploads.create_upload(tenant=tenant_a, user=owner_a, filename="clip.mp4",
                                       length=len(data), metadata={})  # fmt: skip
        uploads.append_chunk(upload=upload, offset=0, stream=io.BytesIO(data),
                             content_length=len(data), user=owner_a)  # fmt: skip
        # Meanwhile something else filled the organisation's storage.
        charge(tenant_a, UsageRecord.Kind.STORAGE_BYTES, 10 * GB, "movie:elsewhere")
        with pytest.raises(uploads.UploadRefused) as refused:
            uploads.complete_movie_upload(upload=upload, tenant=tenant_a, user=owner_a)
        assert "/billing/" in refused.value.message
        assert not Movie.objects.exists() and not Upload.objects.exists()


@pytest.mark.django_db
def test_uploads_and_new_recaps_pause_while_a_payment_is_overdue(tenant_a, owner_a, storage):
    Tenant.objects.filter(pk=tenant_a.pk).update(status=TenantStatus.PAST_DUE)
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    with tenant_context(tenant):
        connection.tenant.status = TenantStatus.PAST_DUE
        with pytest.raises(uploads.UploadError) as refused:
            uploads.create_upload(tenant=tenant, user=owner_a, filename="x.mp4",
                                  length=1000, metadata={})  # fmt: skip
        assert refused.value.status == 402
        movie = ready_movie(duration=60, size=10**6)
        with pytest.raises(ValidationError) as paused:
            services.start_recap_job(movie=movie, target="auto", language="en",
                                     acting_user=owner_a)  # fmt: skip
        assert "payment" in paused.value.messages[0]


@pytest.mark.django_db
def test_job_start_refuses_past_the_processing_hours(tenant_a, owner_a, storage):
    charge(tenant_a, UsageRecord.Kind.PROCESSING_SECONDS, 10 * 3600 - 30, "job:old")
    with tenant_context(tenant_a):
        movie = ready_movie(duration=60, size=10**6)
        with pytest.raises(ValidationError) as refused:
            services.start_recap_job(movie=movie, target="auto", language="en",
                                     acting_user=owner_a)  # fmt: skip
        assert refused.value.code == "quota"
        assert "10 processing hours" in refused.value.messages[0]


@pytest.mark.django_db
def test_job_start_keeps_room_for_the_recaps_own_files(tenant_a, owner_a, storage):
    with tenant_context(tenant_a):
        movie = ready_movie(duration=600, size=2 * GB)
        # A 3-minute recap of a 10-minute, 2 GB movie needs about 600 MB: 9.8 GB leave 200 MB.
        charge(tenant_a, UsageRecord.Kind.STORAGE_BYTES, 9.8 * GB, "movie:others")
        with pytest.raises(ValidationError) as refused:
            services.start_recap_job(movie=movie, target="180", language="en",
                                     acting_user=owner_a)  # fmt: skip
        assert "storage" in refused.value.messages[0]
        assert not RecapJob.objects.exists()
        # Once space is freed, the recap fits and the job starts.
        charge(tenant_a, UsageRecord.Kind.STORAGE_BYTES, -2 * GB, "movie:others:deleted")
        job = services.start_recap_job(movie=movie, target="60", language="en",
                                       acting_user=owner_a)  # fmt: skip
        assert job.is_active


@pytest.mark.django_db
def test_the_admin_retry_passes_through_the_same_quota(tenant_a, owner_a, storage):
    with tenant_context(tenant_a):
        movie = ready_movie(duration=60, size=10**6)
        failed = RecapJob.objects.create(movie=movie, state=JobState.FAILED)
        charge(tenant_a, UsageRecord.Kind.PROCESSING_SECONDS, 10 * 3600, "job:all")
        staff = factories.make_user("ops-retry@example.com", is_staff=True)
        with pytest.raises(ValidationError) as refused:
            services.retry_job(job=failed, acting_user=staff)
        assert refused.value.code == "quota"


@pytest.mark.django_db
def test_job_start_by_the_api_answers_the_quota_as_problem_json(
    tenant_a, owner_a, storage, client_for
):
    charge(tenant_a, UsageRecord.Kind.PROCESSING_SECONDS, 10 * 3600, "job:all")
    with tenant_context(tenant_a):
        movie = ready_movie(duration=60, size=10**6)
    response = client_for(owner_a, host="alpha.localhost").post(
        f"/api/v1/movies/{movie.pk}/jobs/", {"target": "auto", "language": "en"},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 422
    assert "/billing/" in response.json()["detail"]


@pytest.mark.django_db
def test_published_recap_outputs_count_as_storage(tenant_a):
    charge(tenant_a, UsageRecord.Kind.STORAGE_BYTES, GB, "movie:1")
    charge(tenant_a, UsageRecord.Kind.STORAGE_BYTES, GB // 2, "recap:1")
    assert quotas.usage_of(tenant_a).storage_bytes == GB + GB // 2
    from billing.selectors import storage_breakdown

    assert storage_breakdown(tenant_a) == {"movies": GB, "recaps": GB // 2}
