"""Who the caller is, for which organisation, and with which credential."""

from __future__ import annotations

from typing import Any

from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import ApiKey, KeyScope


class OrganisationOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()
    default_language = serializers.CharField()


class CurrentKeyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    scope = serializers.ChoiceField(choices=KeyScope.choices)


class MeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        full_name = serializers.CharField()
        language = serializers.CharField()
        is_staff = serializers.BooleanField()
        role = serializers.CharField(
            allow_null=True, help_text="Null for staff who are not members."
        )
        authentication = serializers.ChoiceField(choices=["api_key", "jwt", "session"])
        api_key = CurrentKeyOutput(allow_null=True)
        organisation = OrganisationOutput()

        class Meta:
            ref_name = "Me"

    @extend_schema(operation_id="me_retrieve", responses=OutputSerializer, tags=["me"])
    def get(self, request: Request) -> Response:
        return Response(describe(request))


def describe(request: Request) -> dict[str, Any]:
    """The caller, in the shape of MeApi.OutputSerializer (a test compares them), written out:
    integrations call this on every start, and the serializer's field objects cost more than
    everything else the request does."""
    user, auth = request.user, request.auth
    membership = getattr(request, "membership", None)
    key = auth if isinstance(auth, ApiKey) else None
    if key is not None:
        method = "api_key"
    elif auth is not None:
        method = "jwt"
    else:
        method = "session"
    organisation = connection.tenant
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "is_staff": user.is_staff,
        "role": membership.role if membership else None,
        "authentication": method,
        "api_key": {"id": key.pk, "name": key.name, "scope": key.scope} if key else None,
        "organisation": {
            "slug": organisation.slug,
            "name": organisation.name,
            "region": organisation.region,
            "default_language": organisation.default_language,
        },
    }
