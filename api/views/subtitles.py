"""Subtitle tracks of a movie: list, and add an SRT/WebVTT file (multipart)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from media_pipeline import subtitle_tracks
from media_pipeline.errors import UploadError
from media_pipeline.models import Movie, SubtitleTrack
from media_pipeline.roles import require_writer

from ..idempotency import idempotent
from .common import IDEMPOTENCY_KEY, get_or_404


class SubtitleTrackOutput(serializers.ModelSerializer):
    class Meta:
        model = SubtitleTrack
        ref_name = "SubtitleTrack"
        fields = ["id", "movie_id", "language", "source", "cue_count", "skipped_cues", "created_at"]


class SubtitleTrackListApi(generics.ListAPIView):
    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="An SRT or WebVTT file, at most 5 MB.")
        language = serializers.ChoiceField(choices=settings.LANGUAGE_CODES)

        class Meta:
            ref_name = "SubtitleTrackInput"

    serializer_class = SubtitleTrackOutput
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[SubtitleTrack]:
        movie = get_or_404(Movie.objects.all(), pk=self.kwargs["pk"])
        return movie.subtitle_tracks.order_by("pk")

    @extend_schema(operation_id="movies_subtitle_tracks_list", tags=["subtitle tracks"])
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)

    @extend_schema(
        operation_id="movies_subtitle_tracks_create",
        tags=["subtitle tracks"],
        request=InputSerializer,
        responses={201: SubtitleTrackOutput},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent()
    def post(self, request: Request, pk: int) -> Response:
        movie = get_or_404(Movie.objects.all(), pk=pk)
        require_writer(user=request.user)
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            track = subtitle_tracks.add_subtitle_track(
                movie=movie,
                uploaded_file=given.validated_data["file"],
                language=given.validated_data["language"],
                user=request.user,
            )
        except UploadError as exc:
            raise exceptions.ValidationError({"file": [exc.message]}) from exc
        return Response(SubtitleTrackOutput(track).data, status=201)
