"""Routes of the integrator API on an organisation's site, under /api/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.middleware import open_to_visitors

from .views import billing, jobs, keys, me, movies, recaps, subtitles, tokens, uploads
from .views.webhooks import WebhookEndpointViewSet

endpoints = WebhookEndpointViewSet.as_view({"get": "list", "post": "create"})
endpoint = WebhookEndpointViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)

app_name = "api"

urlpatterns = [
    path("schema/", open_to_visitors(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        open_to_visitors(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("v1/auth/token/", tokens.TokenObtainApi.as_view(), name="token"),
    path("v1/auth/token/refresh/", tokens.TokenRefreshApi.as_view(), name="token-refresh"),
    path("v1/me/", me.MeApi.as_view(), name="me"),
    path("v1/billing/usage/", billing.UsageApi.as_view(), name="billing-usage"),
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
    path("v1/webhook-endpoints/", endpoints, name="webhook-endpoint-list"),
    path("v1/webhook-endpoints/<int:pk>/", endpoint, name="webhook-endpoint-detail"),
    path(
        "v1/webhook-endpoints/<int:pk>/test/",
        WebhookEndpointViewSet.as_view({"post": "send_test"}),
        name="webhook-endpoint-test",
    ),
    path(
        "v1/webhook-endpoints/<int:pk>/rotate-secret/",
        WebhookEndpointViewSet.as_view({"post": "rotate_secret"}),
        name="webhook-endpoint-rotate-secret",
    ),
    path(
        "v1/webhook-endpoints/<int:pk>/deliveries/",
        WebhookEndpointViewSet.as_view({"get": "deliveries"}),
        name="webhook-endpoint-deliveries",
    ),
]
