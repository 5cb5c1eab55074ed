"""Where webhooks may go: https to public addresses only, checked by resolving the host."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from webhooks.targets import check_target


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False


def refusal(url: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_target(url)
    return caught.value


def test_a_public_https_address_is_accepted():
    target = check_target("https://93.184.215.14:8443/hooks?x=1")
    assert target.addresses == ("93.184.215.14",) and target.port == 8443
    assert target.host == "93.184.215.14" and target.scheme == "https"


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://2130706433/hook",  # 127.0.0.1 written as one number
        "https://10.0.0.5/hook",
        "https://172.16.3.4/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "https://[fe80::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[64:ff9b::a00:5]/hook",  # NAT64 of 10.0.0.5
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",
        "https://0.0.0.0/hook",
        "https://100.64.0.1/hook",
    ],
)
def test_loopback_private_link_local_multicast_and_reserved_addresses_are_refused(url):
    error = refusal(url)
    assert error.code == "private_address"
    assert "public internet addresses" in error.messages[0]


def test_an_unknown_host_is_refused():
    error = refusal("https://hooks.example.invalid/recap")
    assert error.code == "unknown_host"
    assert error.messages == [
        "The host hooks.example.invalid could not be found. Check the address and try again."
    ]


def test_plain_http_is_refused_in_production():
    error = refusal("http://93.184.215.14/hook")
    assert error.code == "https_required"
    assert error.messages == ["Webhook URLs must start with https://."]


def test_credentials_in_the_url_are_refused():
    assert refusal("https://user:pw@93.184.215.14/hook").code == "credentials_in_url"


def test_errors_are_in_the_reader_s_language():
    with translation.override("fr"):
        error = refusal("https://[not-an-address/hook")
    assert error.messages == ["Saisissez une URL valide."]


def test_development_may_target_this_machine(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    assert check_target("http://127.0.0.1:9/hook").addresses == ("127.0.0.1",)
    assert refusal("http://hooks.example.invalid/").code == "unknown_host"
