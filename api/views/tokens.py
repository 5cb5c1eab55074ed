"""JWT sign-in for integrators: email + password → a token pair bound to this organisation."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import attempts
from web.ratelimit import retry_message

from ..auth import TenantTokenObtainSerializer, TenantTokenRefreshSerializer
from ..throttling import SignInRateThrottle


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField(help_text="Valid for 5 minutes: `Authorization: Bearer …`.")
    refresh = serializers.CharField(help_text="Valid for 1 day, usable once (it rotates).")

    class Meta:
        ref_name = "TokenPair"


class TokenObtainApi(TokenObtainPairView):
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(style={"input_type": "password"})
        otp = serializers.CharField(
            required=False,
            help_text="The current code of the person's authenticator app (or a recovery "
            "code): required when the organisation demands two-factor authentication or the "
            "person has turned it on; otherwise `otp_required`, or `otp_invalid` for a wrong "
            "code.",
        )

        class Meta:
            ref_name = "TokenObtainInput"

    serializer_class = TenantTokenObtainSerializer
    open_to_visitors = True
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [SignInRateThrottle]

    @extend_schema(
        operation_id="auth_token_obtain",
        tags=["auth"],
        auth=[],
        description="Members of this organisation (and staff) get a token pair whose `tenant` "
        "claim names it; the tokens are refused on any other organisation.",
        request=InputSerializer,
        responses={200: TokenPairOutput},
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        # Wrong passwords count per account and per address, as on the sign-in form.
        email = request.data.get("email", "") if hasattr(request.data, "get") else ""
        email = email[:254] if isinstance(email, str) else ""
        decision = attempts.check(request._request, email=email)
        if not decision.allowed:
            raise exceptions.Throttled(decision.retry_after, retry_message(decision.retry_after))
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.AuthenticationFailed:
            attempts.note_attempt(request._request, email=email)
            raise


class TokenRefreshApi(TokenRefreshView):
    class InputSerializer(serializers.Serializer):
        refresh = serializers.CharField()

        class Meta:
            ref_name = "TokenRefreshInput"

    serializer_class = TenantTokenRefreshSerializer
    open_to_visitors = True
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [SignInRateThrottle]

    @extend_schema(
        operation_id="auth_token_refresh",
        tags=["auth"],
        auth=[],
        description="Trades a refresh token for a new pair; the old refresh token is "
        "blacklisted, so each one works once.",
        request=InputSerializer,
        responses={200: TokenPairOutput},
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().post(request, *args, **kwargs)
