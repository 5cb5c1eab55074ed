"""API keys of the organisation, managed by its owners and admins: list, create, revoke."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..idempotency import idempotent
from ..models import ApiKey, KeyScope
from ..permissions import PeopleOnly, ScopedKey, SignedIn
from .common import IDEMPOTENCY_KEY, get_or_404

# Keys are managed by people (never by a key); the services let only owners and admins in.
MANAGERS = [SignedIn, ScopedKey, PeopleOnly]


class ApiKeyOutput(serializers.ModelSerializer):
    prefix = serializers.SerializerMethodField(help_text="How the key starts, to recognise it.")
    created_by = serializers.IntegerField(source="created_by_id")
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = ApiKey
        ref_name = "ApiKey"
        fields = [
            "id",
            "name",
            "prefix",
            "scope",
            "active",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]

    def get_prefix(self, api_key: ApiKey) -> str:
        return f"{services.KEY_PREFIX}{api_key.prefix}_"


class CreatedApiKeyOutput(ApiKeyOutput):
    key = serializers.CharField(
        allow_null=True,
        help_text="The whole key. It is shown this once and never stored; an idempotent "
        "replay of the creation answers null here.",
    )

    class Meta(ApiKeyOutput.Meta):
        ref_name = "CreatedApiKey"
        fields = [*ApiKeyOutput.Meta.fields, "key"]


class ApiKeyListApi(generics.ListAPIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        scope = serializers.ChoiceField(choices=KeyScope.choices)

        class Meta:
            ref_name = "ApiKeyInput"

    permission_classes = MANAGERS
    serializer_class = ApiKeyOutput

    def get_queryset(self) -> QuerySet[ApiKey]:
        return services.api_keys(acting_user=self.request.user)

    @extend_schema(operation_id="api_keys_list", tags=["api keys"])
    def get(self, request: Request) -> Response:
        return super().get(request)

    @extend_schema(
        operation_id="api_keys_create",
        tags=["api keys"],
        request=InputSerializer,
        responses={201: CreatedApiKeyOutput},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent(redact=("key",))
    def post(self, request: Request) -> Response:
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        issued = services.create_api_key(**given.validated_data, acting_user=request.user)
        data = {**ApiKeyOutput(issued.api_key).data, "key": issued.key}
        return Response(data, status=201)


class ApiKeyDetailApi(APIView):
    permission_classes = MANAGERS

    @extend_schema(operation_id="api_keys_retrieve", tags=["api keys"], responses=ApiKeyOutput)
    def get(self, request: Request, pk: int) -> Response:
        keys = services.api_keys(acting_user=request.user)
        return Response(ApiKeyOutput(get_or_404(keys, pk=pk)).data)

    @extend_schema(
        operation_id="api_keys_revoke",
        tags=["api keys"],
        description="Revokes the key at once; it stays listed, with `revoked_at`.",
        responses={204: None},
    )
    def delete(self, request: Request, pk: int) -> Response:
        keys = services.api_keys(acting_user=request.user)
        services.revoke_api_key(api_key=get_or_404(keys, pk=pk), acting_user=request.user)
        return Response(status=204)
