"""Who is calling: an API key of this organisation, a JWT issued on this organisation, or the
browser's session. A credential of another organisation is refused, never reinterpreted here."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed as JWTAuthenticationFailed
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token

from accounts.models import Membership, User

from . import services
from .models import ApiKey

TENANT_CLAIM = "tenant"


def current_tenant_slug() -> str:
    return connection.tenant.slug


def may_use_tenant(user: User) -> bool:
    """Members of the current organisation may use its API; staff everywhere; on the product's
    own host (public), only staff."""
    if user.is_staff:
        return True
    tenant = connection.tenant
    if tenant.is_public:
        return False
    return Membership.objects.filter(user=user, tenant_id=tenant.pk).exists()


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key mr_…` (or `Bearer mr_…`); keys exist only in their tenant."""

    keywords = (b"api-key", b"bearer")

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() not in self.keywords:
            return None
        if parts[0].lower() == b"bearer" and not parts[1].startswith(b"mr_"):
            return None  # a JWT: the next class's business
        if connection.tenant.is_public:
            raise exceptions.AuthenticationFailed(
                _("API keys belong to one organisation and work only on its API.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from exc
        api_key = services.find_active_key(key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        user = User.objects.filter(pk=api_key.created_by_id, is_active=True).first()
        if user is None or not may_use_tenant(user):
            # The person who made the key left (or was deactivated): the key goes with them.
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        services.note_key_used(api_key)
        return user, api_key

    def authenticate_header(self, request: Request) -> str:
        return 'Api-Key realm="api", Bearer realm="api"'


class TenantJWTAuthentication(JWTAuthentication):
    """simplejwt accepts a token on every tenant by default; ours only where it was issued."""

    def get_validated_token(self, raw_token: bytes) -> Token:
        token = super().get_validated_token(raw_token)
        if token.get(TENANT_CLAIM) != current_tenant_slug():
            raise JWTAuthenticationFailed(
                _("This token was issued for another organisation."), code="wrong_tenant"
            )
        return token

    def get_user(self, validated_token: Token) -> User:
        user = super().get_user(validated_token)
        if not may_use_tenant(user):
            raise JWTAuthenticationFailed(
                _("This token was issued for another organisation."), code="wrong_tenant"
            )
        return user


class TenantTokenObtainSerializer(TokenObtainPairSerializer):
    """Email + password → a token pair bound to the organisation it was asked on."""

    default_error_messages = {
        "no_active_account": gettext_lazy("No active account found with the given credentials")
    }

    @classmethod
    def get_token(cls, user: User) -> RefreshToken:
        token = super().get_token(user)
        token[TENANT_CLAIM] = current_tenant_slug()
        return token

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        data = super().validate(attrs)
        if not may_use_tenant(self.user):
            # Same answer as a wrong password: membership is not confirmed to outsiders.
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        return data


class TenantTokenRefreshSerializer(TokenRefreshSerializer):
    """Refresh (and rotate) only on the organisation the token was issued for."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = self.token_class(attrs["refresh"])
        if refresh.get(TENANT_CLAIM) != current_tenant_slug():
            raise JWTAuthenticationFailed(
                _("This token was issued for another organisation."), code="wrong_tenant"
            )
        user_id = refresh.get(jwt_settings.USER_ID_CLAIM)
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None or not may_use_tenant(user):
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        return super().validate(attrs)
