"""Who is calling the API: an API key of this organisation, a JWT issued on this organisation,
or the browser's session. A credential of another organisation is refused, never reinterpreted.

api.middleware.ApiCredentialMiddleware reads the credential once (`caller_from_header`), before
the access check of accounts.middleware, so the membership rule is applied to API calls exactly
as to pages; DRF's `CallerAuthentication` then hands that caller to the views.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication, get_authorization_header
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed as JWTAuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenBackendError
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenObtainSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.tokens import RefreshToken, Token

from accounts import access, two_factor
from accounts.models import User
from web import cache as shared

from . import services, token_families
from .models import ApiKey

TENANT_CLAIM = "tenant"
# Set on tokens whose request carried a valid two-factor code (decision 0022).
OTP_CLAIM = "otp"
WWW_AUTHENTICATE = 'Api-Key realm="api", Bearer realm="api"'


def current_tenant_slug() -> str:
    return connection.tenant.slug


def may_use_tenant(user: User) -> bool:
    """Members of the current organisation may use its API; staff everywhere; on the product's
    own host (public), only staff. The membership read is kept for the access check."""
    tenant = connection.tenant
    membership = access.membership_of(user=user, tenant=tenant)
    if not tenant.is_public:
        access.remember(user=user, tenant=tenant, membership=membership)
    return access.is_staff(user) or membership is not None


class OtpRefused(exceptions.APIException):
    """A credential that lacks the second factor the organisation (or the person) demands."""

    status_code = 401


def otp_refusal(code: str, detail: str) -> OtpRefused:
    return OtpRefused(detail, code)


def key_refusal_for_policy() -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(
        _(
            "This organisation requires two-factor authentication, and the person who made "
            "this API key has not turned it on. The key works again once they do."
        ),
        "otp_required",
    )


def api_key_caller(raw: bytes) -> tuple[User, ApiKey]:
    """`Authorization: Api-Key mr_…` (or `Bearer mr_…`); keys exist only in their tenant."""
    tenant = connection.tenant
    if tenant.is_public:
        raise exceptions.AuthenticationFailed(
            _("API keys belong to one organisation and work only on its API.")
        )
    try:
        key = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from exc
    # Unknown, revoked, or its maker left (or was deactivated): the key goes with them.
    found = services.active_key_and_caller(key, tenant=tenant)
    if found is None:
        raise exceptions.AuthenticationFailed(_("This API key is not valid."))
    api_key, caller = found
    # A key acts for its maker: under a policy demanding two-factor sign-in, only while they
    # have it on (read from the cached caller; the policy only when they do not).
    if not caller.two_factor and access.requires_two_factor(tenant):
        raise key_refusal_for_policy()
    access.remember(user=caller.user, tenant=tenant, membership=caller.membership)
    services.note_key_used(api_key)
    return caller.user, api_key


class TenantJWTAuthentication(JWTAuthentication):
    """simplejwt accepts a token on every tenant by default; ours only where it was issued."""

    def get_validated_token(self, raw_token: bytes) -> Token:
        token = super().get_validated_token(raw_token)
        if token.get(TENANT_CLAIM) != current_tenant_slug():
            raise JWTAuthenticationFailed(
                _("This token was issued for another organisation."), code="wrong_tenant"
            )
        if not token.get(OTP_CLAIM) and access.requires_two_factor(connection.tenant):
            raise JWTAuthenticationFailed(
                _(
                    "This organisation requires two-factor authentication: get a new token "
                    "with your authenticator code."
                ),
                code="otp_required",
            )
        return token

    def get_user(self, validated_token: Token) -> User:
        tenant = connection.tenant
        user_id = validated_token.get(jwt_settings.USER_ID_CLAIM)
        # Revocation by password change needs the password hash, which the cache never holds.
        if user_id is not None and not jwt_settings.CHECK_REVOKE_TOKEN:
            caller = access.caller_of(user_id=user_id, tenant=tenant)
            if caller is not None:
                access.remember(user=caller.user, tenant=tenant, membership=caller.membership)
                return caller.user
        # Refused (or checked in full): simplejwt says why (no such person, inactive), or we do.
        user = super().get_user(validated_token)
        if not may_use_tenant(user):
            raise JWTAuthenticationFailed(
                _("This token was issued for another organisation."), code="wrong_tenant"
            )
        return user


@shared.prefetched_by
def _key_entries(request: HttpRequest) -> tuple[str, ...]:
    """The cached key and caller an `Api-Key` header will read (web.cache.prefetching)."""
    parts = get_authorization_header(request).split()
    if len(parts) != 2 or not parts[1].startswith(services.KEY_PREFIX.encode()):
        return ()
    if parts[0].lower() not in (b"api-key", b"bearer"):
        return ()
    try:
        return (services.key_entry(parts[1].decode("ascii")),)
    except UnicodeDecodeError:
        return ()


def caller_from_header(request: HttpRequest) -> tuple[User, ApiKey | Token] | None:
    """The caller named by the Authorization header, None without one; AuthenticationFailed
    for a credential that is not valid here."""
    parts = get_authorization_header(request).split()
    if len(parts) != 2:
        return None
    keyword, raw = parts[0].lower(), parts[1]
    if keyword == b"api-key" or (keyword == b"bearer" and raw.startswith(b"mr_")):
        return api_key_caller(raw)
    if keyword == b"bearer":
        jwt = TenantJWTAuthentication()
        token = jwt.get_validated_token(raw)
        return jwt.get_user(token), token
    return None


class CallerAuthentication(SessionAuthentication):
    """The caller ApiCredentialMiddleware found; without a credential header, the session (with
    its CSRF check, as DRF's own session authentication does)."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        credential = getattr(request._request, "api_auth", None)
        if credential is not None:
            return request._request.user, credential
        return super().authenticate(request)

    def authenticate_header(self, request: Request) -> str:
        return WWW_AUTHENTICATE


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["otp"] = serializers.CharField(required=False, allow_blank=True, max_length=32)

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        code = attrs.pop("otp", "") or ""
        # The password first (simplejwt sets self.user), then membership, then the second
        # factor: outsiders learn nothing about either.
        TokenObtainSerializer.validate(self, attrs)
        if not may_use_tenant(self.user):
            # Same answer as a wrong password: membership is not confirmed to outsiders.
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        verified = self.check_second_factor(self.user, code)
        refresh = self.get_token(self.user)
        if verified:
            refresh[OTP_CLAIM] = True  # copied into the access token, and kept on rotation
        token_families.start_family(refresh, user=self.user, tenant_slug=current_tenant_slug())
        if jwt_settings.UPDATE_LAST_LOGIN:
            update_last_login(None, self.user)
        return {"refresh": str(refresh), "access": str(refresh.access_token)}

    def check_second_factor(self, user: User, code: str) -> bool:
        """Whether a right code came; the organisation's policy, or the person's own choice,
        may demand one (OtpRefused, or Throttled after too many wrong codes)."""
        has_device = two_factor.has_two_factor(user)
        if not has_device and not access.requires_two_factor(connection.tenant):
            return False
        if not has_device:
            raise otp_refusal(
                "otp_required",
                _(
                    "This organisation requires two-factor authentication: turn it on in your "
                    "account's security page first."
                ),
            )
        if not code:
            raise otp_refusal(
                "otp_required",
                _("Send the current code of your authenticator app in `otp`."),
            )
        try:
            two_factor.verify(user=user, code=code)
        except DjangoValidationError as exc:
            if exc.code == "otp_locked":
                raise exceptions.Throttled(detail=exc.messages[0], code="otp_locked") from exc
            raise otp_refusal("otp_invalid", _("That two-factor code is not right.")) from exc
        return True


class TenantTokenRefreshSerializer(TokenRefreshSerializer):
    """Refresh (and rotate) only on the organisation the token was issued for."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        # Signature, expiry and type only: a rotated (blacklisted) token must still reach the
        # family check, which ends the family it was replayed from.
        try:
            payload = token_backend.decode(attrs["refresh"], verify=True)
        except TokenBackendError as exc:
            raise InvalidToken() from exc
        if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh":
            raise InvalidToken()
        if payload.get(TENANT_CLAIM) != current_tenant_slug():
            raise JWTAuthenticationFailed(
                _("This token was issued for another organisation."), code="wrong_tenant"
            )
        user_id = payload.get(jwt_settings.USER_ID_CLAIM)
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None or not may_use_tenant(user):
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        if not payload.get(OTP_CLAIM) and access.requires_two_factor(connection.tenant):
            raise otp_refusal(
                "otp_required",
                _(
                    "This organisation requires two-factor authentication: get a new token "
                    "with your authenticator code."
                ),
            )
        return token_families.rotate(attrs["refresh"], payload, user=user)
