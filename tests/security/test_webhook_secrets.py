"""A read-scope API key reads webhook endpoints but never their signing secrets, whoever made it."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tests.api.conftest import make_key
from webhooks import services

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhook-endpoints/"


@pytest.fixture
def endpoint(tenant_a, owner_a, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    with tenant_context(tenant_a):
        return services.create_endpoint(
            url="http://127.0.0.1:9/recap",
            events=["recap.completed"],
            acting_user=owner_a,
        )


def test_an_owners_read_key_gets_no_secret_but_the_owners_write_key_does(
    api, tenant_a, owner_a, endpoint
):
    reader = api("alpha", f"Api-Key {make_key(tenant_a, owner_a, scope='read')}")
    writer = api("alpha", f"Api-Key {make_key(tenant_a, owner_a, scope='write')}")
    read_one = reader.get(f"{BASE}{endpoint.pk}/")
    assert read_one.status_code == 200
    assert read_one.json()["secret"] is None
    listed = reader.get(BASE).json()
    items = listed["results"] if isinstance(listed, dict) else listed
    assert [item["secret"] for item in items] == [None]
    assert writer.get(f"{BASE}{endpoint.pk}/").json()["secret"] == endpoint.secret
