"""When an API key was last used: written by a task, at most once a minute per key, never by the
request itself; the task runs in the key's organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import current_app
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tenants.utils import tenant_context

from api import services as api_services
from api.models import ApiKey
from api.services import RECORD_KEY_USE
from api.tasks import record_key_use
from tests import factories
from tests.api.conftest import Api, make_key
from tests.worker import celery_worker, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, tuple, str]]:
    """Messages sent by name, with the schema the message would carry, kept from the broker."""
    kept: list[tuple[str, tuple, str]] = []

    def record(name, args=None, **options):
        kept.append((name, tuple(args or ()), connection.schema_name))

    monkeypatch.setattr(current_app, "send_task", record)
    return kept


def test_the_first_request_of_a_minute_queues_the_write_and_no_request_writes(
    tenant_a, key_a, sent
):
    client = Api("alpha", f"Api-Key {key_a}")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get("/api/v1/me/").status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    with tenant_context(tenant_a):
        api_key = ApiKey.objects.get()
    assert api_key.last_used_at is None
    assert [(name, args[0], schema) for name, args, schema in sent] == [
        (RECORD_KEY_USE, api_key.pk, "t_alpha")
    ]

    # The task, as the worker runs it in the message's schema.
    with tenant_context(tenant_a):
        record_key_use(*sent[0][1])
        assert ApiKey.objects.get().last_used_at == parse_datetime(sent[0][1][1])

    # A minute later the marker is gone (in Redis and in this process), and the next request
    # queues one more write.
    with tenant_context(tenant_a):
        cache.delete(f"api:key-used:{api_key.pk}")
    api_services._noted.clear()
    client.get("/api/v1/me/")
    assert len(sent) == 2


def test_each_key_has_its_own_minute(tenant_a, owner_a, sent):
    for name in ("one", "two"):
        Api("alpha", f"Api-Key {make_key(tenant_a, owner_a, name=name)}").get("/api/v1/me/")
    assert len({args[0] for _name, args, _schema in sent}) == 2


def test_the_write_only_moves_forward(tenant_a, key_a):
    now = timezone.now()
    with tenant_context(tenant_a):
        key_id = ApiKey.objects.get().pk
        record_key_use(key_id, now.isoformat())
        record_key_use(key_id, (now - timedelta(minutes=5)).isoformat())
        assert ApiKey.objects.get().last_used_at == now


def test_a_broker_outage_costs_the_hint_not_the_request(tenant_a, key_a, monkeypatch):
    def down(*args, **kwargs):
        raise OSError("broker unreachable")

    monkeypatch.setattr(current_app, "send_task", down)
    assert Api("alpha", f"Api-Key {key_a}").get("/api/v1/me/").status_code == 200


def test_tasks_of_two_organisations_on_one_connection_write_each_in_its_own(
    tenant_a, tenant_b, owner_a, owner_b
):
    """The search path is set once per request or task (TENANT_LIMIT_SET_CALLS), and still
    follows the schema each message names, one task after the other on the same connection."""
    make_key(tenant_a, owner_a)
    make_key(tenant_b, owner_b)
    ids = {}
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            ids[tenant.schema_name] = ApiKey.objects.get().pk
    when = {"t_alpha": timezone.now(), "t_bravo": timezone.now() + timedelta(hours=1)}
    for schema, key_id in ids.items():
        # Sent from the public schema, as beat and the web do; the header picks the schema.
        record_key_use.apply(
            args=(key_id, when[schema].isoformat()), headers={"_schema_name": schema}
        )
        assert connection.schema_name == "public"
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            assert ApiKey.objects.get().last_used_at == when[tenant.schema_name]


@pytest.fixture
def committed_key(transactional_db):
    """A key committed where a worker process can see it."""
    factories.ensure_platform()
    tenant = factories.make_tenant("keyuse")
    owner = factories.make_member(tenant, "owner@keyuse.example", role="owner")
    yield tenant, make_key(tenant, owner)
    tenant.delete(force_drop=True)


@pytest.mark.worker
def test_a_worker_writes_the_last_use_in_the_keys_organisation(committed_key):
    tenant, key = committed_key
    before = timezone.now()
    assert Api("keyuse", f"Api-Key {key}").get("/api/v1/me/").status_code == 200

    def written():
        with tenant_context(tenant):
            return ApiKey.objects.get().last_used_at

    with celery_worker(queues="default") as worker:
        assert wait_for(written, 60, "the worker to record the key's use") >= before
        assert worker.poll() is None
