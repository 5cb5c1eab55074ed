"""Refusals and failures as people and API clients should see them: a translated page, or
problem+json on API paths; a database or Redis outage as 503 with Retry-After, never a 500."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import set_urlconf
from django.utils import translation
from django.utils.translation import gettext as _

from .problems import problem_json

log = logging.getLogger(__name__)

API_PATH = re.compile(r"^(/t/[^/]+)?/api/")
# A dependency that is down, not a bug: the request may succeed once it is back.
OUTAGES = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)
RETRY_AFTER_SECONDS = 30


def is_api(request: HttpRequest) -> bool:
    return bool(API_PATH.match(request.path))


def error_page(
    request: HttpRequest,
    status: int,
    title: str,
    message: str,
    *,
    code: str | None = None,
    extra: dict[str, str] | None = None,
) -> HttpResponse:
    """A refusal in the visitor's language, outside any organisation's pages.

    `title` and `message` are untranslated (gettext_noop) sentences, translated here in the
    language the request asks for; API clients get them as problem+json. `extra` goes to the
    page as it is (`detail`: an operator's words as written, `contact_url`: a link).
    """
    language = translation.get_language_from_request(request)
    if is_api(request):
        with translation.override(language):
            return problem_json(status, _(message), request=request, code=code)
    # Outside any tenant: links on the page point at the product's own site.
    request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
    set_urlconf(request.urlconf)
    with translation.override(language):
        return render(
            request,
            "error.html",
            {
                "status": status,
                "title": _(title),
                "message": _(message),
                "tenant": None,
                **(extra or {}),
            },
            status=status,
        )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {
        "status": 404,
        "title": _("Page not found"),
        "message": _("This page does not exist, or you do not have access to it."),
    }
    return render(request, "error.html", context, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], OUTAGES):
        return unavailable(request)
    context = {
        "status": 500,
        "title": _("Something went wrong"),
        "message": _("We have been told about it. Please try again in a moment."),
    }
    return render(request, "error.html", context, status=500)


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 while the database or Redis is unreachable. The page needs neither: no session, no
    user, no messages, only the language the browser asks for."""
    language = translation.get_language_from_request(request)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    with translation.override(language):
        message = _("The service is briefly unavailable. Please try again in a minute.")
        if is_api(request):
            return problem_json(503, message, request=request, headers=headers)
        body = render_to_string(
            "unavailable.html",
            {"message": message, "LANGUAGE_BIDI": translation.get_language_bidi()},
        )
    response = HttpResponse(body, status=503, headers=headers)
    response["Content-Language"] = language
    return response


@receiver(got_request_exception, dispatch_uid="web.errors.note_outage")
def note_outage(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """Django turns an exception raised in any middleware or view into a 500 response on the
    spot; remember an outage on the request so OutageMiddleware can answer 503 instead."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OUTAGES):
        request.outage = error


class OutageMiddleware:
    """Outermost after the health probes: a request that failed because a dependency is down
    gets 503 with Retry-After (page or problem+json), in debug mode too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = getattr(request, "outage", None)
        if error is not None and response.status_code >= 500:
            log.error("dependency down while serving %s: %s", request.path, error)
            return unavailable(request)
        return response
