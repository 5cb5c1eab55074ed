"""What the API adds to the access layer: a caller must be signed in, a `read` key only reads,
some actions need a person rather than a key, and the platform API is for staff.

Membership and roles are not checked here: accounts.middleware.AccessMiddleware has let only
members (and staff) through, and the services ask accounts.access for the role they need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts import access

from .models import ApiKey, KeyScope

if TYPE_CHECKING:
    from rest_framework.views import APIView


class SignedIn(BasePermission):
    """Anonymous callers get 401 with the ways to authenticate."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        return True


def reads_only(request: Request) -> bool:
    """The caller holds a `read` key: whatever its maker's role, it may neither change anything
    nor see what only those who may change it see (signing secrets)."""
    api_key = request.auth
    return isinstance(api_key, ApiKey) and api_key.scope != KeyScope.WRITE


class ScopedKey(BasePermission):
    """A `read` key may only use safe methods."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if reads_only(request) and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("This API key may only read."))
        return True


class PeopleOnly(BasePermission):
    """API keys cannot mint keys: managing them needs a person, signed in or with a token."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if isinstance(request.auth, ApiKey):
            raise exceptions.PermissionDenied(
                _("API keys are managed by people: sign in, or use a token.")
            )
        return True


class PlatformStaff(BasePermission):
    """The platform API, on the product's own host: staff only."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        access.require_staff(user=request.user, message=_("Only platform staff may use this API."))
        return True
