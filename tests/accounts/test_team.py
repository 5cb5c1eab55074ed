"""Sign-in, invitations, roles, leaving and removing members."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership
from tests.factories import PASSWORD, make_member, make_user

pytestmark = pytest.mark.django_db


def test_login_with_one_membership_goes_to_that_tenant(client_for, owner_a):
    client = client_for(host="localhost")
    response = client.post("/accounts/login/", {"username": owner_a.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/choose/"
    choose = client.get("/accounts/choose/")
    assert choose["Location"] == "http://alpha.localhost/accounts/handoff/"


def test_login_with_several_memberships_offers_a_choice(client_for, owner_a, tenant_b):
    Membership.objects.create(user=owner_a, tenant=tenant_b, role="viewer")
    client = client_for(host="localhost")
    client.post("/accounts/login/", {"username": owner_a.email, "password": PASSWORD})
    page = client.get("/accounts/choose/")
    assert page.status_code == 200
    assert [m.tenant.slug for m, _url in page.context["entries"]] == ["alpha", "bravo"]


def test_wrong_password_is_a_clear_error(client_for, owner_a):
    response = client_for(host="localhost").post(
        "/accounts/login/", {"username": owner_a.email, "password": "nope"}
    )
    assert response.status_code == 400
    assert "not right" in response.content.decode()


def test_login_on_a_tenant_host_answers_a_non_member_like_a_wrong_password(
    client_for, tenant_a, owner_b
):
    client = client_for(host="alpha.localhost")
    right = client.post("/accounts/login/", {"username": owner_b.email, "password": PASSWORD})
    wrong = client.post("/accounts/login/", {"username": owner_b.email, "password": "nope"})
    # No password oracle: a right password of another organisation's member reads as wrong.
    assert right.status_code == wrong.status_code == 400
    assert right.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_login_on_a_tenant_host_lands_on_next(client_for, owner_a):
    response = client_for(host="alpha.localhost").post(
        "/accounts/login/?next=/team/",
        {"username": owner_a.email, "password": PASSWORD, "next": "/team/"},
    )
    assert response["Location"] == "/team/"


def test_login_refuses_an_offsite_next(client_for, owner_a):
    response = client_for(host="alpha.localhost").post(
        "/accounts/login/",
        {"username": owner_a.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_password_reset_sends_a_link_on_the_configured_site(client_for, owner_a):
    response = client_for(host="evil.localhost:1234").post(
        "/accounts/password-reset/", {"email": owner_a.email}
    )
    # An unknown host never reaches the form; on the real host the mail uses the site URL.
    assert response.status_code == 404
    response = client_for(host="localhost").post(
        "/accounts/password-reset/", {"email": owner_a.email}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "http://localhost:8000/accounts/reset/" in body
    link = body.split("http://localhost:8000")[1].split()[0]
    client = client_for(host="localhost")
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand new passphrase 99", "new_password2": "brand new passphrase 99"},
    )
    assert done.status_code == 302
    owner_a.refresh_from_db()
    assert owner_a.check_password("brand new passphrase 99")


def test_owner_invites_by_email_and_invitee_joins_with_a_new_account(
    client_for, owner_a, tenant_a, django_capture_on_commit_callbacks
):
    client = client_for(owner_a, host="alpha.localhost")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/team/", {"email": "New.Person@Example.com", "role": "member"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(tenant=tenant_a)
    assert invitation.email == "new.person@example.com"
    assert len(mail.outbox) == 1
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body

    guest = client_for(host="localhost")
    page = guest.get(f"/invitations/{invitation.token}/")
    assert page.status_code == 200
    joined = guest.post(
        f"/invitations/{invitation.token}/",
        {"full_name": "New Person", "password": "another long passphrase 5"},
    )
    assert joined.status_code == 302
    assert Membership.objects.get(tenant=tenant_a, user__email="new.person@example.com").role == (
        "member"
    )
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_existing_user_accepts_while_signed_in(client_for, owner_a, tenant_a):
    bob = make_user("bob@example.com")
    invitation = services.invite_member(
        tenant=tenant_a, email=bob.email, role="viewer", acting_user=owner_a, accept_url_base="x/"
    )
    response = client_for(bob, host="localhost").post(f"/invitations/{invitation.token}/")
    assert response.status_code == 302
    assert Membership.objects.get(tenant=tenant_a, user=bob).role == "viewer"


def test_expired_invitation_cannot_be_used(client_for, owner_a, tenant_a):
    bob = make_user("bob@example.com")
    invitation = services.invite_member(
        tenant=tenant_a, email=bob.email, role="member", acting_user=owner_a, accept_url_base="x/"
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client_for(bob, host="localhost").post(
        f"/invitations/{invitation.token}/", follow=True
    )
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(tenant=tenant_a, user=bob).exists()


def test_invitation_for_someone_else_is_refused(client_for, owner_a, tenant_a):
    mallory = make_user("mallory@example.com")
    invitation = services.invite_member(
        tenant=tenant_a,
        email="bob@example.com",
        role="admin",
        acting_user=owner_a,
        accept_url_base="x/",
    )
    response = client_for(mallory, host="localhost").post(
        f"/invitations/{invitation.token}/", follow=True
    )
    assert "another email address" in response.content.decode()
    assert not Membership.objects.filter(tenant=tenant_a, user=mallory).exists()


def test_members_cannot_invite(client_for, member_a, tenant_a):
    response = client_for(member_a, host="alpha.localhost").post(
        "/team/", {"email": "x@example.com", "role": "member"}
    )
    assert response.status_code == 400
    assert "Only owners and admins" in response.content.decode()
    assert not Invitation.objects.filter(tenant=tenant_a).exists()


def test_expire_invitations_marks_old_ones(owner_a, tenant_a):
    invitation = services.invite_member(
        tenant=tenant_a,
        email="late@example.com",
        role="member",
        acting_user=owner_a,
        accept_url_base="x/",
    )
    assert services.expire_invitations(now=timezone.now() + timedelta(days=30)) == 1
    invitation.refresh_from_db()
    assert invitation.status == "expired"


def test_the_last_owner_cannot_leave(client_for, owner_a, tenant_a):
    membership = Membership.objects.get(user=owner_a, tenant=tenant_a)
    response = client_for(owner_a, host="alpha.localhost").post(
        f"/team/{membership.pk}/remove/", follow=True
    )
    assert "last owner cannot leave" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_owner_leaves_once_another_owner_exists(client_for, owner_a, tenant_a):
    make_member(tenant_a, "second-owner@example.com", role="owner")
    membership = Membership.objects.get(user=owner_a, tenant=tenant_a)
    response = client_for(owner_a, host="alpha.localhost").post(f"/team/{membership.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_admin_removes_a_member_and_changes_a_role(client_for, owner_a, member_a, tenant_a):
    carol = make_member(tenant_a, "carol@example.com", role="viewer")
    client = client_for(owner_a, host="alpha.localhost")
    carol_m = Membership.objects.get(user=carol, tenant=tenant_a)
    client.post(f"/team/{carol_m.pk}/role/", {"role": "admin"})
    carol_m.refresh_from_db()
    assert carol_m.role == "admin"
    member_m = Membership.objects.get(user=member_a, tenant=tenant_a)
    client.post(f"/team/{member_m.pk}/remove/")
    assert not Membership.objects.filter(pk=member_m.pk).exists()


def test_member_cannot_remove_others(client_for, owner_a, member_a, tenant_a):
    owner_m = Membership.objects.get(user=owner_a, tenant=tenant_a)
    client_for(member_a, host="alpha.localhost").post(f"/team/{owner_m.pk}/remove/")
    assert Membership.objects.filter(pk=owner_m.pk).exists()


def test_team_actions_on_another_tenants_membership_are_404(client_for, owner_a, owner_b, tenant_b):
    other = Membership.objects.get(user=owner_b, tenant=tenant_b)
    client = client_for(owner_a, host="alpha.localhost")
    assert client.post(f"/team/{other.pk}/remove/").status_code == 404
    assert client.post(f"/team/{other.pk}/role/", {"role": "viewer"}).status_code == 404


def test_language_switch_is_remembered_on_the_profile(client_for, owner_a):
    client = client_for(owner_a, host="alpha.localhost")
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/team/"})
    assert response["Location"] == "/team/"
    owner_a.refresh_from_db()
    assert owner_a.language == "ar"
    page = client.get("/team/")
    assert '<html lang="ar" dir="rtl">' in page.content.decode()


def test_unknown_language_changes_nothing(client_for, owner_a):
    client = client_for(owner_a, host="alpha.localhost")
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    owner_a.refresh_from_db()
    assert owner_a.language == ""
