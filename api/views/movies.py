"""Movies of the organisation: list (filter, search, order, paginate), retrieve, delete."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import filters, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from media_pipeline import library, services
from media_pipeline.models import Movie, MovieStatus

from .common import get_or_404, object_url

_DATETIME = serializers.DateTimeField()


def _maybe(kind: type, value: Any) -> Any:
    return None if value is None else kind(value)


class MovieOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Movie
        ref_name = "Movie"
        fields = [
            "id",
            "url",
            "title",
            "status",
            "language",
            "language_chosen",
            "detected_language",
            "language_confidence",
            "duration",
            "width",
            "height",
            "fps",
            "size_bytes",
            "checksum",
            "container",
            "video_codec",
            "audio_codec",
            "created_at",
        ]

    def get_url(self, movie: Movie) -> str:
        return object_url(self, "movie-detail", movie.pk)

    def to_representation(self, movie: Movie) -> dict[str, Any]:
        # The hottest path of the API (every page of every library): the very output of the
        # fields declared above (a test compares them), without building and walking a field
        # object per value, which cost ten times more than the list's queries.
        return {
            "id": movie.pk,
            "url": self.get_url(movie),
            "title": movie.title,
            "status": movie.status,
            "language": movie.language,
            "language_chosen": movie.language_chosen,
            "detected_language": movie.detected_language,
            "language_confidence": _maybe(float, movie.language_confidence),
            "duration": _maybe(float, movie.duration),
            "width": _maybe(int, movie.width),
            "height": _maybe(int, movie.height),
            "fps": _maybe(float, movie.fps),
            "size_bytes": movie.size_bytes,
            "checksum": movie.checksum,
            "container": movie.container,
            "video_codec": movie.video_codec,
            "audio_codec": movie.audio_codec,
            "created_at": _DATETIME.to_representation(movie.created_at),
        }


class MovieListApi(generics.ListAPIView):
    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=MovieStatus.choices, required=False)
        language = serializers.ChoiceField(choices=settings.LANGUAGE_CODES, required=False)

    serializer_class = MovieOutput
    filter_backends = [filters.SearchFilter, filters.OrderingFilter]
    search_fields = ["title"]
    ordering_fields = ["created_at", "title", "duration", "size_bytes"]
    ordering = ["-created_at"]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """A page answered in JSON before is answered from the library cache until a movie of
        the organisation changes (media_pipeline.library): no query, no serializing. The page
        is named by everything its bytes depend on: scheme and host (its links), path and
        query."""
        if request.accepted_renderer.format != "json":
            return super().list(request, *args, **kwargs)
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        name = hashlib.sha256(address.encode()).hexdigest()[:32]
        version, page = library.cached_page(name)
        if page is not None:
            return HttpResponse(page, content_type="application/json")
        response = super().list(request, *args, **kwargs)
        if version is not None:

            def keep(rendered: HttpResponse) -> None:
                if rendered.status_code == 200:
                    library.keep_page(version, name, rendered.content)

            response.add_post_render_callback(keep)
        return response

    def get_queryset(self) -> QuerySet[Movie]:
        wanted = self.FilterSerializer(data=self.request.query_params)
        wanted.is_valid(raise_exception=True)
        # Only what the list shows: the probe facts alone can weigh kilobytes a movie.
        shown = [name for name in MovieOutput.Meta.fields if name != "url"]
        return Movie.objects.filter(**wanted.validated_data).only(*shown)

    @extend_schema(
        operation_id="movies_list",
        tags=["movies"],
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=MovieStatus.values),
            OpenApiParameter("language", OpenApiTypes.STR, enum=settings.LANGUAGE_CODES),
        ],
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class MovieDetailApi(generics.GenericAPIView):
    serializer_class = MovieOutput

    @extend_schema(operation_id="movies_retrieve", tags=["movies"], responses=MovieOutput)
    def get(self, request: Request, pk: int) -> Response:
        movie = get_or_404(Movie.objects.all(), pk=pk)
        return Response(MovieOutput(movie, context={"request": request}).data)

    @extend_schema(
        operation_id="movies_destroy",
        tags=["movies"],
        description="Deletes the movie, its subtitle tracks, recaps and every file of them; "
        "the storage they used is given back. A movie whose recap is being made cannot be "
        "deleted (409): cancel the job first.",
        responses={204: None},
    )
    def delete(self, request: Request, pk: int) -> Response:
        movie = get_or_404(Movie.objects.all(), pk=pk)
        services.delete_movie(movie=movie, acting_user=request.user)
        return Response(status=204)
