"""The webhook target guard judges the IPv4 host a 6to4 address (2002::/16) carries."""

from __future__ import annotations

import ipaddress

import pytest
from django.core.exceptions import ValidationError

from webhooks.targets import check_target, is_public_address


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False


@pytest.mark.parametrize(
    "url",
    [
        "https://[2002:7f00:1::]/hook",  # 127.0.0.1
        "https://[2002:a00:5::1]/hook",  # 10.0.0.5
        "https://[2002:a9fe:a9fe::]/latest/meta-data/",  # 169.254.169.254
        "https://[2002:c0a8:10a:1::1]/hook",  # 192.168.1.10
    ],
)
def test_6to4_addresses_of_private_hosts_are_refused(url):
    with pytest.raises(ValidationError) as caught:
        check_target(url)
    assert caught.value.code == "private_address"


def test_6to4_of_a_public_host_is_judged_by_that_host():
    assert is_public_address(ipaddress.IPv6Address("2002:5db8:d70e::1"))  # 93.184.215.14
