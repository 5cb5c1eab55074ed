"""Refresh tokens: bound to the password they were issued under, a family with an absolute end,
a replayed old token ends the family, and parallel refreshes of one token leave one family."""

from __future__ import annotations

import threading
from datetime import timedelta

import jwt
import pytest
from django.db import connection
from django.utils import timezone
from rest_framework import exceptions
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import RefreshTokenFamily
from api import token_families
from tests import factories
from tests.factories import PASSWORD

REFRESH = "/api/v1/auth/token/refresh/"


def obtain(client, email: str) -> dict:
    response = client.post(
        "/api/v1/auth/token/",
        {"email": email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def refresh(client, token: str):
    return client.post(REFRESH, {"refresh": token}, content_type="application/json")


@pytest.mark.django_db
def test_a_password_change_ends_the_refresh_tokens_issued_before(api, owner_a):
    client = api("alpha")
    pair = obtain(client, owner_a.email)
    owner_a.set_password("another long passphrase 77")
    owner_a.save()
    refused = refresh(client, pair["refresh"])
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert "sign-in has ended" in refused.json()["detail"]
    assert refused.json()["type"] == "urn:movie-recap:problem:token_family_ended"


@pytest.mark.django_db
def test_a_family_ends_at_its_absolute_lifetime_however_often_refreshed(api, owner_a, settings):
    settings.API_REFRESH_FAMILY_DAYS = 30
    client = api("alpha")
    token = obtain(client, owner_a.email)["refresh"]
    started = timezone.now() - timedelta(days=30) + timedelta(hours=1)
    RefreshTokenFamily.objects.update(started_at=started)
    rotated = refresh(client, token)
    assert rotated.status_code == 200
    claims = jwt.decode(rotated.json()["refresh"], options={"verify_signature": False})
    # One day is the usual lifetime; the family's end comes first and caps it.
    assert claims["exp"] <= int((started + timedelta(days=30)).timestamp())
    RefreshTokenFamily.objects.update(started_at=started - timedelta(hours=2))
    assert refresh(client, rotated.json()["refresh"]).status_code == 401


@pytest.mark.django_db
def test_replaying_a_rotated_token_ends_its_successors(api, owner_a):
    client = api("alpha")
    first = obtain(client, owner_a.email)["refresh"]
    second = refresh(client, first).json()["refresh"]
    # Some time later, the first token comes back: it was stolen.
    RefreshTokenFamily.objects.update(rotated_at=timezone.now() - timedelta(minutes=5))
    assert refresh(client, first).status_code == 401
    assert refresh(client, second).status_code == 401
    assert RefreshTokenFamily.objects.get().revoked_at is not None
    # A new sign-in starts a new family.
    assert refresh(client, obtain(client, owner_a.email)["refresh"]).status_code == 200


@pytest.mark.django_db
def test_a_token_without_a_family_is_refused(api, owner_a, tenant_a):
    token = RefreshToken.for_user(owner_a)
    token["tenant"] = "alpha"
    assert refresh(api("alpha"), str(token)).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_parallel_refreshes_of_one_token_leave_exactly_one_family():
    factories.ensure_platform()
    user = factories.make_user("parallel@example.com")
    token = RefreshToken.for_user(user)
    token["tenant"] = "public"
    token_families.start_family(token, user=user, tenant_slug="public")
    raw = str(token)
    payload = token_backend.decode(raw, verify=True)
    barrier, outcomes = threading.Barrier(8), []

    def refresh_once() -> None:
        barrier.wait()
        try:
            outcomes.append(token_families.rotate(raw, payload, user=user)["refresh"])
        except exceptions.AuthenticationFailed:
            outcomes.append(None)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    winners = [t for t in outcomes if t is not None]
    assert len(outcomes) == 8 and len(winners) == 1
    family = RefreshTokenFamily.objects.get()
    assert family.revoked_at is None
    # The winner's token is the family's newest and keeps working.
    winner = winners[0]
    data = token_families.rotate(winner, token_backend.decode(winner, verify=True), user=user)
    assert data["refresh"]


@pytest.mark.django_db
def test_the_daily_sweep_deletes_only_families_that_cannot_refresh(api, owner_a):
    from api.tasks import purge_token_families

    client = api("alpha")
    alive = obtain(client, owner_a.email)["refresh"]
    obtain(client, owner_a.email), obtain(client, owner_a.email)  # to end, and to outlive
    families = list(RefreshTokenFamily.objects.order_by("started_at"))
    RefreshTokenFamily.objects.filter(pk=families[1].pk).update(revoked_at=timezone.now())
    RefreshTokenFamily.objects.filter(pk=families[2].pk).update(
        started_at=timezone.now() - timedelta(days=31)
    )
    assert purge_token_families() == 2
    assert list(RefreshTokenFamily.objects.all()) == [families[0]]
    assert refresh(client, alive).status_code == 200
