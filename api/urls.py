"""Routes of the integrator API on an organisation's site, under /api/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .views import jobs, keys, me, movies, recaps, subtitles, tokens, uploads

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/auth/token/", tokens.TokenObtainApi.as_view(), name="token"),
    path("v1/auth/token/refresh/", tokens.TokenRefreshApi.as_view(), name="token-refresh"),
    path("v1/me/", me.MeApi.as_view(), name="me"),
    path("v1/movies/", movies.MovieListApi.as_view(), name="movie-list"),
    path("v1/movies/<int:pk>/", movies.MovieDetailApi.as_view(), name="movie-detail"),
    path(
        "v1/movies/<int:pk>/subtitle-tracks/",
        subtitles.SubtitleTrackListApi.as_view(),
        name="movie-subtitle-tracks",
    ),
    path("v1/movies/<int:pk>/jobs/", jobs.MovieJobListApi.as_view(), name="movie-jobs"),
    path("v1/uploads/", uploads.UploadCollectionApi.as_view(), name="upload-list"),
    path("v1/uploads/<uuid:pk>/", uploads.UploadDetailApi.as_view(), name="upload-detail"),
    path("v1/jobs/", jobs.JobListApi.as_view(), name="job-list"),
    path("v1/jobs/<int:pk>/", jobs.JobDetailApi.as_view(), name="job-detail"),
    path("v1/jobs/<int:pk>/cancel/", jobs.JobCancelApi.as_view(), name="job-cancel"),
    path("v1/jobs/<int:pk>/retry/", jobs.JobRetryApi.as_view(), name="job-retry"),
    path("v1/recaps/", recaps.RecapListApi.as_view(), name="recap-list"),
    path("v1/recaps/<int:pk>/", recaps.RecapDetailApi.as_view(), name="recap-detail"),
    path(
        "v1/recaps/<int:pk>/downloads/",
        recaps.RecapDownloadsApi.as_view(),
        name="recap-downloads",
    ),
    path("v1/files/<str:token>/", recaps.FileApi.as_view(), name="file"),
    path("v1/api-keys/", keys.ApiKeyListApi.as_view(), name="api-key-list"),
    path("v1/api-keys/<int:pk>/", keys.ApiKeyDetailApi.as_view(), name="api-key-detail"),
    path("v1/", include("webhooks.api_urls")),
]
