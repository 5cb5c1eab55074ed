"""Shared fixtures: a migrated test database with the tenant template, tenants, people, clients.

Tests hit the real PostgreSQL and Redis that `make test` provides (embedded ones unless
DATABASE_URL / REDIS_URL are set).
"""

from __future__ import annotations

import itertools

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("setup_platform", verbosity=0)


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Each database test starts with an empty shared cache: a test's rows roll back, and what
    it cached about them (tenants, keys, members) must not outlive them."""
    if "django_db_blocker" in request.fixturenames:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture(autouse=True)
def _public_schema_between_tests(request):
    """Every database test starts and ends in the public schema, like every request does."""
    yield
    if "django_db_blocker" in request.fixturenames:
        from django.db import connection

        connection.set_schema_to_public()


@pytest.fixture
def platform(db):
    """The public tenant and the plans (a transactional test's flush removes them)."""
    from tests import factories

    return factories.ensure_platform()


_slugs = itertools.count(1)


@pytest.fixture
def unique_slug(request) -> str:
    return f"org{next(_slugs)}-{abs(hash(request.node.nodeid)) % 10**6}"


@pytest.fixture(scope="session")
def _session_tenants(django_db_setup, django_db_blocker):
    """Two organisations created once and committed; each test's changes roll back."""
    from tests import factories

    with django_db_blocker.unblock():
        factories.ensure_platform()
        for slug in ("alpha", "bravo"):
            factories.ensure_tenant(slug)


@pytest.fixture
def tenant_a(_session_tenants, platform):
    from tests import factories

    return factories.ensure_tenant("alpha")


@pytest.fixture
def tenant_b(_session_tenants, platform):
    from tests import factories

    return factories.ensure_tenant("bravo")


@pytest.fixture
def owner_a(tenant_a):
    from tests import factories

    return factories.make_member(tenant_a, "owner-a@example.com", role="owner")


@pytest.fixture
def member_a(tenant_a):
    from tests import factories

    return factories.make_member(tenant_a, "member-a@example.com", role="member")


@pytest.fixture
def owner_b(tenant_b):
    from tests import factories

    return factories.make_member(tenant_b, "owner-b@example.com", role="owner")


@pytest.fixture
def client_for():
    """A Django test client signed in as `user`, speaking to `host`. Staff come with an
    authenticator their session has passed, as the admin requires (decision 0022)."""

    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests import factories

    def make(user=None, host: str = "localhost") -> Client:
        client = Client(HTTP_HOST=host)
        if user is not None:
            client.force_login(user)
            if user.is_staff:
                device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
                factories.verify_session(client, device or factories.enrol_two_factor(user))
        return client

    return make
