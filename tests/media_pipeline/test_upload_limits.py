"""Plan limits known before the upload (the running time the browser reads from the file, the
file's size) are checked at the tus creation request, before the first byte, with the plan's
precise sentence and where to upgrade; a malformed declaration is refused and creates nothing."""

from __future__ import annotations

import base64
import re

import pytest
from django_tenants.utils import tenant_context

from billing.models import Plan
from media_pipeline.models import Upload
from tenants.models import Tenant

pytestmark = pytest.mark.django_db

BILLING = re.compile(r"http://alpha\.localhost(:\d+)?/billing/")


def use_plan(tenant: Tenant, **limits) -> None:
    fields = {"max_movie_minutes": None, "storage_gb": None, "processing_hours_per_month": None}
    plan = Plan.objects.create(code="early-limits", name="Early limits", **{**fields, **limits})
    Tenant.objects.filter(pk=tenant.pk).update(plan=plan)


def create(client, length: int, language: str = "en", **pairs: str):
    meta = {"filename": "movie.mp4", "title": "Long Cut", "kind": "movie", **pairs}
    header = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())
    return client.post(
        "/uploads/", HTTP_UPLOAD_LENGTH=str(length), HTTP_UPLOAD_METADATA=header,
        HTTP_TUS_RESUMABLE="1.0.0", HTTP_ACCEPT_LANGUAGE=language,
    )  # fmt: skip


def uploads(tenant) -> int:
    with tenant_context(tenant):
        return Upload.objects.count()


def test_a_movie_longer_than_the_plan_is_refused_before_the_first_byte(
    tenant_a, owner_a, client_for
):
    use_plan(tenant_a, max_movie_minutes=120)
    client = client_for(owner_a, host="alpha.localhost")
    response = create(client, 10_000_000, duration=str(125 * 60))
    assert response.status_code == 413
    assert re.fullmatch(
        r"This movie lasts 2:05:00; your plan accepts movies up to 2:00:00\. Upload a "
        r"shorter cut, or upgrade the plan: http://alpha\.localhost(:\d+)?/billing/",
        response.json()["error"],
    )
    assert uploads(tenant_a) == 0
    assert create(client, 10_000_000, duration=str(119 * 60)).status_code == 201
    assert uploads(tenant_a) == 1


def test_a_movie_just_over_the_limit_reads_its_exact_length(tenant_a, owner_a, client_for):
    # Rounded to minutes, 2:00:20 would read "lasts 120 minutes" against a 120-minute plan.
    use_plan(tenant_a, max_movie_minutes=120)
    client = client_for(owner_a, host="alpha.localhost")
    response = create(client, 10_000_000, duration=str(120 * 60 + 20))
    assert response.status_code == 413
    assert (
        "This movie lasts 2:00:20; your plan accepts movies up to 2:00:00."
        in (response.json()["error"])
    )
    assert uploads(tenant_a) == 0


def test_the_refusal_is_in_the_uploaders_language(tenant_a, owner_a, client_for):
    use_plan(tenant_a, max_movie_minutes=120)
    client = client_for(owner_a, host="alpha.localhost")
    error = create(client, 1000, language="ar", duration="7500").json()["error"]
    assert BILLING.search(error) and "2:05:00" in error
    assert "This movie lasts" not in error


def test_a_file_larger_than_the_storage_left_is_refused_before_the_first_byte(
    tenant_a, owner_a, client_for
):
    use_plan(tenant_a, storage_gb=1)
    response = create(client_for(owner_a, host="alpha.localhost"), 2 * 1024**3)
    assert response.status_code == 413
    error = response.json()["error"]
    assert "Delete old movies or upgrade:" in error and BILLING.search(error)
    assert uploads(tenant_a) == 0


def test_a_malformed_duration_is_refused_and_creates_nothing(tenant_a, owner_a, client_for):
    client = client_for(owner_a, host="alpha.localhost")
    for value in ("soon", "-5", "0", "nan", "inf"):
        response = create(client, 1000, duration=value)
        assert response.status_code == 400, value
        assert response.json()["error"] == "The declared duration must be a number of seconds."
    assert uploads(tenant_a) == 0
