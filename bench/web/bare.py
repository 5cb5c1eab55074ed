"""The reference: Django answering the movie list's JSON with nothing of the product around it
(no tenant, no credential, no database, no cache), served by the same gunicorn workers."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse

PATH = "/bench/bare/"


@cache
def payload() -> dict:
    # The very JSON that GET /api/v1/movies/ answered for 20 movies, written by the benchmark.
    return json.loads(Path(os.environ["BENCH_BARE_JSON"]).read_text())


def bare_movies(request: HttpRequest) -> JsonResponse:
    return JsonResponse(payload())


class BareJsonMiddleware:
    """First in the benchmark's middleware: /bench/bare/ never reaches the product's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == PATH:
            return bare_movies(request)
        return self.get_response(request)
