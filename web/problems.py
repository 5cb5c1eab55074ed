"""RFC 9457 problem details (`application/problem+json`): the one shape every API refusal has,
whoever refuses (a middleware, a DRF view, a tus endpoint): a stable `type`, a translated
`title` and `detail`, and `errors` for field errors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy
from rest_framework import exceptions

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:movie-recap:problem:"

# Titles come from DRF's own messages where one fits, so they are translated in every language
# its catalogs cover.
TITLES = {
    400: exceptions.ValidationError.default_detail,
    401: exceptions.NotAuthenticated.default_detail,
    402: gettext_lazy("Payment required"),
    403: exceptions.PermissionDenied.default_detail,
    404: exceptions.NotFound.default_detail,
    405: gettext_lazy("Method not allowed"),
    406: exceptions.NotAcceptable.default_detail,
    409: gettext_lazy("Conflict with the current state"),
    410: gettext_lazy("Gone"),
    412: gettext_lazy("Precondition failed"),
    413: gettext_lazy("Too large"),
    415: gettext_lazy("Unsupported media type"),
    422: gettext_lazy("Unprocessable request"),
    429: exceptions.Throttled.default_detail,
    500: exceptions.APIException.default_detail,
    503: gettext_lazy("Service unavailable"),
}
CODES = {
    400: "invalid",
    401: "not_authenticated",
    402: "payment_required",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "throttled",
    500: "error",
    503: "unavailable",
}


def title_for(status_code: int) -> str:
    return str(TITLES.get(status_code, TITLES[500])).rstrip(".。")


def problem(
    status_code: int,
    detail: str,
    *,
    request: HttpRequest | None = None,
    code: str | None = None,
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + (code or CODES.get(status_code, "error")),
        "title": title_for(status_code),
        "status": status_code,
        "detail": str(detail),
    }
    if request is not None:
        body["instance"] = request.path
    if errors:
        body["errors"] = errors
    return body


def problem_json(
    status_code: int,
    detail: str,
    *,
    request: HttpRequest | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    """A problem as a plain Django response, for refusals made outside DRF's views."""
    response = JsonResponse(
        problem(status_code, detail, request=request, code=code),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
