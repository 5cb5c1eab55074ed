"""The team page asks before removing someone, shows the last owner why they cannot leave, and
a removed member gets a page that says what happened instead of "not found"."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from accounts import services
from accounts.models import Membership
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_the_sole_owner_sees_why_leave_is_disabled(client_for, owner_a, member_a, tenant_a):
    client = client_for(owner_a, host="alpha.localhost")
    html = client.get("/team/").content.decode()
    leave = re.search(r"<button[^>]*data-leave[^>]*>", html).group(0)
    assert "disabled" in leave
    assert "You are the only owner. Make someone else owner before you leave." in html
    # Removing someone asks first.
    assert re.search(r'data-confirm="Remove member-a@example\.com from the team\?"', html)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    assert "أنت المالك الوحيد" in client.get("/team/").content.decode()


def test_with_two_owners_leave_is_offered_and_asks_first(client_for, owner_a, tenant_a):
    make_member(tenant_a, "second-owner@example.com", role="owner")
    html = client_for(owner_a, host="alpha.localhost").get("/team/").content.decode()
    leave = re.search(r"<button[^>]*data-leave[^>]*>", html).group(0)
    assert "disabled" not in leave
    assert re.search(r'<form method="post" action="/team/\d+/remove/" data-confirm="Leave ', html)


def test_a_removed_member_is_told_so_and_an_outsider_still_gets_not_found(
    client_for, owner_a, member_a, owner_b, tenant_a
):
    membership = Membership.objects.get(user=member_a, tenant=tenant_a)
    services.remove_member(membership=membership, acting_user=owner_a)
    removed = client_for(member_a, host="alpha.localhost").get("/movies/")
    assert removed.status_code == 403
    assert "You are no longer a member" in removed.content.decode()
    outsider = client_for(owner_b, host="alpha.localhost").get("/movies/")
    assert outsider.status_code == 404
    assert "no longer a member" not in outsider.content.decode()
