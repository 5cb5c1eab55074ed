"""Resumable movie uploads (tus 1.0.0) under the API: the protocol of media_pipeline.tus behind
API authentication, with API URLs in its headers and problem+json refusals."""

from __future__ import annotations

import uuid

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from media_pipeline import tus

from ..errors import problem_response
from ..idempotency import idempotent
from .common import IDEMPOTENCY_KEY, api_url

TUS_RESUMABLE = OpenApiParameter(
    "Tus-Resumable", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, enum=["1.0.0"]
)


def upload_offset_out(status: int) -> OpenApiParameter:
    return OpenApiParameter(
        "Upload-Offset", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[status]
    )


MOVIE_HEADERS = [
    OpenApiParameter(
        "Movie-Id",
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        response=[204],
        description="Set once the upload is complete and the movie was accepted.",
    ),
    OpenApiParameter(
        "Movie-Location",
        OpenApiTypes.URI,
        OpenApiParameter.HEADER,
        response=[204],
        description="The movie's API URL, once the upload is complete.",
    ),
]


def render_tus(request: Request, answer: tus.TusAnswer) -> Response:
    """A tus answer as the API gives it: API URLs, refusals as problem details."""
    headers = dict(answer.headers)
    if answer.error:
        return problem_response(
            answer.status, answer.error, request=request._request, code=answer.code,
            headers=headers,
        )  # fmt: skip
    if answer.status == 201 and answer.upload is not None:
        headers["Location"] = api_url(request, "upload-detail", answer.upload.pk)
    if answer.movie is not None:
        headers["Movie-Id"] = str(answer.movie.pk)
        headers["Movie-Location"] = api_url(request, "movie-detail", answer.movie.pk)
    return Response(status=answer.status, headers=headers)


def render_options() -> HttpResponse:
    response = HttpResponse(status=204)
    for name, value in tus.options().headers.items():
        response[name] = value
    return response


class UploadCollectionApi(APIView):
    extra_problem_codes = (412, 413)

    @extend_schema(
        operation_id="uploads_create",
        tags=["uploads"],
        description="Opens a resumable upload (tus 1.0.0 `creation`). Send the bytes with PATCH "
        "to the `Location` returned, in chunks (8 MiB works well); the PATCH that completes "
        "the file answers `Movie-Id` and `Movie-Location`.",
        request=None,
        parameters=[
            TUS_RESUMABLE,
            OpenApiParameter(
                "Upload-Length",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                required=True,
                description="The file's size in bytes.",
            ),
            OpenApiParameter(
                "Upload-Metadata",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="tus metadata: `key base64(value)` pairs, comma-separated; keys "
                "`filename`, `title`, `language`.",
            ),
            IDEMPOTENCY_KEY,
            OpenApiParameter("Location", OpenApiTypes.URI, OpenApiParameter.HEADER, response=[201]),
            upload_offset_out(201),
        ],
        responses={201: None},
    )
    @idempotent()
    def post(self, request: Request) -> Response:
        return render_tus(request, tus.create(request._request))

    def options(self, request: Request, *args: object, **kwargs: object) -> HttpResponse:
        return render_options()


class UploadDetailApi(APIView):
    extra_problem_codes = (409, 410, 412, 413, 415, 422)

    def _tus(self, request: Request, pk: uuid.UUID) -> Response:
        return render_tus(request, tus.resource(request._request, str(pk)))

    @extend_schema(exclude=True)
    def head(self, request: Request, pk: uuid.UUID) -> Response:
        return self._tus(request, pk)

    @extend_schema(
        operation_id="uploads_append",
        tags=["uploads"],
        description="Appends bytes at `Upload-Offset` (tus core). After a dropped connection, "
        "ask HEAD for the offset the server has and continue from there.",
        request={"application/offset+octet-stream": OpenApiTypes.BINARY},
        parameters=[
            TUS_RESUMABLE,
            OpenApiParameter(
                "Upload-Offset", OpenApiTypes.INT, OpenApiParameter.HEADER, required=True
            ),
            upload_offset_out(204),
            *MOVIE_HEADERS,
        ],
        responses={204: None},
    )
    def patch(self, request: Request, pk: uuid.UUID) -> Response:
        return self._tus(request, pk)

    @extend_schema(
        operation_id="uploads_terminate",
        tags=["uploads"],
        description="Cancels an unfinished upload and discards its bytes (tus termination).",
        parameters=[TUS_RESUMABLE],
        responses={204: None},
    )
    def delete(self, request: Request, pk: uuid.UUID) -> Response:
        return self._tus(request, pk)

    def options(self, request: Request, *args: object, **kwargs: object) -> HttpResponse:
        return render_options()
