"""Webhook routes of the integrator API, relative to /api/v1/."""

from django.urls import path

from .api import WebhookEndpointViewSet

endpoints = WebhookEndpointViewSet.as_view({"get": "list", "post": "create"})
endpoint = WebhookEndpointViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)

urlpatterns = [
    path("webhook-endpoints/", endpoints, name="webhook-endpoint-list"),
    path("webhook-endpoints/<int:pk>/", endpoint, name="webhook-endpoint-detail"),
    path(
        "webhook-endpoints/<int:pk>/test/",
        WebhookEndpointViewSet.as_view({"post": "send_test"}),
        name="webhook-endpoint-test",
    ),
    path(
        "webhook-endpoints/<int:pk>/rotate-secret/",
        WebhookEndpointViewSet.as_view({"post": "rotate_secret"}),
        name="webhook-endpoint-rotate-secret",
    ),
    path(
        "webhook-endpoints/<int:pk>/deliveries/",
        WebhookEndpointViewSet.as_view({"get": "deliveries"}),
        name="webhook-endpoint-deliveries",
    ),
]
