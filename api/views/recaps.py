"""Recaps: metadata, chapters and synopsis; expiring download links; the files behind them."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from media_pipeline.errors import note_message
from media_pipeline.files import file_response
from media_pipeline.models import Recap

from .. import downloads
from .common import get_or_404, headerless_url, object_url


class EvidenceOutput(serializers.Serializer):
    cues = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        help_text="Spans of dialogue (start, end in seconds of the movie) the text rests on.",
    )
    scenes = serializers.ListField(
        child=serializers.IntegerField(), help_text="Indices of the scenes it rests on."
    )

    class Meta:
        ref_name = "Evidence"


class ChapterOutput(serializers.Serializer):
    title = serializers.CharField()
    source_start = serializers.FloatField(help_text="Seconds into the movie.")
    source_end = serializers.FloatField()
    recap_start = serializers.FloatField(help_text="Seconds into the recap video.")
    recap_end = serializers.FloatField()
    evidence = EvidenceOutput(required=False)


class SentenceOutput(serializers.Serializer):
    text = serializers.CharField()
    evidence = EvidenceOutput()
    source_at = serializers.FloatField(
        allow_null=True, help_text="Where the evidence starts, in seconds of the movie."
    )
    recap_at = serializers.FloatField(
        allow_null=True,
        help_text="Where to seek in the recap video to see it (null: not in the recap).",
    )

    class Meta:
        ref_name = "SynopsisSentence"


class NoteOutput(serializers.Serializer):
    code = serializers.CharField(
        help_text="no_model, no_audio, no_speech, language_unsupported or in_movie_language"
    )
    message = serializers.CharField(help_text="The same, as a sentence in the caller's language.")

    class Meta:
        ref_name = "RecapNote"


class RecapOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    downloads_url = serializers.SerializerMethodField()
    chapters = ChapterOutput(many=True)
    sentences = SentenceOutput(
        many=True, help_text="The synopsis, sentence by sentence, each with its evidence."
    )
    notes = serializers.SerializerMethodField()

    class Meta:
        model = Recap
        ref_name = "Recap"
        fields = [
            "id",
            "url",
            "movie_id",
            "job_id",
            "language",
            "duration",
            "size_bytes",
            "text_language",
            "include_ending",
            "synopsis",
            "sentences",
            "chapters",
            "notes",
            "downloads_url",
            "created_at",
        ]

    def get_url(self, recap: Recap) -> str:
        return object_url(self, "recap-detail", recap.pk)

    @extend_schema_field(NoteOutput(many=True))
    def get_notes(self, recap: Recap) -> list[dict[str, str]]:
        names = dict(settings.LANGUAGES)
        language = str(names.get(recap.text_language, recap.text_language))
        return [
            {"code": code, "message": note_message(code, language_name=language)}
            for code in recap.notes
        ]

    def get_downloads_url(self, recap: Recap) -> str:
        return object_url(self, "recap-downloads", recap.pk)


class RecapListApi(generics.ListAPIView):
    class FilterSerializer(serializers.Serializer):
        movie = serializers.IntegerField(required=False, min_value=1)
        language = serializers.ChoiceField(choices=settings.LANGUAGE_CODES, required=False)

    serializer_class = RecapOutput

    def get_queryset(self) -> QuerySet[Recap]:
        wanted = self.FilterSerializer(data=self.request.query_params)
        wanted.is_valid(raise_exception=True)
        found = Recap.objects.order_by("-created_at")
        if "movie" in wanted.validated_data:
            found = found.filter(movie_id=wanted.validated_data["movie"])
        if "language" in wanted.validated_data:
            found = found.filter(language=wanted.validated_data["language"])
        return found

    @extend_schema(
        operation_id="recaps_list",
        tags=["recaps"],
        parameters=[
            OpenApiParameter("movie", OpenApiTypes.INT, description="A movie id."),
            OpenApiParameter("language", OpenApiTypes.STR, enum=settings.LANGUAGE_CODES),
        ],
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class RecapDetailApi(APIView):
    @extend_schema(operation_id="recaps_retrieve", tags=["recaps"], responses=RecapOutput)
    def get(self, request: Request, pk: int) -> Response:
        recap = get_or_404(Recap.objects.all(), pk=pk)
        return Response(RecapOutput(recap, context={"request": request}).data)


class RecapDownloadsApi(APIView):
    class OutputSerializer(serializers.Serializer):
        expires_at = serializers.DateTimeField()
        video = serializers.URLField()
        poster = serializers.URLField()
        sprite = serializers.URLField()
        thumbnails_vtt = serializers.URLField()
        chapters_vtt = serializers.URLField(allow_null=True)
        subtitles_vtt = serializers.URLField(allow_null=True)
        report = serializers.URLField(
            allow_null=True,
            help_text="report.json: cuts, scenes, clips, the synopsis with its evidence, timings.",
        )

        class Meta:
            ref_name = "RecapDownloads"

    @extend_schema(
        operation_id="recaps_downloads",
        tags=["recaps"],
        description="Links to the recap's files, valid for a short time (15 minutes by "
        "default). They need no credentials: hand them to a player or a download tool.",
        responses=OutputSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        recap = get_or_404(Recap.objects.select_related("movie"), pk=pk)
        links = downloads.recap_links(recap, lambda token: headerless_url(request, "file", token))
        return Response(self.OutputSerializer({"expires_at": links.expires_at, **links.urls}).data)


class FileApi(APIView):
    """The link itself is the credential: no Authorization header, no membership check."""

    open_to_visitors = True
    # A signed link is a credential: players fetch it in many ranges, never per-address limited.
    signed_link = True
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="files_retrieve",
        tags=["recaps"],
        auth=[],
        description="Answers `Range: bytes=first-last` (one range) with 206 and "
        "`Content-Range`, so players can seek; 416 for a range past the end of the file.",
        parameters=[
            OpenApiParameter(
                "Range", OpenApiTypes.STR, OpenApiParameter.HEADER, description="bytes=100-199"
            )
        ],
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file's bytes."),
            (206, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The range asked for."),
            (416, "*/*"): OpenApiResponse(description="The range starts past the end."),
        },
    )
    def get(self, request: Request, token: str) -> Response:
        try:
            name, saved_as = downloads.file_for_token(token)
        except downloads.ExpiredLink as exc:
            raise exceptions.PermissionDenied(
                _("This download link has expired. Ask the API for a new one.")
            ) from exc
        except downloads.InvalidLink as exc:
            raise exceptions.NotFound() from exc
        return file_response(request, name, download_name=saved_as or None)
