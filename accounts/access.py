"""Who may do what in an organisation: the one place that reads memberships and roles.

Every service that reads or writes an organisation's data asks here (`require_role`), and the
access middleware asks here once per request to put `request.membership` on pages and API
calls alike. Staff may act everywhere; people outside the organisation never.

A member (the person and their membership) is cached in the organisation's key space of the
shared cache; every save or delete of a membership or a person forgets it (`forget_member`,
`forget_person`, connected in AccountsConfig.ready()), and so does a change to their
two-factor devices. Whether the organisation demands two-factor sign-in is cached beside them
and forgotten when its security policy is saved (`requires_two_factor`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from web import cache as shared

from .models import ANY_ROLE, MANAGER_ROLES, OWNER_ROLES, WRITER_ROLES, Membership, User

__all__ = [
    "ANY_ROLE", "MANAGER_ROLES", "OWNER_ROLES", "WRITER_ROLES", "Caller", "caller_of",
    "changes_access", "forget", "forget_member", "forget_person", "holds_role", "membership_of",
    "organisations_requiring_two_factor", "remember", "require_role", "require_staff",
    "requires_two_factor", "schemas_of",
]  # fmt: skip

# Memberships a request has already read, on the user object it carries (see `remember`).
_CACHE = "_memberships_by_tenant"


@dataclass(frozen=True)
class Caller:
    """A person who may act on an organisation: a member, or staff (`membership` None)."""

    user: User
    membership: Membership | None
    # Whether the person has a confirmed authenticator (API keys depend on it, decision 0022).
    two_factor: bool = False


def _has_device() -> Exists:
    """Per row with a `user_id`: whether that person has a confirmed authenticator."""
    return Exists(TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True))


def _member_key(user_id: int) -> str:
    # The key function adds the organisation's schema.
    return f"access:member:{user_id}"


def _member(user_id: int, tenant: Any) -> Caller | None:
    """`user_id` as a member of `tenant`, or None; from the shared cache when the connection is
    on the organisation's schema (a request on its site), from the database otherwise."""
    own = connection.schema_name == tenant.schema_name
    found = shared.read(_member_key(user_id)) if own else shared.MISS
    if found is shared.MISS:
        membership = (
            Membership.objects.select_related("user")
            .defer("user__password")
            .annotate(two_factor=_has_device())
            .filter(user_id=user_id, tenant_id=tenant.pk)
            .first()
        )
        found = (
            Caller(membership.user, membership, membership.two_factor)
            if membership is not None
            else None
        )
        if own and found is not None:
            shared.fill(_member_key(user_id), found, settings.AUTH_CACHE_SECONDS)
    return found


def caller_of(*, user_id: int, tenant: Any) -> Caller | None:
    """The active person `user_id` if they may act on `tenant` (a member, or staff), else
    None. The person comes without the password hash: credentials other than the session's
    are checked before this, and the cache never holds one."""
    member = _member(user_id, tenant)
    if member is not None:
        return member if member.user.is_active else None
    user = (
        User.objects.defer("password")
        .annotate(
            two_factor=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))
        )
        .filter(pk=user_id, is_active=True, is_staff=True)
        .first()
    )
    return Caller(user, None, user.two_factor) if user is not None else None


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False) and getattr(user, "is_active", True))


def membership_of(*, user: Any, tenant: Any) -> Membership | None:
    """The membership of `user` in `tenant`, or None (strangers, anonymous, the public site)."""
    if not getattr(user, "is_authenticated", False) or getattr(tenant, "is_public", False):
        return None
    remembered = getattr(user, _CACHE, None)
    if remembered is not None and tenant.pk in remembered:
        return remembered[tenant.pk]
    member = _member(user.pk, tenant)
    return member.membership if member is not None else None


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


_POLICY_KEY = "access:policy:require-2fa"


@shared.prefetched_by
def _policy_entry(request: Any) -> tuple[str, ...]:
    return (_POLICY_KEY,)


def requires_two_factor(tenant: Any) -> bool:
    """Whether `tenant`'s security policy demands two-factor sign-in of everyone acting on it
    (never on the public site). Cached in the organisation's key space; saving the policy
    forgets it (`policy_changed`), so a change holds from the very next request."""
    if tenant is None or getattr(tenant, "is_public", False) or tenant.pk is None:
        return False
    own = connection.schema_name == tenant.schema_name
    found = shared.read(_POLICY_KEY) if own else shared.MISS
    if found is shared.MISS:
        # The policy is the organisation's one-to-one row, reached by its relation name.
        policy = type(tenant)._meta.get_field("security_policy").related_model
        found = bool(policy.objects.filter(tenant_id=tenant.pk, require_2fa=True).exists())
        if own:
            shared.fill(_POLICY_KEY, found, settings.AUTH_CACHE_SECONDS)
    return found


def organisations_requiring_two_factor(user: Any) -> list[str]:
    """Names of the active organisations of `user` whose policy demands two-factor sign-in."""
    return list(
        Membership.objects.filter(
            user_id=user.pk, tenant__status="active", tenant__security_policy__require_2fa=True
        ).values_list("tenant__name", flat=True)
    )


def forget_member(*, user_id: int, schema_name: str) -> None:
    """After a change to one membership (joined, new role, removed)."""
    shared.forget([_member_key(user_id)], schema=schema_name)


def schemas_of(user_id: int) -> list[str]:
    """The schemas of the organisations `user_id` belongs to (where they may be cached)."""
    return list(
        Membership.objects.filter(user_id=user_id).values_list("tenant__schema_name", flat=True)
    )


def forget_person(user_id: int) -> None:
    """After a change to a person (deactivated, staff flag, profile): in every organisation
    they belong to. The one call that drops everything cached about someone's access: the
    person's User row is saved, and every cache built on it listens to that save."""
    for schema_name in schemas_of(user_id):
        forget_member(user_id=user_id, schema_name=schema_name)


def changes_access(save: dict[str, Any]) -> bool:
    """Whether a save of a person (post_save's arguments) can change what they may do: not
    their creation (no membership yet), nor the sign-in date alone."""
    update_fields = save.get("update_fields")
    return not save.get("created") and not (update_fields and set(update_fields) <= {"last_login"})


# Model signal receivers (connected in AccountsConfig.ready()).
def membership_changed(sender: type, instance: Membership, **kwargs: Any) -> None:
    if kwargs.get("created"):
        return  # nothing was cached for someone who was not a member
    forget_member(user_id=instance.user_id, schema_name=instance.tenant.schema_name)


def person_changed(sender: type, instance: User, **kwargs: Any) -> None:
    if changes_access(kwargs):
        forget_person(instance.pk)


def device_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    """A two-factor device added, confirmed or removed: what is cached about its owner goes."""
    forget_person(instance.user_id)


def policy_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    """An organisation's security policy saved or deleted (connected by the tenants app, which
    owns the policy)."""
    shared.forget([_POLICY_KEY], schema=instance.tenant.schema_name)
