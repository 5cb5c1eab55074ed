"""The one place that sends webhook HTTP requests (standard library `urllib`).

Requests go to the address `targets.check_target` approved, never to a fresh DNS answer; TLS
still checks the certificate against the host name. Redirects are not followed (a redirect could
point anywhere, the private network included), and proxies from the environment are ignored.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from .targets import Target

BODY_EXCERPT_BYTES = 2048
USER_AGENT = "MovieRecap-Webhooks/1.0"


@dataclass(frozen=True)
class Response:
    status: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _pinned(addresses: tuple[str, ...]) -> Any:
    """A `create_connection` that tries the checked addresses in turn and nothing else."""

    def create_connection(addr: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        error: OSError = OSError("no address to connect to")
        for address in addresses:
            try:
                return socket.create_connection((address, addr[1]), *args, **kwargs)
            except OSError as exc:
                error = exc
        raise error

    return create_connection


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, addresses: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _pinned(addresses)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, addresses: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _pinned(addresses)


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, addresses: tuple[str, ...]) -> None:
        super().__init__()
        self.addresses = addresses

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_PinnedHTTPConnection, req, addresses=self.addresses)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, addresses: tuple[str, ...]) -> None:
        super().__init__(context=ssl.create_default_context())
        self.addresses = addresses

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(
            _PinnedHTTPSConnection, req, context=self._context, addresses=self.addresses
        )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


def _excerpt(stream: Any) -> str:
    try:
        data = stream.read(BODY_EXCERPT_BYTES) if stream is not None else b""
    except (OSError, http.client.HTTPException):
        data = b""
    return data.decode("utf-8", errors="replace")[:BODY_EXCERPT_BYTES]


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float) -> Response:
    """POST `body` to `target`; never raises for network trouble, the Response says what failed."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler({}),
        _PinnedHTTPHandler(target.addresses),
        _PinnedHTTPSHandler(target.addresses),
        _NoRedirects(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.HTTPDefaultErrorHandler(),
    ):
        opener.add_handler(handler)
    # Only http(s) URLs reach here (targets.split_url), and the opener has no other handlers.
    request = urllib.request.Request(  # noqa: S310
        target.url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
    )
    started = time.monotonic()
    status: int | None = None
    text, error = "", ""
    try:
        with opener.open(request, timeout=timeout) as reply:
            status, text = reply.status, _excerpt(reply)
    except urllib.error.HTTPError as exc:
        status, text = exc.code, _excerpt(exc)
        error = f"HTTP {exc.code}"
        exc.close()
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        error = f"{type(reason).__name__}: {reason}"[:1000]
    elapsed = int((time.monotonic() - started) * 1000)
    return Response(status=status, body=text, error=error, duration_ms=elapsed)
