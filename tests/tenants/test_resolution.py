"""Tenant resolution by host, path prefix and header; conflicts, unknown and suspended tenants."""

from __future__ import annotations

import pytest

from tenants.services import set_tenant_status

pytestmark = pytest.mark.django_db


def test_subdomain_resolves_to_its_tenant(client_for, tenant_a, owner_a):
    response = client_for(owner_a, host="alpha.localhost").get("/")
    assert response.status_code == 200
    assert response.context["tenant"] == tenant_a


def test_path_prefix_resolves_on_the_main_host(client_for, tenant_a, owner_a):
    response = client_for(owner_a, host="localhost").get("/t/alpha/")
    assert response.status_code == 200
    assert response.context["tenant"] == tenant_a


def test_links_under_the_path_prefix_keep_the_prefix(client_for, tenant_a, owner_a):
    response = client_for(owner_a, host="localhost").get("/t/alpha/team/")
    assert response.status_code == 200
    assert 'href="/t/alpha/"' in response.content.decode()
    assert 'action="/t/alpha/i18n/setlang/"' in response.content.decode()


def test_header_resolves_on_the_main_host(client_for, tenant_a, owner_a):
    response = client_for(owner_a, host="localhost").get("/", HTTP_X_TENANT_ID="alpha")
    assert response.status_code == 200
    assert response.context["tenant"] == tenant_a


def test_custom_domain_resolves_to_its_tenant(client_for, tenant_a, owner_a):
    from tenants.models import Domain

    Domain.objects.create(domain="recaps.alpha-films.example", tenant=tenant_a, is_primary=False)
    response = client_for(owner_a, host="recaps.alpha-films.example").get("/")
    assert response.status_code == 200
    assert response.context["tenant"] == tenant_a


@pytest.mark.parametrize(
    ("host", "path", "header"),
    [
        ("alpha.localhost", "/t/bravo/", None),
        ("alpha.localhost", "/", "bravo"),
        ("localhost", "/t/alpha/", "bravo"),
    ],
)
def test_sources_that_disagree_are_refused(
    client_for, tenant_a, tenant_b, owner_a, host, path, header
):
    extra = {"HTTP_X_TENANT_ID": header} if header else {}
    response = client_for(owner_a, host=host).get(path, **extra)
    assert response.status_code == 400
    assert "two different organisations" in response.content.decode()


def test_sources_that_agree_are_accepted(client_for, tenant_a, owner_a):
    response = client_for(owner_a, host="alpha.localhost").get(
        "/t/alpha/", HTTP_X_TENANT_ID="alpha"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("host", "path", "header"),
    [
        ("nobody.localhost", "/", None),
        ("localhost", "/t/nobody/", None),
        ("localhost", "/", "nobody"),
        ("elsewhere.example", "/", None),
    ],
)
def test_unknown_tenant_gets_a_404_page_not_a_crash(client_for, platform, host, path, header):
    extra = {"HTTP_X_TENANT_ID": header} if header else {}
    response = client_for(host=host).get(path, **extra)
    assert response.status_code == 404
    assert "No organisation lives at this address" in response.content.decode()


def test_unknown_tenant_page_speaks_the_visitors_language(client_for, platform):
    response = client_for(host="nobody.localhost").get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "No organisation lives at this address" not in body


def test_suspended_tenant_is_unavailable_to_its_members(client_for, tenant_a, owner_a):
    set_tenant_status(tenant=tenant_a, status="suspended", acting_user=None)
    response = client_for(owner_a, host="alpha.localhost").get("/")
    assert response.status_code == 403
    assert "suspended" in response.content.decode()


def test_main_host_serves_the_public_site(client_for, platform):
    response = client_for(host="localhost").get("/")
    assert response.status_code == 200
    assert response.context["tenant"] is None


@pytest.mark.parametrize(
    ("host", "path", "header", "status"),
    [
        ("nobody.localhost", "/api/v1/movies/", None, 404),
        ("localhost", "/t/nobody/api/v1/movies/", None, 404),
        ("alpha.localhost", "/api/v1/movies/", "bravo", 400),
    ],
)
def test_api_clients_get_refusals_as_problem_json(
    client_for, tenant_a, tenant_b, host, path, header, status
):
    extra = {"HTTP_X_TENANT_ID": header} if header else {}
    response = client_for(host=host).get(path, HTTP_ACCEPT_LANGUAGE="fr", **extra)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["instance"] == path
    english = client_for(host=host).get(path, HTTP_ACCEPT_LANGUAGE="en", **extra).json()
    assert body["detail"] != english["detail"]  # the refusal speaks the caller's language


def test_api_clients_of_a_suspended_tenant_get_problem_json(client_for, tenant_a, owner_a):
    set_tenant_status(tenant=tenant_a, status="suspended", acting_user=None)
    response = client_for(owner_a, host="alpha.localhost").get("/api/v1/me/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
