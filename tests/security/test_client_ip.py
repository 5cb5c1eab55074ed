"""The client address: X-Forwarded-For is believed only from a trusted proxy, from the right."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from web.client import client_ip

factory = RequestFactory()


def request_from(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.get("/", **extra)


def test_a_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request_from("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("127.0.0.1", "203.0.113.9")) == "127.0.0.1"


def test_behind_a_trusted_proxy_the_forwarded_client_is_read(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.1.2.3", "203.0.113.9")) == "203.0.113.9"
    assert client_ip(request_from("fd00::1", "2001:db8::7")) == "2001:db8::7"


def test_entries_a_caller_prepends_are_never_read(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appended the real peer (203.0.113.9) to what the caller sent.
    assert client_ip(request_from("10.1.2.3", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"


def test_two_proxies_skip_the_inner_one(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_COUNT = 2
    forwarded = "1.1.1.1, 203.0.113.9, 10.9.9.9"
    assert client_ip(request_from("10.1.2.3", forwarded)) == "203.0.113.9"


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "10.9.9.9"])
def test_a_short_or_garbled_header_falls_back_to_the_peer(settings, forwarded):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from("10.1.2.3", forwarded)) == "10.1.2.3"


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_does_not_escape_the_sign_in_limit(
    tenant_a, owner_a, client_for, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "10000/min", "auth": "2/min"},
    }
    settings.TRUSTED_PROXIES = []
    client = client_for(host="alpha.localhost")
    statuses = [
        client.post(
            "/api/v1/auth/token/",
            {"email": owner_a.email, "password": "wrong"},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(3)
    ]
    assert statuses[-1] == 429
