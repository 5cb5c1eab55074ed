"""Recap jobs: start one for a movie, follow its state and progress, cancel, retry."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from media_pipeline import progress, services
from media_pipeline.errors import user_message
from media_pipeline.models import JobState, Movie, RecapJob, TargetLength
from media_pipeline.pipeline.types import PipelineError

from ..idempotency import idempotent
from .common import IDEMPOTENCY_KEY, get_or_404, object_url


class JobOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField(
        help_text="The state in words; 'Queued' until a worker takes the job."
    )
    active = serializers.BooleanField(source="is_active")
    failure = serializers.SerializerMethodField(help_text="Why the job failed, translated.")
    recap_id = serializers.SerializerMethodField()
    timings = serializers.DictField(
        child=serializers.FloatField(), help_text="Seconds spent in each finished stage."
    )

    class Meta:
        model = RecapJob
        ref_name = "RecapJob"
        fields = [
            "id",
            "url",
            "movie_id",
            "target",
            "language",
            "include_ending",
            "recognise_speech",
            "state",
            "state_label",
            "percent",
            "active",
            "attempts",
            "timings",
            "failure",
            "recap_id",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_url(self, job: RecapJob) -> str:
        return object_url(self, "job-detail", job.pk)

    def get_state_label(self, job: RecapJob) -> str:
        return progress.state_label(job)

    def get_failure(self, job: RecapJob) -> str | None:
        if job.state != JobState.FAILED:
            return None
        return user_message(PipelineError(job.failure_code or "unknown", job.failure_reason))

    def get_recap_id(self, job: RecapJob) -> int | None:
        recap = getattr(job, "recap", None) if job.state == JobState.DONE else None
        return recap.pk if recap else None


def jobs() -> QuerySet[RecapJob]:
    return RecapJob.objects.select_related("recap")


class MovieJobListApi(generics.ListAPIView):
    class InputSerializer(serializers.Serializer):
        target = serializers.ChoiceField(choices=TargetLength.choices, default=TargetLength.AUTO)
        language = serializers.ChoiceField(
            choices=settings.LANGUAGE_CODES,
            required=False,
            help_text="Defaults to the movie's language.",
        )
        include_ending = serializers.BooleanField(
            default=True,
            help_text="False: the recap, synopsis and chapters stop before the last act "
            "(no spoilers).",
        )
        recognise_speech = serializers.BooleanField(
            default=False,
            help_text="Transcribe the speech even when the movie has subtitles (it always is "
            "when it has none).",
        )

        class Meta:
            ref_name = "RecapJobInput"

    serializer_class = JobOutput

    def get_queryset(self) -> QuerySet[RecapJob]:
        movie = get_or_404(Movie.objects.all(), pk=self.kwargs["pk"])
        return jobs().filter(movie=movie).order_by("-created_at")

    @extend_schema(operation_id="movies_jobs_list", tags=["jobs"])
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)

    @extend_schema(
        operation_id="movies_jobs_create",
        tags=["jobs"],
        request=InputSerializer,
        responses={201: JobOutput},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent()
    def post(self, request: Request, pk: int) -> Response:
        movie = get_or_404(Movie.objects.all(), pk=pk)
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        job = services.start_recap_job(
            movie=movie,
            target=given.validated_data["target"],
            language=given.validated_data.get("language") or movie.language,
            include_ending=given.validated_data["include_ending"],
            recognise_speech=given.validated_data["recognise_speech"],
            acting_user=request.user,
        )
        return Response(JobOutput(job, context={"request": request}).data, status=201)


class JobListApi(generics.ListAPIView):
    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=JobState.choices, required=False)
        movie = serializers.IntegerField(required=False, min_value=1)

    serializer_class = JobOutput

    def get_queryset(self) -> QuerySet[RecapJob]:
        wanted = self.FilterSerializer(data=self.request.query_params)
        wanted.is_valid(raise_exception=True)
        found = jobs().order_by("-created_at")
        if "state" in wanted.validated_data:
            found = found.filter(state=wanted.validated_data["state"])
        if "movie" in wanted.validated_data:
            found = found.filter(movie_id=wanted.validated_data["movie"])
        return found

    @extend_schema(
        operation_id="jobs_list",
        tags=["jobs"],
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=JobState.values),
            OpenApiParameter("movie", OpenApiTypes.INT, description="A movie id."),
        ],
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class JobDetailApi(APIView):
    @extend_schema(operation_id="jobs_retrieve", tags=["jobs"], responses=JobOutput)
    def get(self, request: Request, pk: int) -> Response:
        job = get_or_404(jobs(), pk=pk)
        return Response(JobOutput(job, context={"request": request}).data)


class JobCancelApi(APIView):
    @extend_schema(
        operation_id="jobs_cancel", tags=["jobs"], request=None, responses={200: JobOutput}
    )
    def post(self, request: Request, pk: int) -> Response:
        job = get_or_404(jobs(), pk=pk)
        job = services.cancel_job(job=job, acting_user=request.user)
        return Response(JobOutput(job, context={"request": request}).data)


class JobRetryApi(APIView):
    @extend_schema(
        operation_id="jobs_retry",
        tags=["jobs"],
        description="Starts a new job with the options of a failed or canceled one.",
        request=None,
        responses={201: JobOutput},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent()
    def post(self, request: Request, pk: int) -> Response:
        job = get_or_404(jobs(), pk=pk)
        again = services.retry_job(job=job, acting_user=request.user)
        return Response(JobOutput(again, context={"request": request}).data, status=201)
