"""One pagination for every list: `limit` / `offset` with `count`, `next`, `previous`, `results`."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    default_limit = 20
    max_limit = 100
