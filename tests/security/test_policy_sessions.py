"""Browser sessions under the organisation's policy: idle and absolute expiry (the clock is
moved by editing the session's own timestamps), the key rotated at sign-in and on a change of
role, and every session of a person ended by a new password or a removal."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts import services as account_services
from accounts.models import Membership, User
from compliance.models import AuditEvent
from tenants import sessions
from tenants.models import BrowserSession
from tests import factories

from .policy_support import set_policy

pytestmark = pytest.mark.django_db

HOST = "alpha.localhost"


def signed_in(user) -> Client:
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    return client


def move_clock(client: Client, **minutes_ago: int) -> None:
    """Pretend the session started / was last seen that many minutes ago."""
    session = client.session
    for name, minutes in minutes_ago.items():
        session[{"started": sessions.STARTED, "seen": sessions.SEEN}[name]] = int(
            time.time() - minutes * 60
        )
    session.save()


def is_signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_session_idle_past_the_timeout_ends(tenant_a, member_a):
    set_policy(tenant_a, session_timeout_minutes=30)
    client = signed_in(member_a)
    move_clock(client, seen=29)
    assert client.get("/movies/").status_code == 200
    move_clock(client, seen=31)
    ended = client.get("/movies/")
    assert is_signed_out(ended)
    assert "_auth_user_id" not in client.session
    login_page = client.get(ended["Location"]).content.decode()
    assert "Your session has ended. Sign in again to continue." in login_page


def test_the_idle_timeout_speaks_arabic_when_it_ends_a_session(tenant_a, member_a):
    member_a.language = "ar"
    member_a.save(update_fields=["language"])
    set_policy(tenant_a, session_timeout_minutes=30)
    client = signed_in(member_a)
    move_clock(client, seen=45)
    ended = client.get("/movies/", HTTP_ACCEPT_LANGUAGE="ar")
    page = client.get(ended["Location"], HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "انتهت جلستك" in page


def test_activity_keeps_a_session_alive_until_its_absolute_end(tenant_a, member_a, settings):
    settings.SESSION_ABSOLUTE_HOURS = 24
    set_policy(tenant_a, session_timeout_minutes=60)
    client = signed_in(member_a)
    move_clock(client, started=23 * 60, seen=2)
    assert client.get("/movies/").status_code == 200
    move_clock(client, started=24 * 60 + 1, seen=1)
    assert is_signed_out(client.get("/movies/"))


def test_an_api_call_on_an_ended_session_is_unauthenticated(tenant_a, member_a):
    set_policy(tenant_a, session_timeout_minutes=30)
    client = signed_in(member_a)
    assert client.get("/api/v1/me/").status_code == 200
    move_clock(client, seen=31)
    assert client.get("/api/v1/me/").status_code == 401


def test_signing_in_rotates_the_session_key(tenant_a, member_a):
    client = Client(HTTP_HOST=HOST)
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    response = client.post(
        "/accounts/login/", {"username": member_a.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert BrowserSession.objects.filter(user=member_a, session_key=after).exists()


def test_a_change_of_role_rotates_the_session_key(tenant_a, owner_a, member_a):
    client = signed_in(member_a)
    assert client.get("/movies/").status_code == 200
    before = client.cookies["sessionid"].value
    membership = Membership.objects.get(user=member_a, tenant=tenant_a)
    account_services.change_role(membership=membership, role="admin", acting_user=owner_a)
    assert client.get("/movies/").status_code == 200
    after = client.cookies["sessionid"].value
    assert after != before
    assert client.session["_auth_user_id"] == str(member_a.pk)
    assert not Session.objects.filter(session_key=before).exists()
    # The new key is registered in place of the old: it still ends with the person's others.
    registered = BrowserSession.objects.filter(user=member_a).values_list("session_key", flat=True)
    assert list(registered) == [after]
    assert client.get("/movies/").status_code == 200
    assert client.cookies["sessionid"].value == after


def test_a_removal_ends_every_session_of_the_person(tenant_a, tenant_b, owner_a, member_a):
    factories.make_member(tenant_b, member_a.email, role="member")
    here, elsewhere = signed_in(member_a), Client(HTTP_HOST="bravo.localhost")
    elsewhere.force_login(member_a)
    assert elsewhere.get("/movies/").status_code == 200
    membership = Membership.objects.get(user=member_a, tenant=tenant_a)
    account_services.remove_member(membership=membership, acting_user=owner_a)
    assert is_signed_out(here.get("/movies/"))
    assert is_signed_out(elsewhere.get("/movies/"))
    assert not BrowserSession.objects.filter(user=member_a).exists()
    event = AuditEvent.objects.get(action="user.sessions_ended", target=str(member_a.pk))
    assert event.data == {"reason": "removed_from_organisation", "sessions": 2}


def test_a_password_reset_ends_every_session(tenant_a, member_a):
    first, second = signed_in(member_a), signed_in(member_a)
    member_a.set_password("a brand new passphrase 77")
    member_a.save()
    assert is_signed_out(first.get("/movies/"))
    assert is_signed_out(second.get("/movies/"))
    assert not BrowserSession.objects.filter(user=member_a).exists()


def test_a_password_change_on_the_profile_page_ends_the_other_sessions(tenant_a, member_a):
    changing, other = signed_in(member_a), signed_in(member_a)
    response = changing.post(
        "/accounts/profile/",
        {
            "form": "password",
            "old_password": factories.PASSWORD,
            "new_password1": "a brand new passphrase 77",
            "new_password2": "a brand new passphrase 77",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert is_signed_out(other.get("/movies/"))
    assert changing.get("/movies/").status_code == 200
    kept = changing.cookies["sessionid"].value
    assert list(
        BrowserSession.objects.filter(user=member_a).values_list("session_key", flat=True)
    ) == [kept]


def test_a_saved_profile_leaves_sessions_alone(tenant_a, member_a):
    client = signed_in(member_a)
    member_a.full_name = "Member A"
    member_a.save()
    assert client.get("/movies/").status_code == 200


def test_leaving_an_organisation_signs_the_leaver_out_cleanly(tenant_a, owner_a):
    factories.make_member(tenant_a, "second-owner@example.com", role="owner")
    client = signed_in(owner_a)
    membership = Membership.objects.get(user=owner_a, tenant=tenant_a)
    assert client.post(f"/team/{membership.pk}/remove/").status_code == 302
    assert "_auth_user_id" not in client.session
    assert not BrowserSession.objects.filter(user=owner_a).exists()


def test_a_session_from_before_the_limits_counts_from_now(tenant_a, member_a):
    client = signed_in(member_a)
    session = client.session
    for name in (sessions.STARTED, sessions.SEEN):
        del session[name]
    session.save()
    BrowserSession.objects.filter(user=member_a).delete()
    assert client.get("/movies/").status_code == 200
    assert sessions.STARTED in client.session
    assert BrowserSession.objects.filter(user=member_a).count() == 1
    # A session whose password no longer matches is signed out by Django, not registered.
    member_a.password = "changed-elsewhere"
    User.objects.filter(pk=member_a.pk).update(password=member_a.password)
    session = client.session
    del session[sessions.STARTED]
    session.save()
    assert is_signed_out(client.get("/movies/"))
