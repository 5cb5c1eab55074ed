"""Suspicious activity: a burst of refused requests (401/403/404) from one address blocks it for a
while, and failed sign-ins piling up against one account lock it; each is audited once, emailed
to the organisation's owners, and listed for staff under "Security events"."""

from __future__ import annotations

import pytest
from django.core import mail

from compliance.models import AuditEvent, SecurityEvent
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"


@pytest.fixture
def burst(settings):
    settings.SUSPICIOUS_FAILURE_RATE = "5/5min"
    settings.SUSPICIOUS_BLOCK_MINUTES = 15


def probe(client, path: str = "/no-such-page-987654/", **extra):
    return client.get(path, REMOTE_ADDR=ATTACKER, **extra)


def test_a_burst_of_refusals_blocks_the_address_and_tells_the_owners(
    burst, client_for, owner_a, member_a, tenant_a
):
    attacker = client_for(member_a, host="alpha.localhost")
    # Enumerating ids: five answers "not found" pass, the sixth fills the window.
    assert [probe(attacker).status_code for _ in range(6)] == [404] * 6
    refused = probe(attacker, "/")
    assert refused.status_code == 429
    assert 14 * 60 < int(refused["Retry-After"]) <= 15 * 60
    assert "blocked for a while" in refused.content.decode()
    api = probe(attacker, "/api/v1/movies/")
    assert api.status_code == 429
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["type"] == "urn:movie-recap:problem:suspicious_activity"
    # Only that address: the owner, elsewhere, goes on working.
    owner = client_for(owner_a, host="alpha.localhost")
    assert owner.get("/", REMOTE_ADDR="198.51.100.20").status_code == 200
    # Audited once, one email to the one owner, whatever the blocked address tries next.
    probe(attacker)
    events = AuditEvent.objects.filter(action="security.address_blocked", tenant=tenant_a)
    assert [(e.target, e.data["minutes"]) for e in events] == [(ATTACKER, 15)]
    assert [m.to for m in mail.outbox] == [[owner_a.email]]
    assert "Suspicious activity on Alpha" in mail.outbox[0].subject
    assert ATTACKER in mail.outbox[0].body


def test_the_block_is_told_in_the_visitors_language(burst, client_for):
    stranger = client_for(host="alpha.localhost")
    for _ in range(6):
        probe(stranger)
    page = probe(stranger, "/", HTTP_ACCEPT_LANGUAGE="ar")
    assert page.status_code == 429
    html = page.content.decode()
    assert 'dir="rtl"' in html and "blocked for a while" not in html


def test_answers_that_are_not_refusals_never_count(burst, client_for, owner_a):
    owner = client_for(owner_a, host="alpha.localhost")
    assert all(owner.get("/", REMOTE_ADDR=ATTACKER).status_code == 200 for _ in range(12))
    assert not AuditEvent.objects.filter(action="security.address_blocked").exists()


def test_failed_sign_ins_lock_the_account_once_and_tell_the_owners(
    client_for, owner_a, member_a, tenant_a
):
    client = client_for(host="alpha.localhost")
    for n in range(7):
        client.post(
            "/accounts/login/",
            {"username": member_a.email, "password": "wrong"},
            REMOTE_ADDR=f"198.51.100.{n}",
        )
    refused = client.post("/accounts/login/", {"username": member_a.email, "password": PASSWORD})
    assert refused.status_code == 429
    events = AuditEvent.objects.filter(action="security.account_locked")
    assert [(e.tenant_id, e.target) for e in events] == [(tenant_a.pk, member_a.email)]
    assert [m.to for m in mail.outbox] == [[owner_a.email]]
    assert member_a.email in mail.outbox[0].body


def test_staff_read_the_security_events_and_only_those(burst, client_for, tenant_a):
    stranger = client_for(host="alpha.localhost")
    for _ in range(6):
        probe(stranger)
    AuditEvent.objects.create(action="tenant.settings_changed", tenant=tenant_a, target="x")
    assert list(SecurityEvent.objects.values_list("action", flat=True)) == [
        "security.address_blocked"
    ]
    operator = make_user("watch@example.com", is_staff=True)
    operator.is_superuser = True
    operator.save()
    staff = client_for(operator, host="localhost")
    page = staff.get("/admin/compliance/securityevent/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "security.address_blocked" in html and "tenant.settings_changed" not in html
