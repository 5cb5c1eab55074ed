"""The live OpenAPI schema, checked by schemathesis: every operation, called with generated
valid and invalid requests (on random ids and on the ids of real objects), answers no 5xx, only
documented status codes, content types and headers, and bodies that match the schema."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import downloads
from media_pipeline.models import Upload
from tests.api.conftest import add_movie, add_recap

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 5
# tus chunks are plain bytes under their own media type.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """Requests through the WSGI handler run inside the test's transaction, as the test client's
    do: the handler must not close the connection when a request starts or ends."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(tenant_a, owner_a) -> dict[str, object]:
    """Ids of existing objects, so generated requests also reach the code past the 404."""
    movie = add_movie(tenant_a, owner_a)
    recap = add_recap(tenant_a, add_movie(tenant_a, owner_a, title="Second"))
    with tenant_context(tenant_a):
        upload = Upload.objects.create(
            filename="a.mp4", length=100, created_by=owner_a, metadata={"title": "a"}
        )
        token = downloads.sign_file(recap.poster.name)
    return {
        "/api/v1/movies/": movie.pk,
        "/api/v1/jobs/": recap.job_id,
        "/api/v1/recaps/": recap.pk,
        "/api/v1/uploads/": str(upload.pk),
        "/api/v1/files/": token,
    }


def pinned(path: str, real_ids: dict[str, object]) -> dict[str, object] | None:
    for prefix, value in real_ids.items():
        if path.startswith(prefix + "{"):
            return {"token" if "{token}" in path else "id": value}
    return None


def test_every_operation_conforms_to_the_schema(
    tenant_a, key_a, real_ids, wsgi_in_test_transaction
):
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/", application, headers={"X-Tenant-ID": "alpha"}
    )
    headers = {"X-Tenant-ID": "alpha", "Authorization": f"Api-Key {key_a}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    started = time.monotonic()
    for operation in operations:
        # Valid requests, invalid ones (wrong types, missing fields), and valid ones on real ids.
        strategies = [operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)]
        if (path_parameters := pinned(operation.path, real_ids)) is not None:
            strategies.append(operation.as_strategy(path_parameters=path_parameters))

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies))
        def call(case) -> None:
            # Each request's writes are undone, so a DELETE cannot starve the next examples.
            with transaction.atomic():
                response = case.call(headers=headers)
                transaction.set_rollback(True)
            case.validate_response(response, checks=CHECKS, headers=headers)

        call()
    assert time.monotonic() - started < 60
