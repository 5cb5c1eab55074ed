"""Refresh-token families: every token pair obtained with a password starts one; refreshing
rotates it. Only the family's newest refresh token works, and only while the person's password
is the one it was issued under and the family is younger than API_REFRESH_FAMILY_DAYS. A replay
of an older token ends the family (whoever holds the newest loses it too), except the one just
rotated, replayed within seconds: that is a client refreshing twice at once, refused quietly."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import RefreshTokenFamily, User

FAMILY_CLAIM = "family"
CREDENTIAL_CLAIM = "cred"
# Parallel refreshes of one token by one client arrive within this of each other.
REUSE_GRACE = timedelta(seconds=10)


def credential_version(user: User) -> str:
    """Changes whenever the password does (change, reset, or set unusable)."""
    return salted_hmac("api.token_families.credential", user.password).hexdigest()[:16]


def family_lifetime() -> timedelta:
    return timedelta(days=settings.API_REFRESH_FAMILY_DAYS)


def _cap_expiry(token: RefreshToken, family: RefreshTokenFamily) -> None:
    end = int((family.started_at + family_lifetime()).timestamp())
    if token["exp"] > end:
        token["exp"] = end


def start_family(token: RefreshToken, *, user: User, tenant_slug: str) -> None:
    """Bind a freshly obtained refresh token to a new family and the person's password."""
    family = RefreshTokenFamily.objects.create(
        id=uuid.uuid4(),
        user=user,
        tenant_slug=tenant_slug,
        current_jti=token[jwt_settings.JTI_CLAIM],
    )
    token[FAMILY_CLAIM] = str(family.pk)
    token[CREDENTIAL_CLAIM] = credential_version(user)
    _cap_expiry(token, family)


def _ended() -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(
        _("This sign-in has ended. Request a new token with your email and password."),
        "token_family_ended",
    )


def rotate(raw: str, payload: dict[str, Any], *, user: User) -> dict[str, str]:
    """A new access token and the family's next refresh token, or AuthenticationFailed."""
    now = timezone.now()
    jti = payload.get(jwt_settings.JTI_CLAIM)
    with transaction.atomic():
        # The row lock makes parallel refreshes of one token take turns: one rotates, the
        # others then find their token is no longer the newest.
        family = (
            RefreshTokenFamily.objects.select_for_update()
            .filter(pk=_uuid(payload.get(FAMILY_CLAIM)), user=user, revoked_at=None)
            .first()
        )
        if family is None:
            raise _ended()
        valid = (
            jti == family.current_jti
            and now - family.started_at <= family_lifetime()
            and payload.get(CREDENTIAL_CLAIM) == credential_version(user)
        )
        if valid:
            return _next_pair(raw, family, now)
        if not _parallel_twin(family, jti, now):
            family.revoked_at = now
            family.save(update_fields=["revoked_at"])
    # Raised outside the transaction, so the family's end is kept.
    raise _ended()


def _parallel_twin(family: RefreshTokenFamily, jti: object, now: Any) -> bool:
    """The token rotated a moment ago, presented again by a client refreshing in parallel."""
    return (
        jti == family.previous_jti
        and family.rotated_at is not None
        and now - family.rotated_at <= REUSE_GRACE
    )


def _next_pair(raw: str, family: RefreshTokenFamily, now: Any) -> dict[str, str]:
    refresh = RefreshToken(raw)
    data = {"access": str(refresh.access_token)}
    refresh.blacklist()
    refresh.set_jti()
    refresh.set_exp()
    refresh.set_iat()
    _cap_expiry(refresh, family)
    refresh.outstand()
    family.previous_jti, family.current_jti = family.current_jti, refresh[jwt_settings.JTI_CLAIM]
    family.rotated_at = now
    family.save(update_fields=["previous_jti", "current_jti", "rotated_at"])
    data["refresh"] = str(refresh)
    return data


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def purge_ended_families() -> int:
    """Delete families that can no longer refresh: ended, or past their lifetime."""
    too_old = timezone.now() - family_lifetime()
    ended = RefreshTokenFamily.objects.filter(revoked_at__isnull=False) | (
        RefreshTokenFamily.objects.filter(started_at__lt=too_old)
    )
    deleted, _by_model = ended.delete()
    return deleted
