"""One pagination for every list: `limit` / `offset` with `count`, `next`, `previous`, `results`;
or, with `cursor` in the query (empty for the first page), cursor pages: `next`, `previous`,
`results`, no count, as fast deep in a large library as on its first page and stable while
movies are added."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import CursorPagination, LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

MAX_LIMIT = 100


class _Cursor(CursorPagination):
    page_size = 20
    page_size_query_param = "limit"
    max_page_size = MAX_LIMIT

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> tuple[str, ...]:
        # The list's own order (its ordering filter, or the queryset's order): both modes
        # list the same rows in the same order.
        if any(hasattr(backend, "get_ordering") for backend in view.filter_backends):
            return super().get_ordering(request, queryset, view)
        ordering = queryset.query.order_by or queryset.model._meta.ordering
        named = tuple(field for field in ordering if isinstance(field, str))
        return named if named and len(named) == len(ordering) else ("-pk",)


class Pagination(LimitOffsetPagination):
    default_limit = 20
    max_limit = MAX_LIMIT
    cursor_query_param = "cursor"

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.cursor = None
        if self.cursor_query_param in request.query_params:
            self.cursor = _Cursor()
            return self.cursor.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        if self.cursor is not None:
            return self.cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paged = super().get_paginated_response_schema(schema)
        paged["required"] = ["next", "previous", "results"]
        paged["properties"]["count"]["description"] = (
            "Total number of items; absent in cursor mode."
        )
        return paged

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        cursor = {
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": "Cursor pagination: empty for the first page, then follow `next`. "
            "Answers without `count`; `offset` is ignored.",
            "schema": {"type": "string"},
        }
        return [*super().get_schema_operation_parameters(view), cursor]
