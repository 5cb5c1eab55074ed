"""Who may do what: members of the organisation (staff excepted), read-only keys, managers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.models import MANAGER_ROLES, Membership

from .models import ApiKey, KeyScope

if TYPE_CHECKING:
    from rest_framework.views import APIView


class TenantMember(BasePermission):
    """The API's isolation boundary, as TenantMembershipMiddleware is for pages: anonymous
    callers get 401, signed-in non-members 404 (the organisation's content is not confirmed)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            raise exceptions.NotAuthenticated()
        tenant = connection.tenant
        membership = None
        if not tenant.is_public:
            membership = Membership.objects.filter(user=user, tenant_id=tenant.pk).first()
        if membership is None and not user.is_staff:
            raise exceptions.NotFound()
        # The tus views read the membership from the Django request, as the middleware leaves it.
        request.membership = membership
        request._request.membership = membership
        return True


class ScopedKey(BasePermission):
    """A `read` key may only use safe methods."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        api_key = request.auth
        read_only = isinstance(api_key, ApiKey) and api_key.scope != KeyScope.WRITE
        if read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("This API key may only read."))
        return True


class TenantManager(BasePermission):
    """Owners and admins (and staff), signed in as themselves: API keys cannot mint keys."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if isinstance(request.auth, ApiKey):
            raise exceptions.PermissionDenied(
                _("API keys are managed by people: sign in, or use a token.")
            )
        membership = getattr(request, "membership", None)
        if request.user.is_staff or (membership is not None and membership.role in MANAGER_ROLES):
            return True
        raise exceptions.PermissionDenied(_("Only owners and admins can manage API keys."))


class PlatformStaff(BasePermission):
    """The platform API, on the product's own host: staff only."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not user.is_staff:
            raise exceptions.PermissionDenied(_("Only platform staff may use this API."))
        return True
