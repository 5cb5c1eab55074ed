"""Pages of an organisation's site: the dashboard, the movie library, job progress, recaps,
and the only way its files are served."""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from billing import quotas
from tenants.models import Tenant

from . import progress, services, share_views, sharing, subtitle_tracks
from .errors import UploadError, note_message
from .files import file_response, file_url
from .models import (
    ACTIVE_STATES,
    Movie,
    MovieStatus,
    Recap,
    RecapJob,
    SubtitleTrack,
    TargetLength,
)
from .pipeline.subtitles import MAX_BYTES as MAX_SUBTITLE_BYTES


def dashboard(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    usage = quotas.usage_of(tenant)
    # The plan and the size of the team in one question (the page's budget is eight).
    counted = (
        Tenant.objects.select_related("plan")
        .annotate(member_count=Count("memberships"))
        .get(pk=tenant.pk)
    )
    plan = counted.plan
    active_jobs = list(
        RecapJob.objects.filter(state__in=ACTIVE_STATES).select_related("movie")[:10]
    )
    for job in active_jobs:
        job.label = progress.state_label(job)  # "Queued" until a worker takes it
    recent_recaps = list(Recap.objects.select_related("movie")[:6])
    for recap in recent_recaps:
        recap.poster_url = file_url(recap.poster)
    context = {
        "movie_count": Movie.objects.count(),
        "member_count": counted.member_count,
        "active_jobs": active_jobs,
        "recent_recaps": recent_recaps,
        "plan": plan,
        "storage_used_bytes": usage.storage_bytes,
        "storage_used_gb": usage.storage_bytes / quotas.GB,
        "processing_used_hours": usage.processing_seconds_this_month / 3600,
        "api_calls": usage.api_calls_this_month,
    }
    return render(request, "media_pipeline/dashboard.html", context)


def protected_file(request: HttpRequest, name: str) -> HttpResponse:
    """Serve a file of the current organisation; the access check has already run."""
    return file_response(request, name)


# Library sort orders: value in the query string -> (label, ordering).
LIBRARY_SORTS = {
    "newest": (gettext_lazy("Newest first"), ["-created_at", "-pk"]),
    "oldest": (gettext_lazy("Oldest first"), ["created_at", "pk"]),
    "title": (gettext_lazy("Title A–Z"), [Lower("title"), "-created_at"]),
    "longest": (
        gettext_lazy("Longest first"),
        [F("duration").desc(nulls_last=True), "-created_at"],
    ),
}


def attach_posters(movies: Iterable[Movie]) -> None:
    """Give each movie the poster of its newest recap (`poster_url`, '' without one): one
    question for the whole page."""
    movies = list(movies)
    newest: dict[int, str] = {}
    rows = (
        Recap.objects.filter(movie__in=movies)
        .order_by("movie_id", "-created_at")
        .distinct("movie_id")
        .values_list("movie_id", "poster")
    )
    for movie_id, poster in rows:
        newest[movie_id] = poster
    for movie in movies:
        movie.poster_url = file_url(SimpleNamespace(name=newest.get(movie.pk, "")))


def library(request: HttpRequest) -> HttpResponse:
    movies = Movie.objects.all()
    query = request.GET.get("q", "").strip()
    if query:
        movies = movies.filter(Q(title__icontains=query))
    status = request.GET.get("status", "")
    if status in MovieStatus.values:
        movies = movies.filter(status=status)
    else:
        status = ""
    # Only languages some movie is in: an option that always finds nothing helps nobody.
    names = dict(settings.LANGUAGES)
    present = Movie.objects.order_by().values_list("language", flat=True).distinct()
    languages = sorted(((code, names.get(code, code)) for code in present), key=lambda c: str(c[1]))
    language = request.GET.get("language", "")
    if language in {code for code, _name in languages}:
        movies = movies.filter(language=language)
    else:
        language = ""
    sort = request.GET.get("sort", "")
    if sort not in LIBRARY_SORTS:
        sort = "newest"
    page = Paginator(movies.order_by(*LIBRARY_SORTS[sort][1]), 20).get_page(request.GET.get("page"))
    attach_posters(page.object_list)
    context = {
        "page": page,
        "query": query,
        "status": status,
        "statuses": MovieStatus.choices,
        "language": language,
        # Not "languages": that name is the header's list of every language of the site.
        "movie_languages": languages,
        "sort": sort,
        "sorts": [(value, label) for value, (label, _order) in LIBRARY_SORTS.items()],
        "filtered": bool(query or status or language),
    }
    return render(request, "media_pipeline/library.html", context)


def movie_detail(request: HttpRequest, pk: int) -> HttpResponse:
    movie = get_object_or_404(Movie, pk=pk)
    job = movie.latest_job
    targets = services.targets_for(movie)
    context = {
        "movie": movie,
        "job": job,
        "job_payload": progress.job_status(job, movie) if job else None,
        "recaps": movie.recaps.all(),
        "targets": targets,
        "targets_limited": len(targets) < len(TargetLength.choices),
        "subtitle_tracks": movie.subtitle_tracks.all(),
    }
    return render(request, "media_pipeline/movie.html", context)


def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The one source of a job's live state: the movie page polls it, the API reads the same."""
    job = get_object_or_404(RecapJob, pk=pk)
    return JsonResponse(progress.job_status(job))


def _act(request: HttpRequest, action: object, **kwargs: object) -> object | None:
    try:
        return action(acting_user=request.user, **kwargs)
    except (ValidationError, PermissionDenied) as exc:
        text = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return None


@require_POST
def start_recap(request: HttpRequest, pk: int) -> HttpResponse:
    movie = get_object_or_404(Movie, pk=pk)
    options = {
        "target": request.POST.get("target", TargetLength.AUTO),
        "language": request.POST.get("language") or movie.language,
        # Checkboxes say what changes from the defaults: ending kept, speech heard only when
        # the movie has no subtitles.
        "include_ending": "no_ending" not in request.POST,
        "recognise_speech": "recognise_speech" in request.POST,
    }
    # No "on its way" message: the job's card says where the recap is, and stays true.
    _act(request, services.start_recap_job, movie=movie, **options)
    return HttpResponseRedirect(reverse("movie_detail", args=[movie.pk]))


@require_POST
def cancel_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(RecapJob, pk=pk)
    if _act(request, services.cancel_job, job=job):
        messages.success(request, _("The recap was canceled."))
    return HttpResponseRedirect(reverse("movie_detail", args=[job.movie_id]))


@require_POST
def retry_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(RecapJob, pk=pk)
    if _act(request, services.retry_job, job=job):
        messages.success(request, _("The recap is being made again."))
    return HttpResponseRedirect(reverse("movie_detail", args=[job.movie_id]))


def recap_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recap = get_object_or_404(Recap.objects.select_related("movie"), pk=pk)
    urls = {field: file_url(getattr(recap, field)) for field in Recap.FILE_FIELDS}
    context = {
        "recap": recap,
        "urls": urls,
        "notes": recap_notes(recap),
        "shares": share_views.share_rows(request, recap),
        "expiry_days": [days for days in sharing.EXPIRY_DAYS if days],
    }
    return render(request, "media_pipeline/recap.html", context)


def recap_notes(recap: Recap) -> list[str]:
    """The recap's notes as sentences in the reader's language."""
    names = dict(settings.LANGUAGES)
    language = names.get(recap.text_language, recap.text_language)
    return [note_message(code, language_name=str(language)) for code in recap.notes]


@require_http_methods(["GET", "POST"])
def edit_subtitles(request: HttpRequest, pk: int, track_pk: int) -> HttpResponse:
    """Correct a subtitle track's text (a transcript's misheard names, a typo)."""
    track = get_object_or_404(
        SubtitleTrack.objects.select_related("movie"), pk=track_pk, movie_id=pk
    )
    text = request.POST.get("text", "") if request.method == "POST" else track_text(track)
    error, status = "", 200
    if request.method == "POST":
        try:
            subtitle_tracks.edit_track_text(track=track, text=text, user=request.user)
        except (UploadError, PermissionDenied) as exc:
            error = exc.message if isinstance(exc, UploadError) else str(exc)
            status = 403 if isinstance(exc, PermissionDenied) else 400
        else:
            messages.success(request, _("The subtitles are saved."))
            return HttpResponseRedirect(reverse("movie_detail", args=[pk]))
    context = {"track": track, "movie": track.movie, "text": text, "error": error}
    return render(request, "media_pipeline/subtitles_edit.html", context, status=status)


def track_text(track: SubtitleTrack) -> str:
    with track.file.open("rb") as handle:
        return handle.read(MAX_SUBTITLE_BYTES + 1).decode("utf-8", "replace")


@require_http_methods(["GET", "POST"])
def delete_movie(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first (GET: what will go, and the storage it gives back), then delete (POST)."""
    movie = get_object_or_404(Movie, pk=pk)
    if request.method == "POST":
        _act(request, services.delete_movie, movie=movie)  # a refusal becomes a message
        if not Movie.objects.filter(pk=pk).exists():
            messages.success(request, _("“%(title)s” was deleted.") % {"title": movie.title})
            return HttpResponseRedirect(reverse("library"))
        return HttpResponseRedirect(reverse("movie_detail", args=[pk]))
    recaps = list(movie.recaps.only("size_bytes"))
    context = {
        "movie": movie,
        "recap_count": len(recaps),
        "freed_bytes": movie.size_bytes + sum(recap.size_bytes for recap in recaps),
        "busy": movie.jobs.filter(state__in=ACTIVE_STATES).exists(),
    }
    return render(request, "media_pipeline/delete_movie.html", context)
