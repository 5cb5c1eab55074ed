"""The platform API for staff, on the product's own host: organisations, their usage, security
policy and status. Thin views over tenants.services; API keys never work here (they belong to
one organisation), staff sign in with a session or a JWT issued on the main host."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import services as billing_services
from billing.currencies import CURRENCIES
from billing.models import Plan
from tenants import security, services, suspension
from tenants.models import Region, Tenant, TenantSecurityPolicy, TenantStatus
from web.client import client_place

from ..permissions import PlatformStaff
from .billing import UsageOutput, usage_data


def tenants() -> QuerySet[Tenant]:
    return (
        Tenant.objects.exclude(schema_name=get_public_schema_name())
        .select_related("plan", "security_policy")
        .prefetch_related("domains")
        .order_by("pk")
    )


def tenant_or_404(pk: int) -> Tenant:
    tenant = tenants().filter(pk=pk).first()
    if tenant is None:
        raise NotFound()
    return tenant


def policy_of(tenant: Tenant) -> TenantSecurityPolicy:
    policy = getattr(tenant, "security_policy", None)
    return policy or TenantSecurityPolicy(tenant=tenant)


class SecurityPolicyOutput(serializers.Serializer):
    allowed_countries = serializers.ListField(child=serializers.CharField())
    blocked_countries = serializers.ListField(child=serializers.CharField())
    allowed_ips = serializers.ListField(child=serializers.CharField())
    blocked_ips = serializers.ListField(child=serializers.CharField())
    require_2fa = serializers.BooleanField()
    session_timeout_minutes = serializers.IntegerField()

    class Meta:
        ref_name = "SecurityPolicy"


class TenantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="slug", help_text="The address: <name>.BASE_DOMAIN.")
    display_name = serializers.CharField(source="name")
    schema_name = serializers.CharField()
    status = serializers.ChoiceField(choices=TenantStatus.choices)
    region = serializers.ChoiceField(choices=Region.choices)
    plan = serializers.CharField(source="plan.code", allow_null=True, default=None)
    billing_plan = serializers.CharField(source="plan.code", allow_null=True, default=None)
    currency = serializers.CharField()
    default_language = serializers.CharField()
    domains = serializers.SerializerMethodField()
    security = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "PlatformTenant"

    def get_domains(self, tenant: Tenant) -> list[str]:
        return [domain.domain for domain in tenant.domains.all()]

    @extend_schema_field(SecurityPolicyOutput)
    def get_security(self, tenant: Tenant) -> dict:
        return SecurityPolicyOutput(policy_of(tenant)).data


class TenantListApi(generics.ListAPIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=40, help_text="The address: <name>.BASE_DOMAIN.")
        display_name = serializers.CharField(max_length=120)
        billing_plan = serializers.SlugRelatedField(
            slug_field="code", queryset=Plan.objects.all(), required=False
        )
        plan = serializers.SlugRelatedField(
            slug_field="code",
            queryset=Plan.objects.all(),
            required=False,
            help_text="Older name of billing_plan.",
        )
        currency = serializers.ChoiceField(choices=CURRENCIES, required=False)
        region = serializers.ChoiceField(choices=Region.choices, default=Region.EU_WEST_1)
        default_language = serializers.ChoiceField(choices=settings.LANGUAGE_CODES, default="en")

        class Meta:
            ref_name = "PlatformTenantInput"

    permission_classes = [PlatformStaff]
    serializer_class = TenantOutput

    def get_queryset(self) -> QuerySet[Tenant]:
        return tenants()

    @extend_schema(operation_id="platform_tenants_list", tags=["platform"])
    def get(self, request: Request) -> Response:
        return super().get(request)

    @extend_schema(
        operation_id="platform_tenants_create",
        tags=["platform"],
        request=InputSerializer,
        responses={201: TenantOutput},
    )
    def post(self, request: Request) -> Response:
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            tenant = services.create_tenant(
                slug=data["name"],
                name=data["display_name"],
                region=data["region"],
                default_language=data["default_language"],
                plan=data.get("billing_plan") or data.get("plan"),
                currency=data.get("currency"),
                acting_user=request.user,
            )
        except DjangoValidationError as exc:
            raise ValidationError({"name": exc.messages}) from exc
        return Response(TenantOutput(tenant_or_404(tenant.pk)).data, status=201)


class TenantDetailApi(APIView):
    permission_classes = [PlatformStaff]

    @extend_schema(
        operation_id="platform_tenants_retrieve", tags=["platform"], responses=TenantOutput
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(TenantOutput(tenant_or_404(pk)).data)


class TenantUsageApi(APIView):
    permission_classes = [PlatformStaff]

    @extend_schema(operation_id="platform_tenants_usage", tags=["platform"], responses=UsageOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(UsageOutput(usage_data(tenant_or_404(pk))).data)


class TenantPlanApi(APIView):
    """Put an organisation on a plan (and, for a plan sold on a quote, its agreed limits);
    audited. A plan smaller than the organisation's current usage is refused."""

    class InputSerializer(serializers.Serializer):
        billing_plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.all())
        storage_gb = serializers.IntegerField(min_value=1, required=False, allow_null=True)
        processing_hours_per_month = serializers.IntegerField(
            min_value=1, required=False, allow_null=True
        )
        max_movie_minutes = serializers.IntegerField(min_value=1, required=False, allow_null=True)

        class Meta:
            ref_name = "PlatformPlanInput"

    permission_classes = [PlatformStaff]

    @extend_schema(
        operation_id="platform_tenants_plan_update",
        tags=["platform"],
        request=InputSerializer,
        responses=TenantOutput,
    )
    def put(self, request: Request, pk: int) -> Response:
        tenant = tenant_or_404(pk)
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        limits = None
        if data["billing_plan"].contact_sales:
            limits = {
                "custom_storage_gb": data.get("storage_gb"),
                "custom_processing_hours": data.get("processing_hours_per_month"),
                "custom_max_movie_minutes": data.get("max_movie_minutes"),
            }
        try:
            billing_services.set_plan(
                tenant=tenant,
                plan=data["billing_plan"],
                acting_user=request.user,
                custom_limits=limits,
            )
        except DjangoValidationError as exc:
            raise ValidationError({"billing_plan": exc.messages}) from exc
        return Response(TenantOutput(tenant_or_404(pk)).data)


class TenantSecurityApi(APIView):
    """An organisation's security policy. PUT and PATCH both change the fields the body gives
    and keep the others (decision 0021), so a body such as
    `{"allowed_countries": ["US", "CA", "MX"], "require_2fa": true}` works with either."""

    class InputSerializer(serializers.Serializer):
        allowed_countries = serializers.ListField(
            child=serializers.CharField(max_length=8),
            required=False,
            help_text="ISO 3166-1 alpha-2 codes; empty: any country.",
        )
        blocked_countries = serializers.ListField(
            child=serializers.CharField(max_length=8), required=False
        )
        allowed_ips = serializers.ListField(
            child=serializers.CharField(max_length=64),
            required=False,
            help_text="CIDR networks, IPv4 or IPv6; empty: any address.",
        )
        blocked_ips = serializers.ListField(
            child=serializers.CharField(max_length=64), required=False
        )
        require_2fa = serializers.BooleanField(required=False)
        session_timeout_minutes = serializers.IntegerField(required=False)

        class Meta:
            ref_name = "SecurityPolicyInput"

    permission_classes = [PlatformStaff]

    @extend_schema(
        operation_id="platform_tenants_security_retrieve",
        tags=["platform"],
        responses=SecurityPolicyOutput,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(SecurityPolicyOutput(policy_of(tenant_or_404(pk))).data)

    @extend_schema(
        operation_id="platform_tenants_security_update",
        tags=["platform"],
        request=InputSerializer,
        responses=SecurityPolicyOutput,
    )
    def put(self, request: Request, pk: int) -> Response:
        return self._change(request, pk)

    @extend_schema(
        operation_id="platform_tenants_security_partial_update",
        tags=["platform"],
        request=InputSerializer,
        responses=SecurityPolicyOutput,
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._change(request, pk)

    def _change(self, request: Request, pk: int) -> Response:
        tenant = tenant_or_404(pk)
        if not isinstance(request.data, dict) or not request.data:
            raise ValidationError(
                {"non_field_errors": [_("Give at least one setting of the policy to change.")]}
            )
        unknown = sorted(set(request.data) - set(security.FIELDS))
        if unknown:
            raise ValidationError({name: [_("This setting does not exist.")] for name in unknown})
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            policy = security.set_security_policy(
                tenant=tenant,
                changes=given.validated_data,
                acting_user=request.user,
                editor_place=client_place(request),
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(SecurityPolicyOutput(policy).data)


class StatusChangeInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=suspension.REASON_MAX_LENGTH,
        help_text="Why: the organisation's owners receive it by email, and a suspended "
        "organisation's site shows it.",
    )


class _StatusChange(APIView):
    """Suspend or reactivate through the same service as the admin: a reason is required, the
    change is audited and the owners are emailed."""

    permission_classes = [PlatformStaff]
    change = staticmethod(suspension.reactivate_tenant)

    def post(self, request: Request, pk: int) -> Response:
        tenant = tenant_or_404(pk)
        given = StatusChangeInput(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            self.change(
                tenant=tenant, reason=given.validated_data["reason"], acting_user=request.user
            )
        except DjangoValidationError as exc:
            raise ValidationError({"reason": exc.messages}) from exc
        return Response(TenantOutput(tenant_or_404(tenant.pk)).data)


class TenantSuspendApi(_StatusChange):
    change = staticmethod(suspension.suspend_tenant)

    @extend_schema(
        operation_id="platform_tenants_suspend",
        tags=["platform"],
        request=StatusChangeInput,
        responses=TenantOutput,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class TenantReactivateApi(_StatusChange):
    change = staticmethod(suspension.reactivate_tenant)

    @extend_schema(
        operation_id="platform_tenants_reactivate",
        tags=["platform"],
        request=StatusChangeInput,
        responses=TenantOutput,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)
