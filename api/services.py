"""Writes on API keys: create (the key is returned once), revoke, and note their use; the
cache of active keys by hash, which every save or delete of a key forgets."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists

from accounts import access
from accounts.models import Membership, User
from compliance.services import record_event
from web import cache as shared
from web.errors import OUTAGES

from .models import ApiKey, KeyScope

log = logging.getLogger(__name__)

KEY_PREFIX = "mr_"
# last_used_at is a hint for people reviewing their keys, not an access log: one write a minute.
LAST_USED_RESOLUTION = timedelta(minutes=1)
RECORD_KEY_USE = "api.tasks.record_key_use"


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


def _key_entry(hashed: str) -> str:
    # Named by the key's SHA-256, never by the key; the key function adds the schema.
    return f"api:key:{hashed}"


def key_entry(key: str) -> str:
    """The cache entry of `key` and its caller."""
    return _key_entry(hash_key(key))


def active_key_and_caller(key: str, *, tenant: Any) -> tuple[ApiKey, access.Caller] | None:
    """The unrevoked key of the current organisation matching `key`, with the person who made
    it while they may act on the organisation; None otherwise. One cache entry holds both:
    every change to the key, the membership or the person forgets it."""
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, _sep, secret = key[len(KEY_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    hashed = hash_key(key)
    entry = shared.read(_key_entry(hashed))
    if entry is shared.MISS:
        api_key = ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
        if api_key is None or not hmac.compare_digest(api_key.hashed_key, hashed):
            return None
        caller = access.caller_of(user_id=api_key.created_by_id, tenant=tenant)
        if caller is None:
            return None
        entry = (api_key, caller)
        # Staff outside the organisation are read every time: no membership change reaches them.
        if caller.membership is not None:
            shared.fill(_key_entry(hashed), entry, settings.AUTH_CACHE_SECONDS)
    return entry


def forget_keys_of(*, user_id: int, schema_name: str) -> None:
    """After a change to the person who made keys in this organisation (role, removal, …)."""
    if not schema_exists(schema_name):
        return  # the organisation is being deleted, its keys with it
    with schema_context(schema_name):
        hashed = list(
            ApiKey.objects.filter(created_by_id=user_id).values_list("hashed_key", flat=True)
        )
    shared.forget([_key_entry(value) for value in hashed], schema=schema_name)


# Model signal receivers (connected in ApiConfig.ready()).
def key_changed(sender: type, instance: ApiKey, **kwargs: Any) -> None:
    if not kwargs.get("created"):  # a new key cannot be cached yet
        shared.forget([_key_entry(instance.hashed_key)], schema=connection.schema_name)


def membership_changed(sender: type, instance: Membership, **kwargs: Any) -> None:
    if not kwargs.get("created"):
        forget_keys_of(user_id=instance.user_id, schema_name=instance.tenant.schema_name)


def person_changed(sender: type, instance: User, **kwargs: Any) -> None:
    if access.changes_access(kwargs):
        for schema_name in access.schemas_of(instance.pk):
            forget_keys_of(user_id=instance.pk, schema_name=schema_name)


def device_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    """A maker's two-factor device added or removed: their keys may work, or stop (0022)."""
    for schema_name in access.schemas_of(instance.user_id):
        forget_keys_of(user_id=instance.user_id, schema_name=schema_name)


# Keys (by hash) this process has seen used this minute: most requests need not ask Redis.
_noted: dict[str, float] = {}


def note_key_used(api_key: ApiKey) -> None:
    """Have `last_used_at` written, at most once a minute per key and never by the request: the
    first request of each minute queues a task (a cache marker decides between processes)."""
    now, seen = timezone.now(), api_key.hashed_key
    resolution = LAST_USED_RESOLUTION.total_seconds()
    if time.monotonic() - _noted.get(seen, -resolution) < resolution:
        return
    if len(_noted) > 10_000:
        _noted.clear()  # bounded: a worker's memory stays flat however many keys it sees
    _noted[seen] = time.monotonic()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    try:
        if not cache.add(f"api:key-used:{api_key.pk}", 1, int(resolution)):
            return
    except OUTAGES:  # the cache is down: the hint waits for the next minute
        return
    try:
        current_app.send_task(RECORD_KEY_USE, args=(api_key.pk, now.isoformat()))
    except Exception as exc:  # any broker error: a missed hint, never a failed request
        log.warning("could not queue the last use of API key %s: %s", api_key.pk, exc)


def record_key_use(*, key_id: int, used_at: datetime) -> None:
    """Move `last_used_at` forward (never back: tasks may arrive out of order)."""
    ApiKey.objects.filter(pk=key_id).exclude(last_used_at__gte=used_at).update(last_used_at=used_at)
