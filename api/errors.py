"""DRF's side of problem details (see web.problems): every exception a view raises, Django's
own included, becomes a problem+json response in the caller's language."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from web.errors import OUTAGES, RETRY_AFTER_SECONDS
from web.problems import PROBLEM_CONTENT_TYPE, problem

log = logging.getLogger(__name__)

# Service refusals (django ValidationError codes) that describe the state of a thing, not a
# malformed request.
CONFLICT_CODES = frozenset({"busy", "ended", "not_ended", "not_ready", "not_retryable"})
UNPROCESSABLE_CODES = frozenset({"quota"})


def problem_response(
    status_code: int,
    detail: str,
    *,
    request: HttpRequest | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    response = Response(
        problem(status_code, detail, request=request, code=code),
        status=status_code,
        headers=headers,
    )
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _from_django(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        code = getattr(exc, "code", None) or "invalid"
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(exc.message_dict)
        message = exc.messages[0] if exc.messages else _("Invalid input.")
        if code in CONFLICT_CODES:
            conflict = exceptions.APIException(message, code)
            conflict.status_code = status.HTTP_409_CONFLICT
            return conflict
        if code in UNPROCESSABLE_CODES:
            refused = exceptions.APIException(message, code)
            refused.status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
            return refused
        return exceptions.ValidationError({"detail": message}, code)
    if isinstance(exc, DjangoPermissionDenied) and exc.args:
        return exceptions.PermissionDenied(str(exc.args[0]))
    if isinstance(exc, Http404):
        # get_object_or_404's English sentence names a model; the caller gets a translated one.
        return exceptions.NotFound()
    return exc


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or "detail": [str(item) for item in items]}


def _describe(exc: exceptions.APIException) -> tuple[str, str, dict[str, list[str]] | None]:
    """(detail, code, field errors) of a DRF exception, whatever shape its detail has."""
    detail = exc.detail
    codes = exc.get_codes()
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(detail)
        if list(errors) == ["detail"]:
            found = codes["detail"] if isinstance(codes, dict) else "invalid"
            # A service refusal's code is a string; a serializer's, a list of them.
            code = found[0] if isinstance(found, list) else found
            return errors["detail"][0], str(code), None
        general = errors.pop("non_field_errors", None) or errors.pop("detail", None)
        text = general[0] if general else _("Some fields need attention; see `errors`.")
        return text, "invalid", errors
    if isinstance(detail, dict):
        # simplejwt's InvalidToken: {"detail": …, "code": …, "messages": […]}.
        code = detail.get("code") or exc.default_code
        return str(detail.get("detail", exc.default_detail)), str(code), None
    if isinstance(detail, list):
        return str(detail[0]) if detail else str(exc.default_detail), str(exc.default_code), None
    return str(detail), str(codes if isinstance(codes, str) else exc.default_code), None


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    django_request = getattr(request, "_request", None)
    if isinstance(exc, OUTAGES):
        log.error("API call failed, a dependency is down: %s", exc)
        return problem_response(
            503,
            _("The service is briefly unavailable. Please try again in a minute."),
            request=django_request,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    exc = _from_django(exc)
    response = exception_handler(exc, context)
    if response is None:
        log.exception("API error", exc_info=exc)
        response = Response(status=500)
        exc = exceptions.APIException()
    detail, code, errors = _describe(exc)
    response.data = problem(
        response.status_code, detail, request=django_request, code=code, errors=errors
    )
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format != "api":
        response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_for(exc: exceptions.APIException, request: HttpRequest) -> JsonResponse:
    """The problem document of a DRF exception raised outside a DRF view (middleware)."""
    detail, code, errors = _describe(exc)
    return JsonResponse(
        problem(exc.status_code, detail, request=request, code=code, errors=errors),
        status=exc.status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )
