"""Sign-in attempts: a few per account and per address in a sliding window, on every way in
(the sign-in form, the admin's, the token endpoint, password reset). The buckets are global, so
moving between organisations' sites does not buy more guesses."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse

from web import ratelimit
from web.client import client_ip

SIGN_IN = "signin"
# Sent when failed sign-ins fill an account's bucket (keyword arguments: request, email): the
# account is refused for a while, and tenants.suspicious tells its organisations' owners.
account_locked = Signal()
PASSWORD_RESET = "reset"  # noqa: S105 (a bucket name)


def account_ident(email: str) -> str:
    # The address is hashed: Redis keys never carry a person's email.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _buckets(request: HttpRequest, email: str) -> list[str]:
    buckets = [f"ip:{client_ip(request)}"]
    if email:
        buckets.append(f"account:{account_ident(email)}")
    return buckets


def _rate() -> ratelimit.Rate | None:
    return ratelimit.parse_rate(settings.SIGNIN_THROTTLE_RATE)


def check(request: HttpRequest, *, email: str, scope: str = SIGN_IN) -> ratelimit.Decision:
    """Refused while the account's or the address's bucket is full, with the longer wait."""
    rate = _rate()
    return ratelimit.check_each(scope, [(bucket, rate) for bucket in _buckets(request, email)])


def note_attempt(request: HttpRequest, *, email: str, scope: str = SIGN_IN) -> None:
    """Count a failed sign-in (or any password-reset request) in both buckets."""
    rate = _rate()
    for bucket in _buckets(request, email):
        ratelimit.record(scope, bucket, rate)
    account = f"account:{account_ident(email)}"
    if email and scope == SIGN_IN and not ratelimit.check(scope, account, rate).allowed:
        account_locked.send(sender=None, request=request, email=email)


def may_send_reset_email(email: str) -> bool:
    """Counts a password-reset email to this account; False once PASSWORD_RESET_EMAIL_RATE is
    reached (the caller then sends nothing and says what it always says)."""
    rate = ratelimit.parse_rate(settings.PASSWORD_RESET_EMAIL_RATE)
    return ratelimit.hit("reset-email", f"account:{account_ident(email)}", rate).allowed


def limited(
    *, field: str = "username", scope: str = SIGN_IN, count_every_post: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A form view behind the limit: a POST over it gets the "try again in N minutes" page
    without reaching the view; a POST that does not end in a redirect (a failed sign-in) is
    counted, or every POST when `count_every_post`."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method != "POST":
                return view(request, *args, **kwargs)
            email = str(request.POST.get(field, ""))[:254]
            decision = check(request, email=email, scope=scope)
            if not decision.allowed:
                return ratelimit.refusal(request, decision)
            response = view(request, *args, **kwargs)
            if count_every_post or response.status_code not in (301, 302, 303):
                note_attempt(request, email=email, scope=scope)
            return response

        return wrapped

    return decorate
