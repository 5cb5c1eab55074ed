"""Downloads are saved under the movie's title, locally (a Content-Disposition header) and from
an S3 bucket (the signed URL carries the same disposition); S3 is stubbed at its client."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.stub import Stubber
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context

from media_pipeline.models import JobState, Movie, MovieStatus, Recap, RecapJob

pytestmark = pytest.mark.django_db

EXPECTED = (
    "attachment; filename=\"Amelie - recap.mp4\"; filename*=UTF-8''Am%C3%A9lie%20-%20recap.mp4"
)


@pytest.fixture
def s3(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "recaps-test",
                "region_name": "eu-west-1",
                "access_key": "AKIAEXAMPLE",
                "secret_key": "example-secret",
                "querystring_auth": True,
            },
        },
    }
    stub = Stubber(default_storage.connection.meta.client)
    with stub:
        yield stub


def test_a_download_from_s3_is_signed_with_the_movies_name(s3, tenant_a, owner_a, client_for):
    with tenant_context(tenant_a):
        movie = Movie.objects.create(title="Amélie", status=MovieStatus.DONE, duration=60.0)
        job = RecapJob.objects.create(movie=movie, state=JobState.DONE)
        key = f"tenants/{tenant_a.schema_name}/recaps/{job.pk}/recap.mp4"
        recap = Recap.objects.create(job=job, movie=movie, language="fr", video=key,
                                     synopsis="…", duration=6.0)  # fmt: skip
    s3.add_response("head_object", {"ContentLength": 3}, {"Bucket": "recaps-test", "Key": key})
    response = client_for(owner_a, host="alpha.localhost").get(
        f"/recaps/{recap.pk}/download/video/"
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["response-content-disposition"] == [EXPECTED]
    assert {"Signature", "X-Amz-Signature"} & set(query)  # signed, whichever version
    s3.assert_no_pending_responses()
