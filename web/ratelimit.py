"""Rate limits in Redis, shared by every worker: a sliding window per bucket, global keys (not in
an organisation's key space), and a refusal that says when to try again. Redis being down lets
the request through and says so in the log: a missing limit beats refusing every caller."""

from __future__ import annotations

import logging
import math
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import ngettext

from . import cache as shared
from .client import client_ip
from .errors import OUTAGES, is_api
from .problems import problem_json

log = logging.getLogger(__name__)

UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")

# Drops stamps older than the window, then counts; adds this request's stamp when below the limit
# (or always, for a failure being recorded). Answers {allowed, seconds until a slot frees}.
_SLIDING_WINDOW = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local record = ARGV[5] == '1'
if count < limit or (record and ARGV[6] == '1') then
  if record then
    redis.call('ZADD', key, now, ARGV[4])
    redis.call('PEXPIRE', key, math.ceil(window * 1000))
  end
  if count < limit then return {1, '0'} end
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(oldest[2]) + window - now)}
"""


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0


ALLOWED = Decision(True)


def parse_rate(rate: str | None) -> Rate | None:
    """`5/5min`, `100/min`, `10/hour`, `1000/h`; None (or empty) is no limit."""
    if not rate:
        return None
    match = RATE.match(rate.lower())
    if not match or match.group(3) not in UNITS:
        raise ValueError(f"Not a rate: {rate!r} (expected e.g. 5/5min, 100/min, 10/hour)")
    count, multiple, unit = match.groups()
    return Rate(int(count), int(multiple or 1) * UNITS[unit])


def bucket_key(scope: str, ident: str) -> str:
    """The Redis key of a bucket: global, whatever organisation the request reached."""
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:ratelimit:{scope}:{ident}"


def _redis():
    return shared.client()


_sliding_window = shared.lua(_SLIDING_WINDOW)


def _run(key: str, rate: Rate, *, record: bool, record_over: bool) -> Decision:
    try:
        allowed, wait = _sliding_window(
            [key],
            [
                time.time(),
                rate.seconds,
                rate.limit,
                uuid.uuid4().hex,
                "1" if record else "0",
                "1" if record_over else "0",
            ],
            redis=_redis(),
        )
    except OUTAGES as exc:
        log.warning("rate limit %s not applied, Redis is unreachable: %s", key, exc)
        return ALLOWED
    if int(allowed):
        return ALLOWED
    return Decision(False, max(1, math.ceil(float(wait))))


def hit(scope: str, ident: str, rate: Rate | None) -> Decision:
    """Count one request against the bucket; refused (and not counted) once it is full."""
    if rate is None:
        return ALLOWED
    return _run(bucket_key(scope, ident), rate, record=True, record_over=False)


def check(scope: str, ident: str, rate: Rate | None) -> Decision:
    """Whether the bucket has room, without counting (failures are counted by `record`)."""
    if rate is None:
        return ALLOWED
    return _run(bucket_key(scope, ident), rate, record=False, record_over=False)


def check_each(scope: str, buckets: Iterable[tuple[str, Rate | None]]) -> Decision:
    """Refused while any of `buckets` ((ident, rate) pairs) is full, with the longest wait."""
    refusals = [d for d in (check(scope, i, rate) for i, rate in buckets) if not d.allowed]
    return max(refusals, key=lambda d: d.retry_after) if refusals else ALLOWED


def record(scope: str, ident: str, rate: Rate | None) -> None:
    """Count one event (a failed sign-in) even when the bucket is already full."""
    if rate is not None:
        _run(bucket_key(scope, ident), rate, record=True, record_over=True)


def block(scope: str, ident: str, seconds: int) -> bool:
    """Close the bucket for `seconds`; True when this call closed it (False: already closed, or
    Redis unreachable)."""
    try:
        return bool(_redis().set(bucket_key(scope, ident), 1, ex=seconds, nx=True))
    except OUTAGES as exc:
        log.warning("block %s:%s not set, Redis is unreachable: %s", scope, ident, exc)
        return False


def blocked_for(scope: str, ident: str) -> int:
    """Seconds until a closed bucket opens again (0: open, or Redis unreachable)."""
    try:
        remaining = _redis().pttl(bucket_key(scope, ident))
    except OUTAGES as exc:
        log.warning("block %s:%s not checked, Redis is unreachable: %s", scope, ident, exc)
        return 0
    return math.ceil(remaining / 1000) if remaining and remaining > 0 else 0


def retry_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many attempts. Please try again in %(minutes)d minute.",
        "Too many attempts. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def refusal(
    request: HttpRequest, decision: Decision, *, template: str | None = None
) -> HttpResponse:
    """429 with Retry-After: problem+json on API paths, otherwise a page in the visitor's
    language (the given template, or the plain error page)."""
    headers = {"Retry-After": str(decision.retry_after)}
    message = retry_message(decision.retry_after)
    if is_api(request):
        return problem_json(429, message, request=request, code="throttled", headers=headers)
    context = {
        "status": 429,
        "title": translation.gettext("Too many attempts"),
        "message": message,
    }
    response = render(request, "error.html", context, status=429)
    response["Retry-After"] = headers["Retry-After"]
    return response


def limit_posts(
    scope: str, rate_setting: str
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Every POST of a form view counted per client address against settings.<rate_setting>
    (signups); one over the limit gets the "try again" page without reaching the view."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method == "POST":
                rate = parse_rate(getattr(settings, rate_setting))
                decision = hit(scope, f"ip:{client_ip(request)}", rate)
                if not decision.allowed:
                    return refusal(request, decision)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
