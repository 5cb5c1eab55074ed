"""Isolation from both sides: a member of one organisation never sees another's pages,
admin or files, and a stranger is sent to sign in."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context

from media_pipeline.storage import tenant_key
from tests.factories import use_local_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    use_local_storage(settings, tmp_path)


def store_file(tenant, name: str, content: bytes) -> str:
    with tenant_context(tenant):
        return default_storage.save(tenant_key(name), ContentFile(content))


@pytest.mark.parametrize("path", ["/", "/team/", "/admin/", "/media/movies/secret.mp4"])
@pytest.mark.parametrize("style", ["host", "path", "header"])
def test_member_of_a_gets_404_on_everything_of_b(
    client_for, tenant_a, tenant_b, owner_a, owner_b, path, style
):
    store_file(tenant_b, "movies/secret.mp4", b"B's movie")
    client = client_for(owner_a, host="localhost")
    if style == "host":
        response = client_for(owner_a, host="bravo.localhost").get(path)
    elif style == "path":
        response = client.get(f"/t/bravo{path}")
    else:
        response = client.get(path, HTTP_X_TENANT_ID="bravo")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/", "/team/", "/media/movies/secret.mp4"])
def test_member_of_b_gets_404_on_everything_of_a(
    client_for, tenant_a, tenant_b, owner_a, owner_b, path
):
    store_file(tenant_a, "movies/secret.mp4", b"A's movie")
    response = client_for(owner_b, host="alpha.localhost").get(path)
    assert response.status_code == 404


def test_member_reads_their_own_files(client_for, tenant_a, owner_a):
    store_file(tenant_a, "movies/mine.mp4", b"A's movie")
    response = client_for(owner_a, host="alpha.localhost").get("/media/movies/mine.mp4")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"A's movie"


def test_file_urls_cannot_climb_into_another_tenant(client_for, tenant_a, tenant_b, owner_a):
    store_file(tenant_b, "movies/secret.mp4", b"B's movie")
    client = client_for(owner_a, host="alpha.localhost")
    for path in (
        "/media/../t_bravo/movies/secret.mp4",
        "/media/..%2Ft_bravo/movies/secret.mp4",
        "/media/movies/../../t_bravo/movies/secret.mp4",
    ):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/", "/team/", "/media/movies/secret.mp4"])
def test_stranger_is_sent_to_sign_in(client_for, tenant_a, path):
    response = client_for(host="alpha.localhost").get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_signed_in_non_member_of_any_tenant_gets_404(client_for, tenant_a):
    from tests.factories import make_user

    loner = make_user("loner@example.com")
    assert client_for(loner, host="alpha.localhost").get("/").status_code == 404


def test_staff_may_enter_any_tenant(client_for, tenant_a):
    from tests.factories import make_user

    staff = make_user("ops@example.com", is_staff=True)
    assert client_for(staff, host="alpha.localhost").get("/").status_code == 200


def test_tenant_admin_shows_only_that_tenants_movies(client_for, tenant_a, tenant_b):
    from media_pipeline.models import Movie
    from tests.factories import make_user

    with tenant_context(tenant_a):
        Movie.objects.create(title="Alpha's film")
    with tenant_context(tenant_b):
        Movie.objects.create(title="Bravo's film")
    staff = make_user("ops@example.com", is_staff=True)
    staff.is_superuser = True
    staff.save()
    body = client_for(staff, host="alpha.localhost").get("/admin/media_pipeline/movie/")
    assert body.status_code == 200
    assert "Alpha&#x27;s film" in body.content.decode()
    assert "Bravo" not in body.content.decode()


def test_non_staff_never_reach_the_admin(client_for, tenant_a, owner_a):
    for host in ("alpha.localhost", "localhost"):
        response = client_for(owner_a, host=host).get("/admin/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_cache_keys_are_per_tenant(tenant_a, tenant_b):
    import uuid

    from django.core.cache import cache

    key = f"greeting-{uuid.uuid4().hex}"
    with tenant_context(tenant_a):
        cache.set(key, "alpha", 30)
    with tenant_context(tenant_b):
        assert cache.get(key) is None
        cache.set(key, "bravo", 30)
    with tenant_context(tenant_a):
        assert cache.get(key) == "alpha"
