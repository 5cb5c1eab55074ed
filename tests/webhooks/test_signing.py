"""Signatures: what receivers verify, and what they must refuse (tampering, replays)."""

from __future__ import annotations

import re

import pytest

from webhooks.signing import InvalidSignature, sign, verify

SECRET = "whsec_test-secret"
BODY = b'{"id":"6f1c","type":"recap.completed","data":{"job":{"id":7}}}'
NOW = 1_760_000_000


def test_the_header_carries_a_timestamp_and_a_hex_hmac():
    header = sign(SECRET, BODY, NOW)
    assert re.fullmatch(r"t=1760000000,v1=[0-9a-f]{64}", header)


def test_a_good_signature_verifies_and_returns_its_timestamp():
    assert verify(SECRET, BODY, sign(SECRET, BODY, NOW), now=NOW + 10) == NOW


def test_a_tampered_body_is_rejected():
    header = sign(SECRET, BODY, NOW)
    with pytest.raises(InvalidSignature, match="no signature matches"):
        verify(SECRET, BODY.replace(b"7", b"8"), header, now=NOW)


def test_a_wrong_secret_is_rejected():
    with pytest.raises(InvalidSignature, match="no signature matches"):
        verify("whsec_other", BODY, sign(SECRET, BODY, NOW), now=NOW)


def test_an_old_signature_is_a_replay_and_rejected():
    header = sign(SECRET, BODY, NOW)
    assert verify(SECRET, BODY, header, now=NOW + 300) == NOW  # at the edge of the tolerance
    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(SECRET, BODY, header, now=NOW + 301)
    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(SECRET, BODY, header, now=NOW - 301)  # from the future: clock skew or forged


def test_a_changed_timestamp_breaks_the_signature():
    forged = sign(SECRET, BODY, NOW).replace(f"t={NOW}", f"t={NOW + 100}")
    with pytest.raises(InvalidSignature):
        verify(SECRET, BODY, forged, now=NOW + 100)


@pytest.mark.parametrize("header", ["", "t=abc,v1=00", f"t={NOW}", "v1=abcdef", "garbage"])
def test_a_malformed_header_is_rejected(header):
    with pytest.raises(InvalidSignature, match="malformed"):
        verify(SECRET, BODY, header, now=NOW)


def test_during_a_rotation_either_secret_verifies():
    header = sign(["whsec_new", "whsec_old"], BODY, NOW)
    assert header.count("v1=") == 2
    assert verify("whsec_new", BODY, header, now=NOW) == NOW
    assert verify("whsec_old", BODY, header, now=NOW) == NOW
    with pytest.raises(InvalidSignature):
        verify("whsec_third", BODY, header, now=NOW)
