"""Who may do what in an organisation: the one place that reads memberships and roles.

Every service that reads or writes an organisation's data asks here (`require_role`), and the
access middleware asks here once per request to put `request.membership` on pages and API
calls alike. Staff may act everywhere; people outside the organisation never.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import ANY_ROLE, MANAGER_ROLES, OWNER_ROLES, WRITER_ROLES, Membership

__all__ = [
    "ANY_ROLE", "MANAGER_ROLES", "OWNER_ROLES", "WRITER_ROLES",
    "forget", "holds_role", "membership_of", "remember", "require_role", "require_staff",
]  # fmt: skip

# Memberships a request has already read, on the user object it carries (see `remember`).
_CACHE = "_memberships_by_tenant"


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False) and getattr(user, "is_active", True))


def membership_of(*, user: Any, tenant: Any) -> Membership | None:
    """The membership of `user` in `tenant`, or None (strangers, anonymous, the public site)."""
    if not getattr(user, "is_authenticated", False) or getattr(tenant, "is_public", False):
        return None
    remembered = getattr(user, _CACHE, None)
    if remembered is not None and tenant.pk in remembered:
        return remembered[tenant.pk]
    return Membership.objects.filter(user_id=user.pk, tenant_id=tenant.pk).first()


def remember(*, user: Any, tenant: Any, membership: Membership | None) -> None:
    """Keep what the access middleware read for the rest of the request, so the services the
    view calls ask the database no second time. Only request-scoped user objects carry it."""
    remembered = getattr(user, _CACHE, None)
    if remembered is None:
        remembered = {}
        setattr(user, _CACHE, remembered)
    remembered[tenant.pk] = membership


def forget(user: Any) -> None:
    """After a change to `user`'s own memberships in this request (leaving, a new role)."""
    if getattr(user, _CACHE, None) is not None:
        setattr(user, _CACHE, {})


def holds_role(*, user: Any, tenant: Any, roles: Iterable[str]) -> bool:
    """Whether `user` holds one of `roles` in `tenant`. Staff always do; strangers never."""
    if is_staff(user):
        return True
    membership = membership_of(user=user, tenant=tenant)
    return membership is not None and membership.role in frozenset(roles)


def require_role(
    *, user: Any, tenant: Any, roles: Iterable[str], message: str | None = None
) -> Membership | None:
    """The caller's membership if it holds one of `roles` (None for staff who are not members);
    PermissionDenied with `message` (or a generic sentence) otherwise."""
    membership = membership_of(user=user, tenant=tenant)
    if is_staff(user):
        return membership
    if membership is None or membership.role not in frozenset(roles):
        raise PermissionDenied(message or _("You are not allowed to do that."))
    return membership


def require_staff(*, user: Any, message: str | None = None) -> None:
    """Platform operations (the platform API and admin) are for staff only."""
    if not is_staff(user):
        raise PermissionDenied(message or _("Only platform staff may do that."))
