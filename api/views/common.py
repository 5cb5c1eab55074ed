"""Small helpers shared by the API views."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet
from django.urls import get_script_prefix
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse

from tenants.resolution import tenant_for_host

M = TypeVar("M", bound=Model)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (e.g. a UUID). Sent again with the same request within 24 h, "
    "the first answer is replayed with `Idempotent-Replayed: true` instead of creating twice; "
    "with a different request, 422.",
)


def get_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """Like get_object_or_404, with the translated message of the API's 404."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise exceptions.NotFound()
    return found


def api_url(request: Request, viewname: str, *args: Any) -> str:
    """An absolute URL on the caller's own address (host, or /t/<slug>/ prefix)."""
    return reverse(f"api:{viewname}", args=args, request=request)


# Stands for the id while a URL is reversed once for a whole list.
_ID_MARK = 987654321987654321


def object_url(serializer: serializers.BaseSerializer, viewname: str, pk: int) -> str:
    """api_url(request, viewname, pk) for an object a serializer renders: a list reverses the
    URL once (reversing is the dearest part of an item) and puts each id into it."""
    templates = serializer.context.setdefault("url_templates", {})
    if viewname not in templates:
        url = api_url(serializer.context["request"], viewname, _ID_MARK)
        templates[viewname] = url.rpartition(str(_ID_MARK))[::2]
    head, tail = templates[viewname]
    return f"{head}{pk}{tail}"


def headerless_url(request: Request, viewname: str, *args: Any) -> str:
    """Like api_url, for links used without our headers (players, download tools): when only
    `X-Tenant-ID` named the organisation, the link names it with the `/t/<slug>/` prefix."""
    url = api_url(request, viewname, *args)
    slug, prefix = connection.tenant.slug, get_script_prefix()
    if prefix.endswith(f"/t/{slug}/"):
        return url  # the path prefix already names the organisation
    by_host = tenant_for_host(request.get_host())
    if by_host is not None and by_host.pk == connection.tenant.pk:
        return url  # so does the host
    path = reverse(f"api:{viewname}", args=args)
    return request.build_absolute_uri(f"{prefix}t/{slug}/{path[len(prefix) :]}")
