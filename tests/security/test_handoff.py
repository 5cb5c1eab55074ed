"""The sign-in hand-off to an organisation's host signs in only the browser that asked for it:
a hand-off link made in someone else's browser (login CSRF) signs no one in."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, url_path

pytestmark = pytest.mark.django_db


def token_link(public, tenant_host) -> str:
    """Walk the hand-off until the organisation's host is handed the token; the link it got."""
    started = tenant_host.get("/accounts/handoff/")
    assert started.status_code == 302
    assert started["Location"].startswith("http://localhost/accounts/handoff/issue/?")
    issued = public.get(url_path(started["Location"]))
    assert issued.status_code == 302
    assert issued["Location"].startswith("http://alpha.localhost/accounts/handoff/?token=")
    return url_path(issued["Location"])


def signed_in_public(client_for, user):
    public = client_for(host="localhost")
    assert (
        public.post("/accounts/login/", {"username": user.email, "password": PASSWORD}).status_code
        == 302
    )
    return public


def test_the_browser_that_asked_is_signed_in_on_the_organisations_host(client_for, owner_a):
    public = signed_in_public(client_for, owner_a)
    assert public.get("/accounts/choose/")["Location"] == "http://alpha.localhost/accounts/handoff/"
    tenant_host = client_for(host="alpha.localhost")
    done = tenant_host.get(token_link(public, tenant_host))
    assert done["Location"] == "/"
    assert int(tenant_host.session["_auth_user_id"]) == owner_a.pk
    assert tenant_host.cookies["recap_handoff"].value == ""  # used up


def test_a_link_made_in_another_browser_signs_no_one_in(client_for, owner_a, member_a):
    # The attacker walks the hand-off in their own browser and keeps the final link...
    attacker_public = signed_in_public(client_for, member_a)
    attacker_tenant = client_for(host="alpha.localhost")
    link = token_link(attacker_public, attacker_tenant)
    # ...and gets the victim's browser to open it, with or without a hand-off of its own.
    victim = client_for(host="alpha.localhost")
    assert victim.get(link)["Location"] == "/accounts/login/"
    victim.get("/accounts/handoff/")  # the victim's browser has its own value now
    assert victim.get(link)["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in victim.session


def test_the_issuer_needs_a_signed_in_member_and_a_well_formed_binding(
    client_for, owner_a, tenant_b
):
    public = signed_in_public(client_for, owner_a)
    binding = "a" * 64
    anonymous = client_for(host="localhost").get(
        f"/accounts/handoff/issue/?tenant=alpha&binding={binding}"
    )
    assert anonymous["Location"] == "/accounts/login/"
    assert public.get(f"/accounts/handoff/issue/?tenant=bravo&binding={binding}").status_code == 404
    assert public.get("/accounts/handoff/issue/?tenant=alpha&binding=short").status_code == 404
    on_tenant_host = client_for(owner_a, host="alpha.localhost").get(
        f"/accounts/handoff/issue/?tenant=alpha&binding={binding}"
    )
    assert on_tenant_host.status_code == 404
