"""Writes on API keys: create (the key is returned once), revoke, and note their use."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import User
from compliance.services import record_event

from .models import ApiKey, KeyScope

KEY_PREFIX = "mr_"
# last_used_at is a hint for people reviewing their keys, not an access log: one write a minute.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    # The only moment the full key exists outside the client: it is not stored.
    key: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def require_manager(*, user: User) -> None:
    """Owners and admins of the current organisation (and staff) manage its API keys."""
    access.require_role(
        user=user,
        tenant=connection.tenant,
        roles=access.MANAGER_ROLES,
        message=_("Only owners and admins can manage API keys."),
    )


def api_keys(*, acting_user: User) -> QuerySet[ApiKey]:
    """The organisation's keys, newest first: owners and admins (and staff) only."""
    require_manager(user=acting_user)
    return ApiKey.objects.order_by("-created_at")


def create_api_key(*, name: str, scope: str, acting_user: User) -> IssuedKey:
    require_manager(user=acting_user)
    if scope not in KeyScope.values:
        raise ValidationError(_("Choose a valid scope."), code="invalid_scope")
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the key a name."), code="blank")
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            name=name[:100],
            prefix=prefix,
            hashed_key=hash_key(key),
            scope=scope,
            created_by=acting_user,
        )
        record_event(
            action="api_key.created",
            actor=acting_user,
            tenant=connection.tenant,
            target=f"api_key:{api_key.pk}",
            data={"name": api_key.name, "scope": scope, "prefix": prefix},
        )
    return IssuedKey(api_key=api_key, key=key)


def revoke_api_key(*, api_key: ApiKey, acting_user: User) -> ApiKey:
    require_manager(user=acting_user)
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            record_event(
                action="api_key.revoked",
                actor=acting_user,
                tenant=connection.tenant,
                target=f"api_key:{locked.pk}",
                data={"name": locked.name, "prefix": locked.prefix},
            )
    return locked


def find_active_key(key: str) -> ApiKey | None:
    """The unrevoked key of the current organisation matching `key`, or None."""
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, _sep, secret = key[len(KEY_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    api_key = ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if api_key is None or not hmac.compare_digest(api_key.hashed_key, hash_key(key)):
        return None
    return api_key


def note_key_used(api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional, so concurrent requests write at most once per minute between them.
    ApiKey.objects.filter(pk=api_key.pk).exclude(
        last_used_at__gte=now - LAST_USED_RESOLUTION
    ).update(last_used_at=now)
    api_key.last_used_at = now
