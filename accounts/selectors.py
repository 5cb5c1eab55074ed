"""Reads about people and their roles that more than one app needs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import Membership


def holds_role(*, user: Any, tenant: Any, roles: Iterable[str]) -> bool:
    """Whether `user` holds one of `roles` in `tenant`. Staff always do; strangers never."""
    if getattr(user, "is_staff", False):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user_id=user.pk, tenant_id=tenant.pk, role__in=list(roles)
    ).exists()
