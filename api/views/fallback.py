"""Unknown URLs under /api/ answer a problem+json 404, not the site's HTML page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


@extend_schema(exclude=True)
class NotFoundApi(APIView):
    open_to_visitors = True
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def http_method_not_allowed(self, request: Request, *args: object, **kwargs: object) -> None:
        raise exceptions.NotFound()

    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        raise exceptions.NotFound()
