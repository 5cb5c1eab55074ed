"""An organisation's plan and usage for integrators (GET /api/v1/billing/usage/), in the same
shape as the platform API's usage of one organisation (the serializer is shared)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import quotas, selectors


class PlanLimitsOutput(serializers.Serializer):
    """Null means unlimited."""

    storage_bytes = serializers.IntegerField(allow_null=True)
    max_movie_minutes = serializers.IntegerField(allow_null=True)
    processing_seconds_per_month = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "PlanLimits"


class StorageOutput(serializers.Serializer):
    movies = serializers.IntegerField(help_text="Bytes of uploaded movies.")
    recaps = serializers.IntegerField(help_text="Bytes of recap outputs (video, images, VTT).")

    class Meta:
        ref_name = "StorageBreakdown"


class UsageOutput(serializers.Serializer):
    plan = serializers.CharField(allow_null=True)
    status = serializers.CharField(help_text="The organisation's status (past_due: unpaid).")
    currency = serializers.CharField()
    storage_bytes = serializers.IntegerField(help_text="Movies and recap outputs together.")
    storage = StorageOutput()
    processing_seconds_this_month = serializers.FloatField()
    api_calls_this_month = serializers.IntegerField(
        help_text="Counted per hour; the current hour is added within minutes."
    )
    limits = PlanLimitsOutput()

    class Meta:
        ref_name = "TenantUsage"


def usage_data(tenant: Any) -> dict[str, Any]:
    usage, limits, plan = quotas.usage_of(tenant), quotas.limits_of(tenant), quotas.plan_of(tenant)
    minutes = limits.max_movie_seconds
    return {
        "plan": plan.code if plan else None,
        "status": tenant.status,
        "currency": tenant.currency,
        "storage_bytes": usage.storage_bytes,
        "storage": selectors.storage_breakdown(tenant),
        "processing_seconds_this_month": usage.processing_seconds_this_month,
        "api_calls_this_month": usage.api_calls_this_month,
        "limits": {
            "storage_bytes": limits.storage_bytes,
            "max_movie_minutes": None if minutes is None else round(minutes / 60),
            "processing_seconds_per_month": limits.processing_seconds,
        },
    }


class UsageApi(APIView):
    @extend_schema(operation_id="billing_usage_retrieve", responses=UsageOutput, tags=["billing"])
    def get(self, request: Request) -> Response:
        return Response(UsageOutput(usage_data(connection.tenant)).data)
