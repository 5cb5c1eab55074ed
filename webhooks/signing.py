"""Webhook signatures: `Webhook-Signature: t=<unix time>,v1=<hex HMAC-SHA256>`.

The signed message is `f"{t}.{raw body}"` with the endpoint's secret as the key. This module
imports nothing from Django, so receivers can copy it as it is:

    from signing import InvalidSignature, verify

    try:
        verify(secret, request_body_bytes, request.headers["Webhook-Signature"])
    except InvalidSignature:
        return 400
    # then drop events whose Webhook-Id was already processed (deliveries may repeat)

`verify` refuses a signature older (or newer) than `tolerance` seconds, so a captured request
cannot be replayed later; remembering processed `Webhook-Id`s closes the window inside it.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SCHEME = "v1"
DEFAULT_TOLERANCE = 300


class InvalidSignature(ValueError):
    """The header is missing or malformed, too old or too new, or matches no secret."""


def compute(secret: str, body: bytes, timestamp: int) -> str:
    """The hex HMAC-SHA256 of `f"{timestamp}.{body}"` under `secret`."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str | list[str], body: bytes, timestamp: int) -> str:
    """The `Webhook-Signature` header value; several secrets give several `v1` entries."""
    keys = [secret] if isinstance(secret, str) else secret
    parts = [f"t={int(timestamp)}"] + [f"{SCHEME}={compute(key, body, timestamp)}" for key in keys]
    return ",".join(parts)


def parse(header: str) -> tuple[int, list[str]]:
    """The timestamp and the `v1` signatures of a header, or InvalidSignature."""
    timestamp: int | None = None
    signatures: list[str] = []
    for item in (header or "").split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidSignature("malformed Webhook-Signature header")
    return timestamp, signatures


def verify(
    secret: str,
    body: bytes,
    header: str,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> int:
    """Check `header` against `body`; return the signed timestamp or raise InvalidSignature."""
    timestamp, signatures = parse(header)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise InvalidSignature("timestamp outside the tolerance (replayed or clock skew)")
    expected = compute(secret, body, timestamp)
    # Every candidate is compared in constant time; any match is enough (secret rotation).
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidSignature("no signature matches")
    return timestamp
