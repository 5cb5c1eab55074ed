"""The integrator API for webhooks: endpoints (CRUD, test event, secret rotation), deliveries.

Members read; the webhooks services let only owners and admins (and staff) write. Views stay
thin: validate, call a service, serialize; refusals become problem details in one place.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from webhooks import services
from webhooks.models import SUBSCRIBABLE_EVENTS, WebhookDelivery, WebhookEndpoint

from ..idempotency import idempotent
from ..permissions import reads_only
from .common import IDEMPOTENCY_KEY

TAG = "webhooks"
EVENT_CHOICES = [(event.value, event.label) for event in SUBSCRIBABLE_EVENTS]


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES))
    secret = serializers.SerializerMethodField(
        help_text="The signing secret; shown to owners and admins only, never to a read-scope "
        "key (null for others)."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "url", "description", "events", "is_active", "disabled_reason", "disabled_at",
            "consecutive_failures", "secret", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_secret(self, obj: WebhookEndpoint) -> str | None:
        return obj.secret if self.context.get("can_manage") else None


class WebhookEndpointCreateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES), allow_empty=False
    )


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES), allow_empty=False, required=False
    )
    is_active = serializers.BooleanField(
        required=False, help_text="Set to true to turn a disabled endpoint back on."
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "event", "event_id", "status", "attempts", "response_status", "response_body",
            "error", "duration_ms", "next_attempt_at", "created_at", "delivered_at", "payload",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="List webhook endpoints",
        responses=WebhookEndpointSerializer(many=True),
    ),
    retrieve=extend_schema(
        tags=[TAG], summary="Get a webhook endpoint", responses=WebhookEndpointSerializer
    ),
    create=extend_schema(
        tags=[TAG],
        summary="Create a webhook endpoint",
        description="The URL must be https and reach a public address. The response carries "
        "the generated signing secret.",
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointSerializer},
        parameters=[IDEMPOTENCY_KEY],
    ),
    partial_update=extend_schema(
        tags=[TAG],
        summary="Change a webhook endpoint",
        description="Setting `is_active` to true turns a disabled endpoint back on.",
        request=WebhookEndpointUpdateSerializer,
        responses=WebhookEndpointSerializer,
    ),
    update=extend_schema(
        tags=[TAG],
        summary="Replace a webhook endpoint's settings",
        request=WebhookEndpointCreateSerializer,
        responses=WebhookEndpointSerializer,
    ),
    destroy=extend_schema(
        tags=[TAG],
        summary="Delete a webhook endpoint",
        responses={204: OpenApiResponse(description="Deleted, with its deliveries.")},
    ),
)
class WebhookEndpointViewSet(viewsets.GenericViewSet):
    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.all()

    def get_serializer_context(self) -> dict[str, Any]:
        user = getattr(self.request, "user", None)
        # The credential's own scope first: a read key of an owner must not carry the secret.
        can_manage = bool(
            user is not None and not reads_only(self.request) and services.can_manage_webhooks(user)
        )
        return {**super().get_serializer_context(), "can_manage": can_manage}

    def _endpoint(self, pk: int) -> WebhookEndpoint:
        return get_object_or_404(WebhookEndpoint, pk=pk)

    def _output(self, endpoint: WebhookEndpoint, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(endpoint).data, status=code)

    def list(self, request: Request) -> Response:
        queryset = WebhookEndpoint.objects.order_by("-created_at", "-pk")
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(queryset, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self._output(self._endpoint(pk))

    @idempotent(redact=("secret",))
    def create(self, request: Request) -> Response:
        data = self._validated(WebhookEndpointCreateSerializer, request.data)
        endpoint = services.create_endpoint(acting_user=request.user, **data)
        return self._output(endpoint, status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int) -> Response:
        data = self._validated(WebhookEndpointCreateSerializer, request.data)
        data.setdefault("description", "")
        return self._change(pk, data)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self._change(pk, self._validated(WebhookEndpointUpdateSerializer, request.data))

    def _change(self, pk: int, data: dict[str, Any]) -> Response:
        endpoint = self._endpoint(pk)
        endpoint = services.update_endpoint(
            endpoint=endpoint, acting_user=self.request.user, **data
        )
        return self._output(endpoint)

    def destroy(self, request: Request, pk: int) -> Response:
        endpoint = self._endpoint(pk)
        services.delete_endpoint(endpoint=endpoint, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=[TAG],
        summary="Send a test event",
        description="Queues a `webhook.test` event to this endpoint only.",
        operation_id="webhook_endpoints_test",
        request=None,
        responses={202: WebhookDeliverySerializer},
    )
    def send_test(self, request: Request, pk: int) -> Response:
        endpoint = self._endpoint(pk)
        delivery = services.send_test_event(endpoint=endpoint, acting_user=request.user)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        tags=[TAG],
        summary="Rotate the signing secret",
        description="A new secret signs from now on; the previous one also signs (a second "
        "`v1` in `Webhook-Signature`) for 24 hours.",
        operation_id="webhook_endpoints_rotate_secret",
        request=None,
        responses=WebhookEndpointSerializer,
    )
    def rotate_secret(self, request: Request, pk: int) -> Response:
        endpoint = self._endpoint(pk)
        endpoint = services.rotate_secret(endpoint=endpoint, acting_user=request.user)
        return self._output(endpoint)

    @extend_schema(
        tags=[TAG],
        summary="List an endpoint's deliveries",
        description="Newest first, with the outcome of the latest attempt of each.",
        operation_id="webhook_endpoints_deliveries_list",
        responses=WebhookDeliverySerializer(many=True),
    )
    def deliveries(self, request: Request, pk: int) -> Response:
        endpoint = self._endpoint(pk)
        queryset = endpoint.deliveries.order_by("-created_at", "-pk")
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
        return Response(WebhookDeliverySerializer(queryset[:100], many=True).data)

    @staticmethod
    def _validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
